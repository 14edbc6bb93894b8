package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wirewatch/wirewatch"
)

// TestSocketModeCommand runs a real slash command end to end over a local
// Socket Mode stand-in: apps.connections.open, hello, a disconnect that
// makes the client reconnect, then a command envelope and its ack.
func TestSocketModeCommand(t *testing.T) {
	fk := newFakeSlack(t)
	acks := make(chan map[string]any, 10)
	var sessions atomic.Int32
	fk.Socket = func(conn *websocket.Conn) {
		n := sessions.Add(1)
		conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		if n == 1 {
			conn.WriteJSON(map[string]any{"type": "disconnect", "reason": "refresh_requested"})
			// Slack closes the socket after a disconnect; wait for the
			// client to do so.
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}
		conn.WriteJSON(map[string]any{
			"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
			"payload": map[string]any{"command": "/watch", "text": "add <!here> acme", "channel_id": "C1", "user_id": "U1",
				"user_name": "ed", "response_url": "https://hooks.slack.com/commands/T1/1/x"},
		})
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
	c := newFakeCommander("Added watch w7")

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.RunSocketMode(ctx, c) }()

	var ack map[string]any
	select {
	case ack = <-acks:
	case err := <-done:
		t.Fatalf("RunSocketMode returned early: %v", err)
	case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("no ack within 20s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunSocketMode after cancel: %v", err)
	}

	want := map[string]any{"envelope_id": "env-1", "payload": map[string]any{
		"response_type": "ephemeral", "text": "Added watch w7 (add &lt;!here&gt; acme)"}}
	gb, _ := json.Marshal(ack)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("got ack %s, want %s", gb, wb)
	}
	if n := sessions.Load(); n != 2 {
		t.Errorf("got %d websocket sessions, want 2 (a reconnect after disconnect)", n)
	}
	cmds := c.commands()
	want2 := wirewatch.Command{Verb: "add", Arg: "<!here> acme", Channel: "slack:C1", User: "ed (U1)", MayManageFeeds: true}
	if len(cmds) != 1 || cmds[0] != want2 {
		t.Errorf("got %+v, want %+v", cmds, want2)
	}
}

func TestSocketModeBadAppToken(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	s := mustSlack(t, fk, apiURL, nil, nil)
	fk.AppToken = "xapp-1-other"
	err := s.RunSocketMode(t.Context(), newFakeCommander("x"))
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("got %v, want invalid_auth", err)
	}
	if strings.Contains(err.Error(), "xapp-1-test-secret") {
		t.Errorf("error shows the app token: %v", err)
	}

	s2 := New(Options{})
	if err := s2.RunSocketMode(t.Context(), newFakeCommander("x")); err == nil {
		t.Error("RunSocketMode without an app token: got nil, want an error")
	}
}
