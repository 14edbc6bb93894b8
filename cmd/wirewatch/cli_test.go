package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

func TestMatchCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		terms []string
		inErr string
	}{
		{"match with accents", []string{`"Abrego Garcia" OR Xinis`, "Hearing", "for", "Ábrego", "García", "today"}, "", 0, []string{"Ábrego García"}, ""},
		{"no match", []string{"Xinis", "Judge Xinisfoo"}, "", 1, []string{}, ""},
		{"from stdin", []string{"ICE"}, "ICE agents, not police.", 0, []string{"ICE"}, ""},
		{"bad query", []string{`(Xinis OR "Abrego"`}, "", 2, nil, `unbalanced "(" at 1`},
		{"no query", nil, "", 2, nil, "usage"},
		{"party field", []string{"-party", "Kilmar Armando Abrego Garcia", "-party", "Kristi Noem", `party:"Abrego Garcia" AND order`, "ORDER granting the motion"}, "", 0, []string{"ORDER", "Abrego Garcia"}, ""},
		{"field looks only there", []string{"-judge", "Paula Xinis", `party:Xinis`, "Judge Xinis ruled"}, "", 1, []string{}, ""},
		{"plain words see the names", []string{"-attorney", "Drew C. Ensign", "-judge", "Paula Xinis", `Ensign OR Boasberg`, "text"}, "", 0, []string{"Ensign"}, ""},
		{"field with no names", []string{`judge:Xinis`, "Judge Xinis ruled"}, "", 1, []string{}, ""},
		{"bad field", []string{`lawyer:Ensign`, "text"}, "", 2, nil, `unknown field "lawyer:"`},
		{"bad flag", []string{"-court", "mdd", "Xinis"}, "", 2, nil, "usage: wirewatch match [-party NAME]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, append([]string{"match"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit: got %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if tt.inErr != "" {
				if !strings.Contains(r.stderr, tt.inErr) || r.stdout != "" {
					t.Errorf("stderr %q, stdout %q: want %q on stderr only", r.stderr, r.stdout, tt.inErr)
				}
				return
			}
			var out struct {
				Match   bool     `json:"match"`
				Terms   []string `json:"terms"`
				Snippet string   `json:"snippet"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("stdout %q: %v", r.stdout, err)
			}
			if out.Match != (tt.code == 0) || strings.Join(out.Terms, "|") != strings.Join(tt.terms, "|") {
				t.Errorf("got %+v, want match=%v terms=%q", out, tt.code == 0, tt.terms)
			}
			if out.Match && !strings.Contains(out.Snippet, tt.terms[0]) && !strings.Contains(tt.name, "names") {
				t.Errorf("snippet %q lacks %q", out.Snippet, tt.terms[0])
			}
		})
	}
}

func TestCheckCommand(t *testing.T) {
	good := MustConfig(t, "feeds:\n  - url: https://a.example/rss\nwatches:\n  - query: Xinis\n    to: [stdout, \"slack:C1\"]\n")
	r := runCLI(t, "", "check", "-config", good)
	if r.code != 0 || !strings.Contains(r.stdout, "feeds: 1") || !strings.Contains(r.stdout, "watches: 1") ||
		!strings.Contains(r.stdout, "slack:C1 needs SLACK_BOT_TOKEN") {
		t.Errorf("check good: code %d, stdout:\n%s", r.code, r.stdout)
	}
	bad := MustConfig(t, "feeds:\n  - url: https://a.example/rss\n    intervall: 5m\n")
	r = runCLI(t, "", "--check", "--config", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "line 3") || !strings.Contains(r.stderr, "intervall") {
		t.Errorf("check bad: code %d, stderr %q; want 2 naming the key and line", r.code, r.stderr)
	}
	if r := runCLI(t, "", "check", "-config", "/nonexistent/wirewatch.yaml"); r.code != 2 {
		t.Errorf("missing file: code %d, want 2", r.code)
	}
	// A Slack watch with no token: run refuses before polling anything.
	r = runCLI(t, "", "run", "-once", "-config", good)
	if r.code != 2 || !strings.Contains(r.stderr, "SLACK_BOT_TOKEN") {
		t.Errorf("run without token: code %d, stderr %q", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"run", "extra"}, {"watch"}, {"watch", "add", "Xinis"}, {"feed", "add"}, {"run", "-bogus"}} {
		if r := runCLI(t, "", args...); r.code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %q)", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "wirewatch ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

// TestWatchCommandsWithAndWithoutDaemon: watch and feed commands work on the
// store directly, and through the control socket while a daemon holds it.
func TestWatchCommandsWithAndWithoutDaemon(t *testing.T) {
	fs := newFeedServer(t)
	u := fs.feed("/f", true)
	fs.add("/f", testItem{"1", "A story", "https://s.example/1", "", t0})
	cfg := MustConfig(t, "allow_private_feeds: true\nhttp:\n  listen: 127.0.0.1:0\n")

	r := runCLI(t, "", "watch", "add", "-to", "stdout", "Abrego", "Garcia")
	if r.code != 2 {
		t.Fatalf("watch add without config: %d", r.code)
	}
	r = runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", `"Abrego Garcia" OR Xinis`)
	if r.code != 0 || !strings.Contains(r.stdout, "Added watch w1") {
		t.Fatalf("watch add: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", `(Xinis`)
	if r.code != 2 || !strings.Contains(r.stderr, "at 1") {
		t.Errorf("bad query: %d %q", r.code, r.stderr)
	}

	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: c, Env: env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		<-done
		m.Close()
	}()

	// The daemon holds the store: the commands go through it.
	r = runCLI(t, "", "watch", "list", "-config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "w1 · \"Abrego Garcia\" OR Xinis") || !strings.Contains(r.stdout, "added by shell") {
		t.Errorf("watch list through the daemon: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "feed", "add", "-config", cfg, "-name", "Test feed", u)
	if r.code != 0 || !strings.Contains(r.stdout, "Added feed f1: Test feed — 1 items") {
		t.Errorf("feed add through the daemon: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "watch", "drop", "-config", cfg, "w1")
	if r.code != 0 || !strings.Contains(r.stdout, "Dropped watch w1") {
		t.Errorf("watch drop: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "watch", "drop", "-config", cfg, "w1")
	if r.code != 2 || !strings.Contains(r.stderr, "no watch") {
		t.Errorf("second drop: %d %q", r.code, r.stderr)
	}
	st := status(t, cfg)
	if !st.Daemon || len(st.Feeds) != 1 || st.Feeds[0].ID != "f1" || len(st.Watches) != 0 {
		t.Errorf("status through the daemon: %+v", st)
	}
	var changes []string
	for _, c := range st.Changes {
		changes = append(changes, c.Action+" "+c.ID)
	}
	if got, want := strings.Join(changes, ", "), "watch add w1, feed add f1, watch drop w1"; got != want {
		t.Errorf("status changes: got %q, want %q", got, want)
	}
	if r := runCLI(t, "", "status", "-config", cfg); !strings.Contains(r.stdout, "watch drop w1") {
		t.Errorf("status text lacks the audit trail:\n%s", r.stdout)
	}

	// HTTP routes.
	base := "http://" + m.HTTPAddr
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/slack/commands": 405, "/nope": 404} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want && !(path == "/slack/commands" && resp.StatusCode == 404) {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if path == "/metrics" && !strings.Contains(string(body), "wirewatch_polls_total") {
			t.Errorf("metrics lack wirewatch_polls_total:\n%.500s", body)
		}
	}
	// Without the secret the webhook route does not exist.
	resp, err := http.Post(base+"/courtlistener/webhook/x", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("webhook without a secret: %d, want 404", resp.StatusCode)
	}
}

// TestRequeueParkedAlerts: parked alerts go back to the outbox on request.
func TestRequeueParkedAlerts(t *testing.T) {
	cfg := MustConfig(t, "")
	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(c.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	to := wirewatch.Destination("slack:C9")
	if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{{ID: "1", Link: "https://p.example/1", Title: "parked"}},
		func(it wirewatch.Item) []wirewatch.Alert { return []wirewatch.Alert{{To: to, Title: it.Title}} }); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pending(to, 1)
	if err := db.Park(p[0], "not_in_channel"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if r := runCLI(t, "", "requeue", "-config", cfg, "email:me"); r.code != 2 {
		t.Errorf("bad destination: exit %d, want 2", r.code)
	}
	r := runCLI(t, "", "requeue", "-config", cfg, "slack:C9")
	if r.code != 0 || !strings.Contains(r.stdout, "1 parked alerts for slack:C9 queued again") {
		t.Fatalf("requeue: %d %q %q", r.code, r.stdout, r.stderr)
	}
	st := status(t, cfg)
	if len(st.Outbox) != 1 || st.Outbox[0].Pending != 1 || st.Outbox[0].Parked != 0 {
		t.Errorf("outbox after requeue: %+v", st.Outbox)
	}
}
