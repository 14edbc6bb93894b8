package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

func newCommands(db *store.DB, configFeeds ...wirewatch.Feed) (*bot.Commands, *int) {
	changed := 0
	return &bot.Commands{DB: db, List: bot.NewWatchlist(), ConfigFeeds: configFeeds, Location: time.UTC,
		Log: quietLog(), FeedsChanged: func() { changed++ }}, &changed
}

// seen records items as a poll of feed id would, so they are among the
// recent items /watch test reads.
func seen(tb testing.TB, db *store.DB, feed string, items ...wirewatch.Item) {
	tb.Helper()
	if _, err := db.Ingest(feed, nil, items, func(wirewatch.Item) []wirewatch.Alert { return nil }); err != nil {
		tb.Fatal(err)
	}
}

// TestWatchTestCommand: /watch test QUERY answers with the recent items the
// query matches (at most 5 listed, the count of all), posts nothing and
// saves nothing; a bad query is refused with its position.
func TestWatchTestCommand(t *testing.T) {
	db := openStore(t)
	var items []wirewatch.Item
	for i := range 7 {
		items = append(items, wirewatch.Item{ID: fmt.Sprint("x", i), Title: fmt.Sprintf("Judge Xinis hearing %d", i),
			Link: fmt.Sprintf("https://news.example/x%d", i), Published: time.Date(2026, 11, 22, 10, i, 0, 0, time.UTC), Feed: "News"})
	}
	items = append(items, wirewatch.Item{ID: "other", Title: "Weather report", Link: "https://news.example/weather", Feed: "News"})
	seen(t, db, "cfg-1", items...)
	s, _ := newCommands(db)
	ch := wirewatch.Destination("slack:C1")

	r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdTest, Arg: "Xinis", Channel: ch, User: "U1"})
	if r.Refused {
		t.Fatalf("test: refused: %s", r.Text)
	}
	lines := strings.Split(r.Text, "\n")
	if !strings.HasPrefix(lines[0], "7 of the 8 most recent items match Xinis; the first 5:") {
		t.Errorf("test: got head %q, want the count of matches among the recent items", lines[0])
	}
	if len(lines) != 6 {
		t.Errorf("test: got %d lines, want the head and 5 items:\n%s", len(lines), r.Text)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, "Judge Xinis hearing") || !strings.Contains(l, "matched: Xinis") || strings.Contains(l, "Weather") {
			t.Errorf("test: line %q, want a matching item with its matched term", l)
		}
	}

	r = s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdTest, Arg: "Bukele", Channel: ch})
	if r.Refused || r.Text != "None of the 8 most recent items matches Bukele." {
		t.Errorf("test with no match: got %+v", r)
	}
	r = s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdTest, Arg: "(Xinis", Channel: ch})
	if !r.Refused || !strings.Contains(r.Text, "does not parse") {
		t.Errorf("test with a bad query: got %+v, want refused, saying it does not parse", r)
	}
	// Nothing was saved or queued.
	if ws, err := db.Watches(); err != nil || len(ws) != 0 {
		t.Errorf("watches after test: %v (err %v), want none", ws, err)
	}
	if d, err := db.Depths(); err != nil || len(d) != 0 {
		t.Errorf("outbox after test: %v (err %v), want empty", d, err)
	}
}

// TestFeedListCommand: feed list shows the config file's feeds and the
// store's, with the feed's own title when it has no name, and a failing
// feed's error count and last error.
func TestFeedListCommand(t *testing.T) {
	db := openStore(t)
	s, _ := newCommands(db, wirewatch.Feed{ID: "cfg-1", URL: "https://cfg.example/rss", Name: "From the file"})
	r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdFeedList, Channel: "slack:C1"})
	if r.Refused || r.Text != "cfg-1 · From the file · https://cfg.example/rss" {
		t.Errorf("feed list with the file's feed: got %+v", r)
	}

	added, err := db.AddFeed(wirewatch.Feed{URL: "https://chat.example/feed", AddedBy: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutFeedState(added.ID, wirewatch.FeedState{Title: "Chat Feed", Errors: 3, LastError: "HTTP 503"}); err != nil {
		t.Fatal(err)
	}
	r = s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdFeedList, Channel: "slack:C1"})
	want := "cfg-1 · From the file · https://cfg.example/rss\n" +
		added.ID + " · Chat Feed · https://chat.example/feed · failing (3 in a row: HTTP 503)"
	if r.Refused || r.Text != want {
		t.Errorf("feed list: got %q, want %q", r.Text, want)
	}

	empty, _ := newCommands(openStore(t))
	if r := empty.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdFeedList}); r.Refused || !strings.Contains(r.Text, "No feeds yet") {
		t.Errorf("feed list with no feeds: got %+v", r)
	}
}

// TestFeedDropCommand: feed drop removes a feed added at run time, tells
// the poller, and leaves an audit entry; it refuses the config file's feeds,
// unknown ids, and users who may not manage feeds.
func TestFeedDropCommand(t *testing.T) {
	db := openStore(t)
	s, changed := newCommands(db, wirewatch.Feed{ID: "cfg-1", URL: "https://cfg.example/rss"})
	f, err := db.AddFeed(wirewatch.Feed{URL: "https://chat.example/feed", Name: "Chat Feed", AddedBy: "U1"})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		c    wirewatch.Command
		want string
	}{
		{"not an admin", wirewatch.Command{Verb: wirewatch.CmdFeedDrop, Arg: f.ID, User: "U2"}, "only this workspace's wirewatch admins"},
		{"config feed", wirewatch.Command{Verb: wirewatch.CmdFeedDrop, Arg: "cfg-1", User: "U1", MayManageFeeds: true}, "defined in the config file"},
		{"unknown id", wirewatch.Command{Verb: wirewatch.CmdFeedDrop, Arg: "f999", User: "U1", MayManageFeeds: true}, `no feed "f999"`},
	} {
		if r := s.Command(t.Context(), tc.c); !r.Refused || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s: got %+v, want refused with %q", tc.name, r, tc.want)
		}
	}
	if *changed != 0 {
		t.Errorf("refused drops told the poller %d times", *changed)
	}

	r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdFeedDrop, Arg: " " + f.ID + " ", User: "U1", MayManageFeeds: true})
	if r.Refused || r.Text != fmt.Sprintf("Dropped feed %s: https://chat.example/feed.", f.ID) {
		t.Fatalf("drop: got %+v", r)
	}
	if *changed != 1 {
		t.Errorf("poller told %d times, want once", *changed)
	}
	if fs, err := db.Feeds(); err != nil || len(fs) != 0 {
		t.Errorf("feeds after drop: %v (err %v), want none", fs, err)
	}
	audit, err := db.Audit(10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		if e.Action == "feed drop" && e.ID == f.ID && e.User == "U1" && e.Detail == "https://chat.example/feed" {
			found = true
		}
	}
	if !found {
		t.Errorf("audit trail %+v: no feed drop of %s by U1", audit, f.ID)
	}
	if r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdFeedDrop, Arg: f.ID, User: "U1", MayManageFeeds: true}); !r.Refused {
		t.Errorf("second drop: got %+v, want refused", r)
	}
}
