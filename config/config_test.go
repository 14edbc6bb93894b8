package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const good = `
store: data/ww.db
timezone: America/New_York
poll:
  interval: 2m
allow_private_feeds: false
feeds:
  - url: https://example.org/rss
    name: Example News
    type: auto
    interval: 1m
    backfill: 2
  - url: https://www.courtlistener.com/docket/69777799/feed/
watches:
  - name: Abrego Garcia
    query: '"Abrego Garcia" OR Xinis'
    to: [stdout, "slack:C0123456789", "discord:112233445566778899"]
  - query: Xinis
    to: stdout
slack:
  api_url: http://127.0.0.1:9/api/
discord:
  application_id: "123"
  gateway: false
http:
  listen: 127.0.0.1:0
`

func TestLoadGood(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wirewatch.yaml")
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := c.Store, filepath.Join(dir, "data/ww.db"); got != want {
		t.Errorf("store: got %q, want %q (relative to the config's folder)", got, want)
	}
	if c.Location.String() != "America/New_York" {
		t.Errorf("location: got %v", c.Location)
	}
	if c.Poll.Interval.D() != 2*time.Minute || c.Feeds[0].Interval.D() != time.Minute || c.Feeds[0].Backfill != 2 {
		t.Errorf("durations/backfill: got %+v %+v", c.Poll, c.Feeds[0])
	}
	if got := c.Watches[1].To; len(got) != 1 || got[0] != "stdout" {
		t.Errorf("single destination as a string: got %v", got)
	}
	if c.Discord.GatewayOn() {
		t.Error("gateway: false was ignored")
	}
	if c.Discord.APIURL != DefaultDiscordAPI || c.CourtListener.APIURL != DefaultCourtListener {
		t.Errorf("defaults not kept: %q %q", c.Discord.APIURL, c.CourtListener.APIURL)
	}
	fs := c.DomainFeeds()
	if fs[1].ID != "cfg-2" || fs[1].Type != "auto" {
		t.Errorf("domain feed: got %+v", fs[1])
	}
	ws := c.DomainWatches()
	if ws[0].Label() != "Abrego Garcia" || ws[1].Label() != "Xinis" || len(ws[0].To) != 3 {
		t.Errorf("domain watches: got %+v", ws)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // every fragment must be in the error
	}{
		{"unknown top key", "store: a.db\nfeeeds: []\n", []string{"line 2", "unknown key feeeds"}},
		{"unknown nested key", "poll:\n  interval: 1m\n  intervall: 2m\n", []string{"line 3", "intervall"}},
		{"unknown feed key", "feeds:\n  - url: https://a.example/\n    intervall: 5m\n", []string{"line 3", "unknown key feeds[0].intervall"}},
		{"unknown watch key", "watches:\n  - query: x\n    to: stdout\n    too: stdout\n", []string{"line 4", "unknown key watches[0].too"}},
		{"bad duration", "poll:\n  interval: 5 minutes\n", []string{"line 2", `"5 minutes" is not a duration`}},
		{"interval too short", "poll:\n  interval: 10ms\n", []string{"poll.interval", "minimum of 1s"}},
		{"feed interval bad", "feeds:\n  - url: https://a.example/\n    interval: soon\n", []string{"line 3", "not a duration"}},
		{"bad destination", "watches:\n  - query: x\n    to: [email:me]\n", []string{"watches[0] (line 2).to", "email:me"}},
		{"discord id letters", "watches:\n  - query: x\n    to: discord:abc\n", []string{"watches[0]", "not a Discord channel id"}},
		{"bad query", "watches:\n  - query: '  '\n    to: stdout\n", []string{"watches[0] (line 2).query"}},
		{"no destination", "watches:\n  - query: x\n", []string{"watches[0] (line 2).to", "at least one"}},
		{"feed url scheme", "feeds:\n  - url: file:///etc/passwd\n", []string{"feeds[0] (line 2).url", "only http and https"}},
		{"feed url userinfo", "feeds:\n  - url: https://u:p@a.example/\n", []string{"feeds[0] (line 2).url", "password"}},
		{"feed type", "feeds:\n  - url: https://a.example/\n    type: atom\n", []string{"feeds[0] (line 2).type", `"atom"`}},
		{"duplicate feed", "feeds:\n  - url: https://a.example/\n  - url: https://a.example/\n", []string{"feeds[1] (line 3).url", "already feeds[0]"}},
		{"timezone", "timezone: Mars/Olympus\n", []string{"timezone", "Mars/Olympus"}},
		{"wrong type", "poll:\n  workers: many\n", []string{"line 2", "many"}},
		{"slack url slash", "slack:\n  api_url: http://127.0.0.1:1/api\n", []string{"slack.api_url", "slash"}},
		{"two documents", "store: a.db\n---\nstore: b.db\n", []string{"more than one YAML document"}},
		{"secret in file", "slack:\n  bot_token: xoxb-123\n", []string{"line 2", "unknown key slack.bot_token", "SLACK_BOT_TOKEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("got no error, want one with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestEmptyIsDefault(t *testing.T) {
	c, err := Parse(nil)
	if err != nil {
		t.Fatalf("empty config: %v", err)
	}
	if c.Poll.Interval.D() != DefaultInterval || c.Store != "wirewatch.db" {
		t.Errorf("got %+v, want the defaults", c)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	s := SecretsFromEnv(func(k string) string { return "xoxb-very-secret-" + k })
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprintf("%v", s.SlackBotToken)} {
		if strings.Contains(out, "very-secret") {
			t.Errorf("secret leaked in %q", out)
		}
	}
	if s.SlackBotToken.Reveal() != "xoxb-very-secret-SLACK_BOT_TOKEN" {
		t.Errorf("Reveal: got %q", s.SlackBotToken.Reveal())
	}
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte("# "+strings.Repeat("x", MaxFileSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("got %v, want a size error", err)
	}
}
