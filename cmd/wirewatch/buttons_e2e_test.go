package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

// slackButton is a button of a message as the daemon posted it.
type slackButton struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
}

// slackButtons reads the buttons in a blocks JSON value.
func slackButtons(t *testing.T, raw string) []slackButton {
	t.Helper()
	var bl []struct {
		Type     string          `json:"type"`
		Elements json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal([]byte(raw), &bl); err != nil {
		t.Fatalf("blocks %s: %v", raw, err)
	}
	var out []slackButton
	for _, b := range bl {
		if b.Type == "actions" {
			var bs []slackButton
			if err := json.Unmarshal(b.Elements, &bs); err != nil {
				t.Fatal(err)
			}
			out = append(out, bs...)
		}
	}
	return out
}

// pressSlack posts a block_actions interaction for b in channel to the
// daemon, signed with secret at ts, and returns the HTTP status.
func pressSlack(t *testing.T, addr, secret, channel, responseURL string, b slackButton, ephemeral bool, ts time.Time) int {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U123", "name": "reporter"},
		"channel": map[string]any{"id": channel}, "container": map[string]any{"type": "message", "channel_id": channel, "is_ephemeral": ephemeral},
		"response_url": responseURL, "trigger_id": "1.2.3",
		"actions": []map[string]any{{"type": "button", "action_id": b.ActionID, "value": b.Value, "block_id": "wirewatch_controls"}},
	})
	body := url.Values{"payload": {string(payload)}}.Encode()
	sec := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+sec+":"+body)
	req, _ := http.NewRequest("POST", "http://"+addr+"/slack/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", sec)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitAnswers waits until the stand-in has n posts at response URLs.
func waitAnswers(t *testing.T, sl *slacktest.Server, n int) []map[string]any {
	t.Helper()
	timeout := time.After(e2eWait)
	for len(sl.Replies()) < n {
		select {
		case <-sl.Notified:
		case <-timeout:
			t.Fatalf("timed out waiting for %d answers at response URLs; got %v", n, sl.Replies())
		}
	}
	return sl.Replies()
}

