package bot_test

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/store"
)

// liveBlog is a live blog's feed: distinct GUIDs, links that differ only
// by their fragment (so one canonical link for all).
const liveBlog = `<rss version="2.0"><channel><title>Harbor Live</title>
<item><title>Hearing opens on the dredging permit</title><link>https://harbor.example/live#post-1</link><guid isPermaLink="false">p1</guid><pubDate>Sun, 22 Nov 2026 15:00:00 GMT</pubDate></item>
<item><title>Dredging: first witness</title><link>https://harbor.example/live#post-2</link><guid isPermaLink="false">p2</guid><pubDate>Sun, 22 Nov 2026 15:40:00 GMT</pubDate></item>
<item><title>Dredging permit approved</title><link>https://harbor.example/live#post-3</link><guid isPermaLink="false">p3</guid><pubDate>Sun, 22 Nov 2026 18:05:00 GMT</pubDate></item>
</channel></rss>`

// TestPipelineDistinctItemsSharingALink: items of one feed with distinct
// GUIDs are distinct however their links compare; an item of another feed
// with the same canonical link is the same story, said at debug level and
// counted.
func TestPipelineDistinctItemsSharingALink(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	m := bot.NewMetrics(reg, func() map[wirewatch.Destination]int { return nil })
	merged := func() float64 {
		t.Helper()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "wirewatch_items_merged_total" {
				return mf.GetMetric()[0].GetCounter().GetValue()
			}
		}
		t.Fatal("no wirewatch_items_merged_total")
		return 0
	}
	wl := bot.NewWatchlist()
	if err := wl.Set(wirewatch.Watch{ID: "w1", Query: "dredging", To: []wirewatch.Destination{"stdout"}}); err != nil {
		t.Fatal(err)
	}
	p := &bot.Pipeline{DB: db, Watches: wl, Location: time.UTC, Metrics: m,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}

	live := wirewatch.Feed{ID: "cfg-live", URL: "https://harbor.example/live.rss", Type: wirewatch.FeedRSS}
	parsed, err := feeds.Parse(t.Context(), []byte(liveBlog), live, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Items) != 3 || parsed.Items[0].Key() != parsed.Items[2].Key() {
		t.Fatalf("fixture: want 3 items with one canonical link, got %+v", parsed.Items)
	}
	if err := p.Commit(t.Context(), live, wirewatch.FeedState{}, parsed.Items, false); err != nil {
		t.Fatal(err)
	}
	pending := func() []string {
		t.Helper()
		got, err := db.Pending("stdout", 100)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, a := range got {
			titles = append(titles, a.Title)
		}
		return titles
	}
	want := "Hearing opens on the dredging permit|Dredging: first witness|Dredging permit approved"
	if got := strings.Join(pending(), "|"); got != want {
		t.Fatalf("alerts %q, want one per post, each its own: %q", got, want)
	}

	// The next poll of the same document alerts nothing more.
	if err := p.Commit(t.Context(), live, wirewatch.FeedState{}, parsed.Items, false); err != nil {
		t.Fatal(err)
	}
	if n := len(pending()); n != 3 {
		t.Fatalf("after a second poll: %d alerts, want still 3", n)
	}

	// A wire feed links the same page: the same story, not alerted again.
	wire := wirewatch.Feed{ID: "cfg-wire", URL: "https://wire.example/rss"}
	recap := []wirewatch.Item{{ID: "w-9", FeedID: wire.ID, Title: "Dredging hearing recap",
		Link: feeds.Canonical("https://harbor.example/live?utm_source=wire#top")}}
	if err := p.Commit(t.Context(), wire, wirewatch.FeedState{}, recap, false); err != nil {
		t.Fatal(err)
	}
	if n := len(pending()); n != 3 {
		t.Fatalf("after the wire's recap: %d alerts, want still 3", n)
	}
	if got := merged(); got != 1 {
		t.Errorf("wirewatch_items_merged_total = %v, want 1", got)
	}
	log := logs.String()
	for _, s := range []string{"feed=cfg-wire", "id=w-9", "with_feed=cfg-live", "with_id=p1", "link=https://harbor.example/live"} {
		if !strings.Contains(log, s) {
			t.Errorf("debug log lacks %q:\n%s", s, log)
		}
	}
	// Said once: polling the wire again is quiet.
	logs.Reset()
	if err := p.Commit(t.Context(), wire, wirewatch.FeedState{}, recap, false); err != nil {
		t.Fatal(err)
	}
	if merged() != 1 || strings.Contains(logs.String(), "with_feed") {
		t.Errorf("a merge was said again on the next poll: %s", logs.String())
	}

	// A new post on the live blog still alerts.
	more := append([]wirewatch.Item{{ID: "p4", FeedID: live.ID, Title: "Dredging starts in March",
		Link: "https://harbor.example/live", Published: parsed.Items[2].Published.Add(time.Hour)}}, parsed.Items...)
	if err := p.Commit(t.Context(), live, wirewatch.FeedState{}, more, false); err != nil {
		t.Fatal(err)
	}
	if got := pending(); len(got) != 4 || got[3] != "Dredging starts in March" {
		t.Fatalf("after a fourth post: %q, want it alerted", got)
	}
}

// TestPipelineBackfillLiveBlog: on a feed's first poll, the newest Backfill
// items alert, counted per item, not per shared link.
func TestPipelineBackfillLiveBlog(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wl := bot.NewWatchlist()
	if err := wl.Set(wirewatch.Watch{ID: "w1", Query: "dredging", To: []wirewatch.Destination{"stdout"}}); err != nil {
		t.Fatal(err)
	}
	p := &bot.Pipeline{DB: db, Watches: wl, Location: time.UTC, Log: slog.New(slog.DiscardHandler)}
	live := wirewatch.Feed{ID: "cfg-live", URL: "https://harbor.example/live.rss", Type: wirewatch.FeedRSS, Backfill: 1}
	parsed, err := feeds.Parse(t.Context(), []byte(liveBlog), live, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(t.Context(), live, wirewatch.FeedState{}, parsed.Items, true); err != nil {
		t.Fatal(err)
	}
	got, err := db.Pending("stdout", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Title != "Dredging permit approved" {
		t.Fatalf("backfill 1: got %+v, want only the newest post", got)
	}
}
