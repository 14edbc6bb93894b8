package bot_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

// openStore opens a real bbolt file in a temporary folder.
func openStore(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// kicks counts the dispatcher wake-ups the pipeline asks for.
type kicks struct{ n atomic.Int32 }

func (k *kicks) Kick() { k.n.Add(1) }

func mustWatchlist(tb testing.TB, ws ...wirewatch.Watch) *bot.Watchlist {
	tb.Helper()
	wl := bot.NewWatchlist()
	for _, w := range ws {
		if err := wl.Set(w); err != nil {
			tb.Fatal(err)
		}
	}
	return wl
}

// TestPipelineIngestWebhookItems: items pushed by a webhook (no feed state,
// no seeding) are recorded and alert at once; each is named after the feed
// and given a time when it has none; the same push again alerts nothing.
func TestPipelineIngestWebhookItems(t *testing.T) {
	db := openStore(t)
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	k := &kicks{}
	p := &bot.Pipeline{
		DB: db, Location: time.UTC, Dispatcher: k, Log: quietLog(), Now: func() time.Time { return now },
		Watches: mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: "Xinis", To: []wirewatch.Destination{"stdout", "slack:C1"}}),
	}
	hook := wirewatch.Feed{ID: "courtlistener-webhook", Name: "CourtListener alerts"}
	items := []wirewatch.Item{
		{ID: "e-51", Title: "Order by Judge Xinis", Link: "https://www.courtlistener.com/docket/69777799/#entry-51",
			Published: now.Add(-time.Hour)},
		{ID: "e-52", Title: "Scheduling notice", Link: "https://www.courtlistener.com/docket/69777799/#entry-52"},
	}
	if err := p.Ingest(t.Context(), hook, append([]wirewatch.Item(nil), items...)); err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	for _, dest := range []wirewatch.Destination{"stdout", "slack:C1"} {
		got, err := db.Pending(dest, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%s: got %d alerts, want 1 (the item naming Xinis)", dest, len(got))
		}
		if a := got[0]; a.Title != "Order by Judge Xinis" || a.Source != "CourtListener alerts" || len(a.Watches) != 1 {
			t.Errorf("%s: got alert %+v, want the order, from the feed's name, for one watch", dest, a)
		}
	}
	if n := k.n.Load(); n != 1 {
		t.Errorf("dispatcher woken %d times, want 1", n)
	}
	recent, err := db.Recent(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 {
		t.Fatalf("recent items: got %d, want both pushed items", len(recent))
	}
	for _, it := range recent {
		if it.Feed != "CourtListener alerts" {
			t.Errorf("item %s: feed %q, want the feed's name", it.ID, it.Feed)
		}
		if it.ID == "e-52" && !it.Published.Equal(now) {
			t.Errorf("item without a time: published %v, want the time it arrived (%v)", it.Published, now)
		}
	}

	// A webhook delivered twice (retries are common) alerts once.
	if err := p.Ingest(t.Context(), hook, append([]wirewatch.Item(nil), items...)); err != nil {
		t.Fatalf("second Ingest: %v", err)
	}
	if d, err := db.Depths(); err != nil || d["stdout"] != 1 || d["slack:C1"] != 1 {
		t.Errorf("after the same push again: depths %v (err %v), want 1 each", d, err)
	}
	if n := k.n.Load(); n != 1 {
		t.Errorf("dispatcher woken %d times after a push with nothing new, want still 1", n)
	}
}

// TestPipelineIngestThenPollAlertsOnce: an entry pushed by a webhook and then
// read again in a feed's poll is one item: it alerts once.
func TestPipelineIngestThenPollAlertsOnce(t *testing.T) {
	db := openStore(t)
	p := &bot.Pipeline{DB: db, Location: time.UTC, Log: quietLog(),
		Watches: mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: "Xinis", To: []wirewatch.Destination{"stdout"}})}
	it := wirewatch.Item{ID: "x", Title: "Xinis orders a hearing", Link: "https://news.example/xinis-hearing", Published: time.Now()}
	if err := p.Ingest(t.Context(), wirewatch.Feed{ID: "hook", Name: "Hook"}, []wirewatch.Item{it}); err != nil {
		t.Fatal(err)
	}
	poll := wirewatch.Feed{ID: "cfg-1", Name: "News"}
	// Not the feed's first poll (that one would only seed).
	if err := p.Commit(t.Context(), poll, wirewatch.FeedState{Seeded: true}, []wirewatch.Item{it}, false); err != nil {
		t.Fatal(err)
	}
	if d, err := db.Depths(); err != nil || d["stdout"] != 1 {
		t.Errorf("depths %v (err %v), want one alert for the item pushed and polled", d, err)
	}
}
