package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
	"github.com/wirewatch/wirewatch/store"
)

// e2eWait bounds every wait of the end-to-end chat tests.
const e2eWait = 15 * time.Second

// hitFeeds serves fs through a second loopback server that says each time a
// feed request has been answered, so a test can wait for polls.
func hitFeeds(t *testing.T, fs *feedServer) (base string, hits chan struct{}) {
	t.Helper()
	hits = make(chan struct{}, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.serve(w, r)
		select {
		case hits <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits
}

// waitHits waits until n more feed requests have been answered.
func waitHits(t *testing.T, hits chan struct{}, n int, what string) {
	t.Helper()
	timeout := time.After(e2eWait)
	for range n {
		select {
		case <-hits:
		case <-timeout:
			t.Fatalf("timed out waiting for the feed to be polled (%s)", what)
		}
	}
}

// drain empties hits.
func drain(hits chan struct{}) {
	for {
		select {
		case <-hits:
		default:
			return
		}
	}
}

// startDaemon runs the real Main on cfg with the given environment and
// stops it at cleanup. It returns the daemon and its log.
func startDaemon(t *testing.T, cfg string, vars map[string]string) (*Main, *syncBuffer) {
	t.Helper()
	getenv := func(k string) string { return vars[k] }
	c, err := loadConfig(cfg, env{getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m := &Main{Config: c, Env: env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, getenv: getenv}}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatalf("open: %v\n%s", err, logs)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() {
			t.Logf("daemon log:\n%s", logs)
		}
	})
	return m, logs
}

// syncBuffer is a bytes.Buffer safe for the daemon's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitSlack waits until the Slack stand-in has had n calls of method in
// all.
func waitSlack(t *testing.T, sl *slacktest.Server, method string, n int) []slacktest.Call {
	t.Helper()
	timeout := time.After(e2eWait)
	for {
		if cs := sl.Calls(method); len(cs) >= n {
			return cs
		}
		select {
		case <-sl.Notified:
		case <-timeout:
			t.Fatalf("timed out waiting for %d %s calls; got %d", n, method, len(sl.Calls(method)))
		}
	}
}

// slashCommand posts a /watch command to the daemon as Slack would,
// signed with secret, and returns the reply's text.
func slashCommand(t *testing.T, addr, secret, channel, text string) string {
	t.Helper()
	body := url.Values{
		"command": {"/watch"}, "text": {text}, "channel_id": {channel}, "team_id": {"T1"},
		"user_id": {"U123"}, "user_name": {"reporter"}, "response_url": {"http://" + addr + "/nowhere"},
		"trigger_id": {"1.2.3"},
	}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+ts+":"+body)
	req, err := http.NewRequest("POST", "http://"+addr+"/slack/commands", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/watch %s: HTTP %d %s", text, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("/watch %s: reply: %v", text, err)
	}
	if reply.ResponseType != "ephemeral" {
		t.Errorf("/watch %s: response_type %q, want ephemeral", text, reply.ResponseType)
	}
	return reply.Text
}