// TestSlackButtonsEndToEnd: the real daemon posts an alert with its
// buttons; pressed through POST /slack/interactions they mute the thread
// (the next item of it is not posted), follow the case the item names,
// and stop the watch after a confirmation. A forged or stale press gets
// 401 and changes nothing.
func TestSlackButtonsEndToEnd(t *testing.T) {
	const (
		token   = "xoxb-test-e2e"
		secret  = "signing-secret-e2e"
		channel = "C0123456789"
	)
	sl := slacktest.New(slacktest.Options{})
	sl.Token = token
	sl.AddChannel(channel)
	apiURL := sl.Start(t)
	respURL := apiURL + "respond/T1/1/x"
	fs := newFeedServer(t)
	fs.feed("/news", true)
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
	if got := slashCommand(t, m.HTTPAddr, secret, channel, "add Xinis"); !strings.Contains(got, "Added watch w1") {
		t.Fatalf("/watch add: %q", got)
	}
	waitHits(t, hits, 1, "seed")

	fs.add("/news", testItem{"a", "Xinis orders a hearing", "https://news.example/a", "In 8:25-cv-00951-PX, Judge Xinis ordered a hearing.", time.Now()})
	waitSlack(t, sl, "chat.postMessage", 1)
	top := sl.Messages(channel)[0]
	bs := slackButtons(t, top.Blocks)
	byAction := map[string]slackButton{}
	for _, b := range bs {
		act, _, _ := strings.Cut(b.Value, ":")
		byAction[act] = b
	}
	if len(bs) != 3 || byAction["mute"].Value == "" || byAction["stop"].Value != "stop:w1" || byAction["follow"].Value != "follow:8:25-cv-951" {
		t.Fatalf("alert's buttons: %+v, want mute, stop:w1 and follow:8:25-cv-951", bs)
	}
	key := strings.TrimPrefix(byAction["mute"].Value, "mute:")

	// Forged and stale presses: 401, and nothing muted.
	if code := pressSlack(t, m.HTTPAddr, "not-the-secret", channel, respURL, byAction["mute"], false, time.Now()); code != http.StatusUnauthorized {
		t.Errorf("forged press: HTTP %d, want 401", code)
	}
	if code := pressSlack(t, m.HTTPAddr, secret, channel, respURL, byAction["mute"], false, time.Now().Add(-6*time.Minute)); code != http.StatusUnauthorized {
		t.Errorf("stale press: HTTP %d, want 401", code)
	}
	if got := slashCommand(t, m.HTTPAddr, secret, channel, "list"); strings.Contains(got, "Muted") {
		t.Errorf("/watch list after refused presses: %q, want nothing muted", got)
	}

	// Mute: the thread's next item is not posted.
	if code := pressSlack(t, m.HTTPAddr, secret, channel, respURL, byAction["mute"], false, time.Now()); code != http.StatusOK {
		t.Fatalf("mute: HTTP %d", code)
	}
	if a := waitAnswers(t, sl, 1)[0]; !strings.Contains(fmt.Sprint(a["text"]), "/watch unmute "+key) || a["response_type"] != "ephemeral" {
		t.Errorf("mute answer: %v", a)
	}
	posts := len(sl.Calls("chat.postMessage"))
	fs.add("/news", testItem{"b", "Xinis sets a date", "https://news.example/b", "Monday.", time.Now()})
	drain(hits)
	waitHits(t, hits, 3, "after the mute")
	for _, o := range status(t, cfg).Outbox {
		if o.Pending != 0 {
			t.Errorf("outbox after the mute: %+v, want nothing pending", o)
		}
	}
	if n := len(sl.Calls("chat.postMessage")); n != posts {
		t.Errorf("after the mute: %d more posts, want none", n-posts)
	}
	if got := slashCommand(t, m.HTTPAddr, secret, channel, "list"); !strings.Contains(got, "/watch unmute "+key) || !strings.Contains(got, "1 not posted since") {
		t.Errorf("/watch list: %q, want the muted thread, its skipped item and its unmute command", got)
	}

	// Follow the case the item named.
	if code := pressSlack(t, m.HTTPAddr, secret, channel, respURL, byAction["follow"], false, time.Now()); code != http.StatusOK {
		t.Fatalf("follow: HTTP %d", code)
	}
	if a := waitAnswers(t, sl, 2)[1]; !strings.Contains(fmt.Sprint(a["text"]), "Added watch w2: case:8:25-cv-951") {
		t.Errorf("follow answer: %v", a)
	}

	// Stop: asked, then confirmed in the ephemeral answer.
	if code := pressSlack(t, m.HTTPAddr, secret, channel, respURL, byAction["stop"], false, time.Now()); code != http.StatusOK {
		t.Fatalf("stop: HTTP %d", code)
	}
	ask := waitAnswers(t, sl, 3)[2]
	raw, _ := json.Marshal(ask["blocks"])
	confirm := slackButtons(t, string(raw))
	if len(confirm) != 1 || confirm[0].Value != "stop!:w1" {
		t.Fatalf("stop answer: %v, want a confirmation button", ask)
	}
	if code := pressSlack(t, m.HTTPAddr, secret, channel, respURL, confirm[0], true, time.Now()); code != http.StatusOK {
		t.Fatalf("confirm: HTTP %d", code)
	}
	if a := waitAnswers(t, sl, 4)[3]; !strings.Contains(fmt.Sprint(a["text"]), "Dropped watch w1") || a["replace_original"] != true {
		t.Errorf("confirm answer: %v", a)
	}
	// Another text than the list above: the same one signed in the same
	// second would be refused as a replay.
	got := slashCommand(t, m.HTTPAddr, secret, channel, "LIST")
	if strings.Contains(got, "w1 ·") || !strings.Contains(got, "w2 · case:8:25-cv-951") {
		t.Errorf("/watch list after stop and follow: %q", got)
	}
	if got := slashCommand(t, m.HTTPAddr, secret, channel, "unmute "+key); !strings.Contains(got, "Unmuted") {
		t.Errorf("/watch unmute: %q", got)
	}
}
