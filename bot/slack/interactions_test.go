package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

// button is one of a message's buttons as Slack shows it.
type button struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	Style    string `json:"style"`
	Text     struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"text"`
}

// buttons reads the buttons of a message's blocks (JSON as posted).
func buttons(t *testing.T, blocks string) []button {
	t.Helper()
	var bl []struct {
		Type     string          `json:"type"`
		Elements json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocks), &bl); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	var out []button
	for _, b := range bl {
		if b.Type != "actions" {
			continue
		}
		var bs []button
		if err := json.Unmarshal(b.Elements, &bs); err != nil {
			t.Fatalf("actions %s: %v", b.Elements, err)
		}
		out = append(out, bs...)
	}
	return out
}

// pressForm is the form Slack posts when user presses b in channel ch.
func pressForm(t *testing.T, b button, ch, responseURL string, ephemeral bool) url.Values {
	t.Helper()
	p, err := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"},
		"user":         map[string]any{"id": "U1", "username": "ann", "name": "ann"},
		"channel":      map[string]any{"id": ch, "name": "news"},
		"container":    map[string]any{"type": "message", "channel_id": ch, "message_ts": "1.0", "is_ephemeral": ephemeral},
		"response_url": responseURL, "trigger_id": "1.2.3",
		"actions": []map[string]any{{"type": "button", "block_id": controlsBlockID, "action_id": b.ActionID, "value": b.Value, "action_ts": "1.1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"payload": {string(p)}}
}

// waitReplies waits until fk has n answers at response URLs.
func waitReplies(t *testing.T, fk *fakeSlack, n int) []map[string]any {
	t.Helper()
	for len(fk.Replies()) < n {
		select {
		case <-fk.Notified:
		case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("got %d answers at the response_url, want %d", len(fk.Replies()), n)
		}
	}
	return fk.Replies()
}

// buttonPresses counts the audit trail's entries of button presses.
func buttonPresses(t *testing.T, db *store.DB) int {
	t.Helper()
	trail, err := db.Audit(1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range trail {
		if strings.HasPrefix(e.Action, "button ") {
			n++
		}
	}
	return n
}

// TestInteractionsButtons: an alert's buttons, pressed, do what they say,
// through the real commands and store: mute the thread, ask then stop the
// watch, follow the case the item names. Each press is acked with 200 at
// once and answered through its response_url, ephemeral, and audited.
func TestInteractionsButtons(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, apiURL, nil, nil)
	cmds, db := realCommands(t)
	h := s.InteractionsHandler(cmds)
	ctx := t.Context()

	if r := cmds.Command(ctx, wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: "Xinis", Channel: "slack:C1", User: "ann"}); r.Refused {
		t.Fatal(r.Text)
	}
	const key = "watch:w1:2026-11-22"
	a := wirewatch.Alert{ID: 1, To: "slack:C1", Thread: key, Title: "Judge Xinis rules <!channel>", Link: "https://news.example/1",
		Watches: []string{"Xinis"}, WatchIDs: []string{"w1"}, Mentions: "8:25-cv-951", Queued: time.Now()}
	th, err := s.PostTop(ctx, wirewatch.Thread{Key: key, To: "slack:C1", Title: "Xinis · Nov 22, 2026"}, a)
	if err != nil {
		t.Fatal(err)
	}
	th.Started, th.Updated = time.Now(), time.Now()
	if err := db.SaveThread(th); err != nil {
		t.Fatal(err)
	}
	msgs := fk.Messages("C1")
	bs := buttons(t, msgs[0].Blocks)
	if len(bs) != 3 {
		t.Fatalf("alert's buttons: got %+v, want mute, stop and follow", bs)
	}
	for _, b := range bs {
		if b.Text.Type != "plain_text" || len(b.Value) > maxButtonVal || len([]rune(b.Text.Text)) > maxButtonText {
			t.Errorf("button %+v: want plain_text within Slack's limits", b)
		}
	}

	respURL := strings.TrimSuffix(apiURL, "/") + "/respond/T1/1/abc"
	replies := 0
	press := func(b button, ephemeral bool) map[string]any {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, pressForm(t, b, "C1", respURL, ephemeral), time.Now()))
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("press %s: got %d %q, want 200 and an empty ack", b.Value, w.Code, w.Body)
		}
		replies++
		rep := waitReplies(t, fk, replies)[replies-1]
		if rep["response_type"] != "ephemeral" {
			t.Errorf("press %s: answer %v, want ephemeral", b.Value, rep)
		}
		return rep
	}

	// Mute.
	rep := press(bs[0], false)
	if muted, _ := db.Muted("slack:C1", key); !muted || !strings.Contains(rep["text"].(string), "/watch unmute "+key) {
		t.Errorf("mute: muted %v, answer %v; want muted and the unmute command", muted, rep)
	}
	// Stop asks first, then the confirmation (pressed in the ephemeral
	// answer, which it replaces) drops the watch.
	rep = press(bs[1], false)
	b, _ := json.Marshal(rep["blocks"])
	confirm := buttons(t, string(b))
	if len(confirm) != 1 || confirm[0].Value != "stop!:w1" || confirm[0].Style != "danger" {
		t.Fatalf("stop: answer %v, want a confirmation button", rep)
	}
	if _, ok := cmds.List.Get("w1"); !ok {
		t.Fatal("w1 dropped before the confirmation")
	}
	rep = press(confirm[0], true)
	if _, ok := cmds.List.Get("w1"); ok || rep["replace_original"] != true || !strings.Contains(rep["text"].(string), "Dropped watch w1") {
		t.Errorf("confirm: answer %v; want w1 dropped, the confirmation replaced", rep)
	}
	// Follow.
	press(bs[2], false)
	ws := cmds.Watches(ctx, "slack:C1")
	if len(ws) != 1 || ws[0].Query != "case:8:25-cv-951" || ws[0].AddedBy != "ann (U1)" {
		t.Errorf("follow: watches %+v, want case:8:25-cv-951 added by ann", ws)
	}
	if n := buttonPresses(t, db); n != 4 {
		t.Errorf("audit: %d button presses, want 4", n)
	}
}

// TestInteractionsRefused: a press whose signature is forged or stale gets
// 401 and does nothing; a signed press replayed is acked and not run
// again; a press in a channel where the thread was never posted is
// refused with a message.
func TestInteractionsRefused(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	s := mustSlack(t, fk, apiURL, nil, nil)
	cmds, db := realCommands(t)
	h := s.InteractionsHandler(cmds)
	respURL := strings.TrimSuffix(apiURL, "/") + "/respond/T1/1/abc"
	const key = "case:mdd:8:25-cv-00951"
	now := time.Now()
	if err := db.SaveThread(wirewatch.Thread{Key: key, To: "slack:C1", Ref: "1.0", TopRef: "1.0", Title: "Abrego Garcia v. Noem", Started: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	mute := button{ActionID: actionPrefix + "0", Value: "mute:" + key}
	form := pressForm(t, mute, "C1", respURL, false)

	forged := signed(t, form, now)
	forged.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64))
	unsigned := signed(t, form, now)
	unsigned.Header.Del("X-Slack-Signature")
	for name, r := range map[string]*http.Request{
		"forged":   forged,
		"unsigned": unsigned,
		"stale":    signed(t, form, now.Add(-6*time.Minute)),
		"future":   signed(t, form, now.Add(6*time.Minute)),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: got %d, want 401", name, w.Code)
		}
	}
	s.Close() // waits for anything the handler started
	if muted, _ := db.Muted("slack:C1", key); muted || buttonPresses(t, db) != 0 || len(fk.Replies()) != 0 {
		t.Fatalf("after refused requests: muted %v, %d presses audited, %d answers; want no effect", muted, buttonPresses(t, db), len(fk.Replies()))
	}

	s = mustSlack(t, fk, apiURL, nil, nil)
	h = s.InteractionsHandler(cmds)
	signedAt := now.Add(-time.Minute)
	for range 2 { // the same bytes, the same signature
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, form, signedAt))
		if w.Code != http.StatusOK {
			t.Fatalf("got %d, want 200", w.Code)
		}
	}
	// Pressed where the thread never was: refused, with a message.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, pressForm(t, mute, "C2", respURL, false), now))
	waitReplies(t, fk, 2)
	s.Close()
	if n := buttonPresses(t, db); n != 2 {
		t.Errorf("audit: %d presses, want 2 (the replay not run)", n)
	}
	if muted, _ := db.Muted("slack:C2", key); muted {
		t.Error("C2: muted a thread never posted there")
	}
	replies := fk.Replies()
	if len(replies) != 2 {
		t.Fatalf("answers: got %v, want 2", replies)
	}
	var refused bool
	for _, r := range replies {
		refused = refused || strings.Contains(r["text"].(string), "no such thread in this channel")
	}
	if !refused {
		t.Errorf("answers %v: want one saying the thread is not this channel's", replies)
	}
}

// TestSocketModeButton: a press over Socket Mode is acked at once, carried
// out once (Slack's redelivery of the envelope is not), and answered
// through its response_url.
func TestSocketModeButton(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	cmds, db := realCommands(t)
	const key = "case:mdd:8:25-cv-00951"
	now := time.Now()
	if err := db.SaveThread(wirewatch.Thread{Key: key, To: "slack:C1", Ref: "1.0", TopRef: "1.0", Title: "Abrego Garcia v. Noem", Started: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	json.Unmarshal([]byte(pressForm(t, button{ActionID: actionPrefix + "0", Value: "mute:" + key}, "C1", strings.TrimSuffix(apiURL, "/")+"/respond/1", false).Get("payload")), &payload)
	envelope := map[string]any{"envelope_id": "env-b", "type": "interactive", "accepts_response_payload": false, "payload": payload}
	acks := make(chan map[string]any, 10)
	fk.Socket = func(conn *websocket.Conn) {
		conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		conn.WriteJSON(envelope)
		conn.WriteJSON(envelope)
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(b, &m) == nil {
				acks <- m
			}
		}
	}
	s := mustSlack(t, fk, apiURL, nil, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.RunSocketMode(ctx, cmds) }()
	for i := range 2 {
		select {
		case ack := <-acks:
			if ack["envelope_id"] != "env-b" {
				t.Errorf("ack %d: %v, want env-b", i, ack)
			}
		case err := <-done:
			t.Fatalf("RunSocketMode returned early: %v", err)
		case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("got %d acks within 20s, want 2", i)
		}
	}
	waitReplies(t, fk, 1)
	cancel()
	<-done
	s.Close()
	if muted, _ := db.Muted("slack:C1", key); !muted {
		t.Error("not muted")
	}
	if n := buttonPresses(t, db); n != 1 {
		t.Errorf("audit: %d presses, want 1 (the redelivery not run)", n)
	}
	if r := fk.Replies(); len(r) != 1 || !strings.Contains(r[0]["text"].(string), "Muted Abrego Garcia v. Noem") {
		t.Errorf("answers: %v, want the mute's", r)
	}
}

// TestCardButtonsWithinLimits: the buttons never push a card past Slack's
// limits: the most blocks, the button text and value bounds, labels as
// plain text (no markup, no mention).
func TestCardButtonsWithinLimits(t *testing.T) {
	fk := newFakeSlack(t)
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	long := strings.Repeat("<!channel> & ", 40)
	a := wirewatch.Alert{To: "slack:C1", Thread: "watch:w1:2026-11-22", Title: long, Summary: long,
		Watches: []string{long, long, long, long}, WatchIDs: []string{"w1", "w2", "w3", "w4"}, Mentions: "8:25-cv-951",
		Docket: nil}
	bl := s.topBlocks(long, &a)
	if len(bl) > maxBlocks {
		t.Fatalf("%d blocks, over %d", len(bl), maxBlocks)
	}
	raw, _ := json.Marshal(bl)
	bs := buttons(t, string(raw))
	if len(bs) != 5 { // mute, three stops, follow
		t.Fatalf("buttons: got %d, want 5", len(bs))
	}
	seen := map[string]bool{}
	for i, b := range bs {
		if b.Text.Type != "plain_text" || len([]rune(b.Text.Text)) > maxButtonText || len(b.Value) > maxButtonVal {
			t.Errorf("button %d: %+v, want plain_text within the limits", i, b)
		}
		if seen[b.ActionID] {
			t.Errorf("action_id %s twice in one message", b.ActionID)
		}
		seen[b.ActionID] = true
		if b.ActionID != actionPrefix+strconv.Itoa(i) {
			t.Errorf("button %d: action_id %s", i, b.ActionID)
		}
	}
}

var _ wirewatch.Clicker = (*bot.Commands)(nil)