// blockStrings returns every string inside a blocks or attachments JSON
// value.
func blockStrings(t *testing.T, raw string) []string {
	t.Helper()
	if raw == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("blocks %q: %v", raw, err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

var addedID = regexp.MustCompile(`Added watch (\S+):`)

// TestSlackWatchEndToEnd: a watch added with a signed /watch command posts
// new matching items threaded in that channel, feed text cannot ping, and
// /watch drop stops it.
func TestSlackWatchEndToEnd(t *testing.T) {
	const (
		token   = "xoxb-test-e2e"
		secret  = "signing-secret-e2e"
		channel = "C0123456789"
	)
	slack := slacktest.New(slacktest.Options{})
	slack.Token = token
	slack.AddChannel(channel)
	apiURL := slack.Start(t)
	fs := newFeedServer(t)
	fs.feed("/news", true)
	fs.add("/news", testItem{"old", "Xinis: old news", "https://news.example/old", "Seen before the watch.", time.Now().Add(-time.Hour)})
	base, hits := hitFeeds(t, fs)
	cfg := MustConfig(t, fmt.Sprintf(`
feeds:
  - url: %s/news
    name: News
    interval: 1s
slack:
  api_url: %s
http:
  listen: 127.0.0.1:0
`, base, apiURL))
	m, _ := startDaemon(t, cfg, map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": secret})

	// A forged signature is refused.
	req, _ := http.NewRequest("POST", "http://"+m.HTTPAddr+"/slack/commands", strings.NewReader("text=add+Xinis&channel_id="+channel))
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set("X-Slack-Signature", "v0=00")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned command: HTTP %d, want 401", resp.StatusCode)
	}

	reply := slashCommand(t, m.HTTPAddr, secret, channel, "add Xinis")
	sub := addedID.FindStringSubmatch(reply)
	if sub == nil {
		t.Fatalf("/watch add: reply %q names no watch id", reply)
	}
	id := sub[1]
	if got := slashCommand(t, m.HTTPAddr, secret, channel, "list"); !strings.Contains(got, id) || !strings.Contains(got, "Xinis") {
		t.Errorf("/watch list: got %q, want watch %s", got, id)
	}

	// The feed's first poll seeds it: the old item alerts nobody.
	waitHits(t, hits, 1, "seed")

	// Feed titles are HTML: this one's text is "<!channel> breaking: …",
	// which Slack would turn into a ping of the whole channel.
	fs.add("/news", testItem{"a", "&lt;!channel&gt; breaking: Xinis orders hearing", "https://news.example/a", "Judge Xinis ordered a hearing.", time.Now()})
	posts := waitSlack(t, slack, "chat.postMessage", 1)
	top := posts[0]
	if top.Form.Get("channel") != channel || top.Form.Get("thread_ts") != "" {
		t.Fatalf("first alert: got channel %q thread_ts %q, want a top-level post in %s", top.Form.Get("channel"), top.Form.Get("thread_ts"), channel)
	}
	// The hostile title arrives escaped, everywhere in the message.
	texts := append([]string{top.Form.Get("text")}, blockStrings(t, top.Form.Get("blocks"))...)
	texts = append(texts, blockStrings(t, top.Form.Get("attachments"))...)
	escaped := false
	for _, s := range texts {
		if strings.Contains(s, "<!channel>") {
			t.Errorf("feed text reached Slack unescaped: %q", s)
		}
		if strings.Contains(s, "&lt;!channel&gt;") {
			escaped = true
		}
	}
	if !escaped {
		t.Errorf("title not found escaped (&lt;!channel&gt;) in text %q or blocks %s", top.Form.Get("text"), top.Form.Get("blocks"))
	}
	if top.Form.Get("link_names") != "" || top.Form.Get("parse") == "full" {
		t.Errorf("first alert: link_names=%q parse=%q", top.Form.Get("link_names"), top.Form.Get("parse"))
	}
	topTS := slack.Messages(channel)[0].TS

	// A second matching item the same day goes into the thread, and the
	// top message is updated.
	fs.add("/news", testItem{"b", "Xinis sets a date", "https://news.example/b", "The hearing is on Monday.", time.Now()})
	posts = waitSlack(t, slack, "chat.postMessage", 2)
	if r := posts[1]; r.Form.Get("channel") != channel || r.Form.Get("thread_ts") != topTS {
		t.Errorf("second alert: got channel %q thread_ts %q, want a reply in %s under %s", r.Form.Get("channel"), r.Form.Get("thread_ts"), channel, topTS)
	}
	updates := waitSlack(t, slack, "chat.update", 1)
	if u := updates[0]; u.Form.Get("channel") != channel || u.Form.Get("ts") != topTS {
		t.Errorf("update: got channel %q ts %q, want the top message %s", u.Form.Get("channel"), u.Form.Get("ts"), topTS)
	}

	// Dropped: a new matching item posts nothing.
	if got := slashCommand(t, m.HTTPAddr, secret, channel, "drop "+id); !strings.Contains(got, id) {
		t.Fatalf("/watch drop: got %q", got)
	}
	before := len(slack.Calls("chat.postMessage")) + len(slack.Calls("chat.update"))
	fs.add("/news", testItem{"c", "Xinis again", "https://news.example/c", "More.", time.Now()})
	// Hits answered after the drain started after the add: the second of
	// them saw the item, and the third comes after that poll was recorded.
	drain(hits)
	waitHits(t, hits, 3, "after the drop")
	st := status(t, cfg)
	if !st.Daemon {
		t.Errorf("status did not go through the daemon: %+v", st)
	}
	for _, o := range st.Outbox {
		if o.Pending != 0 {
			t.Errorf("outbox after the drop: %+v, want nothing pending", o)
		}
	}
	if after := len(slack.Calls("chat.postMessage")) + len(slack.Calls("chat.update")); after != before {
		t.Errorf("after /watch drop: %d more Slack posts or updates, want none", after-before)
	}
}

// TestSlackTokenRefused: a bad token stops the start with an error naming
// SLACK_BOT_TOKEN; a token revoked while running holds the platform's
// alerts (not parked), and status and /healthz say so.
func TestSlackTokenRefused(t *testing.T) {
	const channel = "C0123456789"
	slack := slacktest.New(slacktest.Options{})
	slack.AddChannel(channel)
	apiURL := slack.Start(t)
	fs := newFeedServer(t)
	fs.feed("/news", true)
	base, hits := hitFeeds(t, fs)
	cfg := MustConfig(t, fmt.Sprintf(`
feeds:
  - url: %s/news
    interval: 1s
watches:
  - query: Xinis
    to: "slack:%s"
slack:
  api_url: %s
http:
  listen: 127.0.0.1:0
`, base, channel, apiURL))

	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	bad := &Main{Config: c, Env: env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: func(k string) string {
			if k == "SLACK_BOT_TOKEN" {
				return "xoxb-wrong"
			}
			return ""
		}}}
	err = bad.Open(t.Context())
	bad.Close()
	var ce *configError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") || strings.Contains(err.Error(), "xoxb-wrong") {
		t.Fatalf("start with a wrong token: %v; want a config error naming SLACK_BOT_TOKEN", err)
	}

	m, logs := startDaemon(t, cfg, map[string]string{"SLACK_BOT_TOKEN": slack.Token})
	waitHits(t, hits, 1, "seed")
	slack.Revoke()
	fs.add("/news", testItem{"a", "Xinis one", "https://news.example/a", "", time.Now()}, testItem{"b", "Xinis two", "https://news.example/b", "", time.Now()})
	waitSlack(t, slack, "chat.postMessage", 1)
	var health string
	for deadline := time.Now().Add(e2eWait); ; {
		resp, err := http.Get("http://" + m.HTTPAddr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if health = string(b); strings.Contains(health, "held slack") || time.Now().After(deadline) {
			break
		}
		select {
		case <-slack.Notified:
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !strings.Contains(health, "held slack (token refused)") || !strings.Contains(health, "token_revoked") {
		t.Fatalf("/healthz = %q, want the refused token in its detail", health)
	}
	st := status(t, cfg)
	var held bool
	for _, o := range st.Outbox {
		if o.To == "slack:"+channel {
			held = strings.Contains(o.Held, "token") && o.Pending == 2 && o.Parked == 0
		}
	}
	if !held {
		t.Errorf("status outbox %+v; want slack:%s held with 2 pending, none parked", st.Outbox, channel)
	}
	if n := len(slack.Calls("chat.postMessage")); n != 1 {
		t.Errorf("%d posts tried with a revoked token, want 1", n)
	}
	if n := strings.Count(logs.String(), "refuses the bot's token"); n != 1 {
		t.Errorf("the refused token logged %d times, want once:\n%s", n, logs)
	}
}

// TestStatusShowsAHeldChannel: a channel refusing the bot for now is
// shown held, with its reason and since when, in status's JSON and text.
func TestStatusShowsAHeldChannel(t *testing.T) {
	cfg := MustConfig(t, "watches:\n  - query: Xinis\n    to: \"slack:C0123456789\"\n")
	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(c.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	if _, err := db.SetHold(store.Hold{Key: "slack:C0123456789", Reason: "slack chat.postMessage C0123456789: not_in_channel", Since: since}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st := status(t, cfg)
	if len(st.Outbox) != 1 || !strings.Contains(st.Outbox[0].Held, "not_in_channel") || !st.Outbox[0].HeldSince.Equal(since) {
		t.Errorf("status outbox %+v, want slack:C0123456789 held since %v", st.Outbox, since)
	}
	r := runCLI(t, "", "status", "-config", cfg)
	if !strings.Contains(r.stdout, "HELD") || !strings.Contains(r.stdout, "since 2026-11-22 14:00:00 UTC: slack chat.postMessage C0123456789: not_in_channel") {
		t.Errorf("status text:\n%s", r.stdout)
	}
}
