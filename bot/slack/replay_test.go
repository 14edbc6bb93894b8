package slack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

// realCommands are the bot's own commands on a real store.
func realCommands(t *testing.T) (*bot.Commands, *store.DB) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &bot.Commands{DB: db, List: bot.NewWatchlist(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, db
}

// TestCommandsHandlerReplay: the same signed slash command sent twice
// within its 5-minute window adds one watch; the copy is answered that it
// was already handled. Before, each copy added a watch.
func TestCommandsHandlerReplay(t *testing.T) {
	fk := newFakeSlack(t)
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	cmds, db := realCommands(t)
	h := s.CommandsHandler(cmds)
	form := commandForm(`add "Abrego Garcia" OR Xinis`, "https://hooks.slack.com/commands/T1/1/x")
	at := time.Now().Add(-time.Minute)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, form, at))
	if e := decodeReply(t, w); !strings.Contains(e.Text, "Added watch w1") {
		t.Fatalf("first request: got %q, want the watch added", e.Text)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, form, at)) // the same bytes, the same signature
	if e := decodeReply(t, w); !strings.Contains(e.Text, "already handled") {
		t.Errorf("replayed request: got %q, want it refused as already handled", e.Text)
	}
	if ws, err := db.Watches(); err != nil || len(ws) != 1 {
		t.Fatalf("watches after a replay: got %d (%v), want 1", len(ws), err)
	}

	// The same text typed again is a new request (another timestamp,
	// another signature): it runs.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, form, at.Add(time.Second)))
	if e := decodeReply(t, w); !strings.Contains(e.Text, "Added watch w2") {
		t.Errorf("a new request: got %q, want a second watch", e.Text)
	}
}

// TestSocketModeReplay: an envelope Slack delivers twice (the same
// envelope_id) runs once; the copy is acked with the "already handled"
// answer, so Slack stops resending.
func TestSocketModeReplay(t *testing.T) {
	fk := newFakeSlack(t)
	acks := make(chan map[string]any, 10)
	envelope := map[string]any{
		"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"command": "/watch", "text": "add acme", "channel_id": "C1", "user_id": "U1",
			"user_name": "ed", "response_url": "https://hooks.slack.com/commands/T1/1/x"},
	}
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
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	cmds, db := realCommands(t)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.RunSocketMode(ctx, cmds) }()
	var texts []string
	for len(texts) < 2 {
		select {
		case ack := <-acks:
			if ack["envelope_id"] != "env-1" {
				t.Fatalf("ack for %v, want env-1", ack["envelope_id"])
			}
			p, _ := ack["payload"].(map[string]any)
			text, _ := p["text"].(string)
			texts = append(texts, text)
		case err := <-done:
			t.Fatalf("RunSocketMode returned early: %v", err)
		case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
			t.Fatalf("got %d acks within 20s, want 2", len(texts))
		}
	}
	cancel()
	<-done
	joined := strings.Join(texts, " | ")
	if !strings.Contains(joined, "Added watch w1") || !strings.Contains(joined, "already handled") {
		t.Errorf("acks: got %q, want one adding the watch and one saying already handled", joined)
	}
	if ws, err := db.Watches(); err != nil || len(ws) != 1 {
		t.Errorf("watches after a redelivered envelope: got %d (%v), want 1", len(ws), err)
	}
}

// openStoreAt opens the bbolt file at path; the caller closes it.
func openStoreAt(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestCommandsHandlerReplayAfterRestart: a signed slash command replayed
// within its window after a restart (the store closed and reopened, a new
// adapter) is refused as already handled, and adds no second watch.
// Before, the adapter's memory was the only record and the copy ran.
func TestCommandsHandlerReplayAfterRestart(t *testing.T) {
	fk := newFakeSlack(t)
	api := fk.startHTTP(t)
	path := filepath.Join(t.TempDir(), "ww.db")
	form := commandForm(`add "Abrego Garcia" OR Xinis`, "https://hooks.slack.com/commands/T1/1/x")
	at := time.Now().Add(-time.Minute)

	run := func(db *store.DB) string {
		t.Helper()
		s := New(Options{APIURL: api, BotToken: fk.Token, SigningSecret: "shh-signing-secret",
			TimeZone: time.UTC, PostEvery: time.Millisecond, EditEvery: time.Millisecond,
			Replays: db.ReplayKeys("slack:")})
		defer s.Close()
		cmds := &bot.Commands{DB: db, List: bot.NewWatchlist(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		w := httptest.NewRecorder()
		s.CommandsHandler(cmds).ServeHTTP(w, signed(t, form, at))
		return decodeReply(t, w).Text
	}

	db := openStoreAt(t, path)
	if got := run(db); !strings.Contains(got, "Added watch w1") {
		t.Fatalf("first request: got %q, want the watch added", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openStoreAt(t, path) // the restart
	defer db.Close()
	if got := run(db); !strings.Contains(got, "already handled") {
		t.Errorf("request replayed after a restart: got %q, want it refused as already handled", got)
	}
	if ws, err := db.Watches(); err != nil || len(ws) != 1 {
		t.Fatalf("watches after a replay across a restart: got %d (%v), want 1", len(ws), err)
	}
}
