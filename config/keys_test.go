package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestMistakesNamedByPath: a mistake is named by its YAML path and line, the
// way the user wrote it, never by a Go type.
func TestMistakesNamedByPath(t *testing.T) {
	goType := regexp.MustCompile(`config\.[A-Z]|!!|unmarshal|\binto\b|\[\]string|time\.Duration`)
	for _, tc := range []struct{ name, doc, want string }{
		{"nested key", "poll:\n  interval: 1m\n  intervall: 2m\n", "line 3: unknown key poll.intervall; poll has interval, timeout"},
		{"top key", "store: a.db\nretension: 24h\n", "line 2: unknown key retension; the file's keys are store, timezone"},
		{"feed key", "feeds:\n  - url: https://a.example/\n  - url: https://b.example/\n    nmae: B\n", "line 4: unknown key feeds[1].nmae; feeds[1] has url, name"},
		{"secret in the file", "discord:\n  token: abc\n", "line 2: unknown key discord.token; discord has api_url"},
		{"poll duration", "poll:\n  interval: 5 minutes\n", `line 2: poll.interval: "5 minutes" is not a duration (write it like 90s, 5m or 1h30m)`},
		{"retention duration", "retention: forever\n", `line 1: retention: "forever" is not a duration`},
		{"feed duration", "feeds:\n  - url: https://a.example/\n    interval: soon\n", `line 3: feeds[0].interval: "soon" is not a duration`},
		{"duration as a list", "poll:\n  timeout: [1s]\n", "line 2: poll.timeout: want a duration such as 90s, 5m or 1h30m, got a list"},
		{"number", "poll:\n  workers: many\n", `line 2: poll.workers: "many" is not a whole number`},
		{"bool", "discord:\n  gateway: maybe\n", `line 2: discord.gateway: "maybe" is not true or false`},
		{"section as a value", "poll: 5m\n", `line 1: poll: want keys (interval, timeout, workers, per_host`},
		{"list as a value", "watches: stdout\n", `line 1: watches: want a list, got "stdout"`},
		{"string as a list", "store: [a, b]\n", "line 1: store: want a single value, got a list"},
		{"admins as a string", "slack:\n  admins: U1\n", `line 2: slack.admins: want a list, got "U1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("got no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
			if m := goType.FindString(err.Error()); m != "" {
				t.Errorf("got %q: names a Go type (%q)", err, m)
			}
		})
	}
}

// TestEveryMistakeReported: several mistakes are reported together, each
// with its line.
func TestEveryMistakeReported(t *testing.T) {
	_, err := Parse([]byte("poll:\n  intervall: 1m\n  workers: x\nretention: 1 day\n"))
	if err == nil {
		t.Fatal("got no error")
	}
	for _, w := range []string{"line 2: unknown key poll.intervall", "line 3: poll.workers", "line 4: retention"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("got %q, want it to contain %q", err, w)
		}
	}
}

// TestKeyCheckAcceptsTheExample: every key the example config and the
// README use passes the key check (the check knows the same keys as the
// decoder).
func TestKeyCheckAcceptsTheExample(t *testing.T) {
	c, err := Load("../wirewatch.example.yaml")
	if err != nil {
		t.Fatalf("wirewatch.example.yaml: %v", err)
	}
	if len(c.Feeds) == 0 || len(c.Watches) == 0 {
		t.Errorf("example: %d feeds, %d watches; want some of each", len(c.Feeds), len(c.Watches))
	}
}
