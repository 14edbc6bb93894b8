package discord

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

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

// realCommands are the bot's own commands on a real store.
func realCommands(t *testing.T) (*bot.Commands, *store.DB) {
	t.Helper()
	db := openStore(t)
	return &bot.Commands{DB: db, List: bot.NewWatchlist(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, db
}

var addXinis = commandJSON(int64(discordgo.PermissionManageChannels|discordgo.PermissionSendMessages),
	`{"type":1,"name":"add","options":[{"type":3,"name":"query","value":"Xinis"}]}`)

// TestInteractionReplay: the same signed interaction (one id) posted twice
// within the signature window adds one watch; the copy is answered that it
// was already handled. Before, each copy added a watch.
func TestInteractionReplay(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, func(o *Options) { o.PublicKey = vectorPublicKey })
	cmds, db := realCommands(t)
	h := d.InteractionsHandler(cmds)

	// postInteraction gives every post a new id: post the same bytes.
	at := time.Now().Add(-time.Minute)
	post := func(body string) discordgo.InteractionResponse {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, testKey(), at, body))
		if w.Code != 200 {
			t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
		}
		var resp discordgo.InteractionResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		return resp
	}
	first := post(addXinis)
	if first.Data == nil || !strings.Contains(first.Data.Content, "Added watch w1") {
		t.Fatalf("first delivery: got %+v, want the watch added", first.Data)
	}
	again := post(addXinis)
	if again.Type != discordgo.InteractionResponseChannelMessageWithSource || again.Data == nil ||
		again.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(again.Data.Content, "already handled") {
		t.Errorf("replayed interaction: got %+v, want an ephemeral 'already handled'", again.Data)
	}
	if ws, err := db.Watches(); err != nil || len(ws) != 1 {
		t.Fatalf("watches after a replay: got %d (%v), want 1", len(ws), err)
	}

	// Another interaction (another id) with the same command runs.
	other := strings.Replace(addXinis, `"id":"111"`, `"id":"112"`, 1)
	if r := post(other); r.Data == nil || !strings.Contains(r.Data.Content, "Added watch w2") {
		t.Errorf("a new interaction: got %+v, want a second watch", r.Data)
	}
}

// logLines sends each line logged to a channel.
type logLines chan string

func (l logLines) Write(p []byte) (int, error) {
	select {
	case l <- string(p):
	default: // the test reads what it needs; never block the adapter
	}
	return len(p), nil
}

// TestGatewayInteractionReplay: an interaction the gateway delivers twice
// (as on a resume) is run and answered once.
func TestGatewayInteractionReplay(t *testing.T) {
	f := newFake(t)
	f.Dispatch(addXinis, addXinis)
	logs := make(logLines, 100)
	d := f.adapter(t, func(o *Options) {
		o.Gateway = true
		o.GuildID = "222"
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	cmds, db := realCommands(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, cmds) }()

	// Wait for the copy to be recognised (a hang guard, not a timing
	// assertion: before the fix it never was).
	guard := time.After(10 * time.Second)
	for seen := false; !seen; {
		select {
		case line := <-logs:
			seen = strings.Contains(line, "already handled")
		case <-guard:
			t.Fatal("the second delivery of interaction 111 was not recognised")
		}
	}
	select {
	case <-f.Callbacks:
	case <-guard:
		t.Fatal("no interaction callback")
	}
	cancel()
	<-done
	if n := len(f.Requests("POST", "/api/v9/interactions/111/")); n != 1 {
		t.Errorf("got %d callbacks for interaction 111, want 1", n)
	}
	if ws, err := db.Watches(); err != nil || len(ws) != 1 {
		t.Errorf("watches after a redelivered interaction: got %d (%v), want 1", len(ws), err)
	}
}

// TestInteractionReplayAfterRestart: a signed interaction replayed within
// its window after a restart (the store closed and reopened, a new
// adapter) is refused as already handled, and adds no second watch.
// Before, the adapter's memory was the only record and the copy ran.
func TestInteractionReplayAfterRestart(t *testing.T) {
	f := newFake(t)
	path := filepath.Join(t.TempDir(), "ww.db")
	at := time.Now().Add(-time.Minute)

	run := func(db *store.DB) string {
		t.Helper()
		d := f.adapter(t, func(o *Options) {
			o.PublicKey = vectorPublicKey
			o.Replays = db.ReplayKeys("discord:")
		})
		cmds := &bot.Commands{DB: db, List: bot.NewWatchlist(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		w := httptest.NewRecorder()
		d.InteractionsHandler(cmds).ServeHTTP(w, signed(t, testKey(), at, addXinis))
		if w.Code != 200 {
			t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
		}
		var resp discordgo.InteractionResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Data == nil {
			t.Fatalf("no reply data: %+v", resp)
		}
		return resp.Data.Content
	}
	open := func() *store.DB {
		t.Helper()
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}

	db := open()
	if got := run(db); !strings.Contains(got, "Added watch w1") {
		t.Fatalf("first delivery: got %q, want the watch added", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = open() // the restart
	defer db.Close()
	if got := run(db); !strings.Contains(got, "already handled") {
		t.Errorf("interaction replayed after a restart: got %q, want it refused as already handled", got)
	}
	if ws, err := db.Watches(); err != nil || len(ws) != 1 {
		t.Fatalf("watches after a replay across a restart: got %d (%v), want 1", len(ws), err)
	}
}
