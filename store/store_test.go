package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// MustOpen opens a store in a temporary folder, closed at cleanup.
func MustOpen(tb testing.TB, now func() time.Time) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), "ww.db"), Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// reopen closes db and opens its file again, as a restart does; the new
// handle is closed at cleanup.
func reopen(tb testing.TB, db *DB) *DB {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	again, err := Open(db.path, Options{Now: db.now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { again.Close() })
	return again
}

func item(n int) wirewatch.Item {
	return wirewatch.Item{ID: fmt.Sprint(n), FeedID: "cfg-1", Title: fmt.Sprintf("item %d", n), Link: fmt.Sprintf("https://news.example/%d", n)}
}

func TestOpenModeAndLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ww.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode: got %o, want 600", got)
	}
	_, err = Open(path, Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Errorf("second open: got %v, want ErrLocked naming the file", err)
	}
}

func TestIngestDedupAndOutbox(t *testing.T) {
	db := MustOpen(t, nil)
	to := wirewatch.Destination("slack:C1")
	alerts := func(it wirewatch.Item) []wirewatch.Alert {
		if strings.HasSuffix(it.Title, "2") {
			return nil
		}
		return []wirewatch.Alert{{To: to, Title: it.Title, Thread: "t"}, {To: wirewatch.Stdout, Title: it.Title}}
	}
	st := &wirewatch.FeedState{Seeded: true, ETag: `"v1"`}
	res, err := db.Ingest("cfg-1", st, []wirewatch.Item{item(1), item(2), item(3)}, alerts)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 3 || res.Alerts[to] != 2 || res.Alerts[wirewatch.Stdout] != 2 {
		t.Fatalf("first ingest: got %+v", res)
	}
	// Same items again, one new: only the new one counts.
	res, err = db.Ingest("cfg-1", st, []wirewatch.Item{item(1), item(2), item(3), item(4)}, alerts)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 1 || res.Alerts[to] != 1 {
		t.Fatalf("second ingest: got %+v", res)
	}
	// The same story from another feed is the same item.
	other := item(4)
	other.FeedID, other.ID = "cfg-2", "guid-elsewhere"
	if res, _ := db.Ingest("cfg-2", nil, []wirewatch.Item{other}, alerts); res.New != 0 {
		t.Errorf("same link in another feed: got %d new, want 0", res.New)
	}
	pend, err := db.Pending(to, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != 3 || pend[0].Title != "item 1" || pend[2].Title != "item 4" {
		t.Fatalf("pending: got %+v", pend)
	}
	got, _ := db.FeedState("cfg-1")
	if got.ETag != `"v1"` || !got.Seeded {
		t.Errorf("feed state: got %+v", got)
	}

	// Deliver one, park one: the outbox shrinks, the thread is kept.
	if err := db.Delivered(pend[0], wirewatch.Thread{Ref: "123.456", Count: 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.Park(pend[1], "channel_not_found"); err != nil {
		t.Fatal(err)
	}
	d, _ := db.Depths()
	if d[to] != 1 || d[wirewatch.Stdout] != 3 {
		t.Errorf("depths: got %v", d)
	}
	th, _ := db.Thread(to, "t")
	if th.Ref != "123.456" || th.Count != 1 || th.Key != "t" {
		t.Errorf("thread: got %+v", th)
	}
	pk, _ := db.ParkedAlerts()
	if pk[to].Count != 1 || pk[to].LastReason != "channel_not_found" {
		t.Errorf("parked: got %+v", pk)
	}
	if n, err := db.Requeue(to); err != nil || n != 1 {
		t.Fatalf("requeue: got %d, %v", n, err)
	}
	if d, _ := db.Depths(); d[to] != 2 {
		t.Errorf("after requeue: got %v", d)
	}
}

// TestOutboxKeepsDeliveryFields: what the dispatcher relies on survives the
// store (a quiet alert that lost its flag would be posted).
func TestOutboxKeepsDeliveryFields(t *testing.T) {
	db := MustOpen(t, nil)
	quiet := func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{{To: "slack:C1", Title: it.Title, Quiet: true}}
	}
	if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{item(1)}, quiet); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Pending("slack:C1", 1)
	if len(p) != 1 || !p[0].Quiet || p[0].Queued.IsZero() {
		t.Fatalf("pending: got %+v, want the quiet flag and the queue time kept", p)
	}
	p[0].Tries = 3
	if err := db.Retry(p[0]); err != nil {
		t.Fatal(err)
	}
	if err := db.Park(p[0], "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Requeue("slack:C1"); err != nil {
		t.Fatal(err)
	}
	p, _ = db.Pending("slack:C1", 1)
	if len(p) != 1 || !p[0].Quiet || p[0].Tries != 0 {
		t.Errorf("after park and requeue: got %+v, want quiet kept and tries reset", p)
	}
}

func TestIngestSurvivesReopen(t *testing.T) {
	db := MustOpen(t, nil)
	all := func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{{To: wirewatch.Stdout, Title: it.Title}}
	}
	if _, err := db.Ingest("cfg-1", &wirewatch.FeedState{Seeded: true}, []wirewatch.Item{item(1)}, all); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db)
	if seen, _ := db.Seen(item(1)); !seen {
		t.Error("seen item forgotten across reopen")
	}
	if p, _ := db.Pending(wirewatch.Stdout, 10); len(p) != 1 {
		t.Errorf("outbox across reopen: got %d alerts, want 1", len(p))
	}
}

func TestRecentIsBounded(t *testing.T) {
	db := MustOpen(t, nil)
	var items []wirewatch.Item
	for i := range RecentItems + 20 {
		items = append(items, item(i))
	}
	if _, err := db.Ingest("cfg-1", nil, items, nil); err != nil {
		t.Fatal(err)
	}
	rec, _ := db.Recent(RecentItems + 100)
	if len(rec) != RecentItems || rec[0].Title != fmt.Sprintf("item %d", RecentItems+19) {
		t.Errorf("recent: got %d items, first %q", len(rec), rec[0].Title)
	}
}

func TestPruneKeepsFileSize(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db := MustOpen(t, func() time.Time { return now })
	day := 0
	ingestDay := func() {
		var items []wirewatch.Item
		for i := range 2000 {
			items = append(items, item(day*100000+i))
		}
		if _, err := db.Ingest("cfg-1", nil, items, nil); err != nil {
			t.Fatal(err)
		}
		day++
		now = now.Add(24 * time.Hour)
	}
	size := func() int64 {
		fi, err := os.Stat(db.Path())
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// Ten days with a retention of five, pruning daily: the set stays at
	// five days of items and the file stops growing.
	var sizeAt6 int64
	for range 30 {
		ingestDay()
		if _, err := db.Prune(now.Add(-5 * 24 * time.Hour)); err != nil {
			t.Fatal(err)
		}
		if day == 6 {
			sizeAt6 = size()
		}
	}
	if n := db.SeenCount(); n != 5*2000 {
		t.Errorf("seen after pruning: got %d, want %d", n, 5*2000)
	}
	if s := size(); s > sizeAt6*3/2 {
		t.Errorf("file grew from %d to %d bytes after retention was reached", sizeAt6, s)
	}
	if seen, _ := db.Seen(item(0)); seen {
		t.Error("item of day 0 still seen after pruning")
	}
	if seen, _ := db.Seen(item((day-1)*100000 + 5)); !seen {
		t.Error("item of the last day pruned")
	}
}

func TestWatchesFeedsAudit(t *testing.T) {
	db := MustOpen(t, nil)
	w, err := db.AddWatch(wirewatch.Watch{Query: "Xinis", To: []wirewatch.Destination{"slack:C1"}, AddedBy: "U1"})
	if err != nil || w.ID != "w1" || w.AddedAt.IsZero() {
		t.Fatalf("add watch: got %+v, %v", w, err)
	}
	w2, _ := db.AddWatch(wirewatch.Watch{Query: "Noem", To: []wirewatch.Destination{"slack:C2"}, AddedBy: "U2"})
	refuse := errors.New("not this channel's")
	if _, err := db.DropWatch(w2.ID, "U1", func(wirewatch.Watch) error { return refuse }); !errors.Is(err, refuse) {
		t.Errorf("refused drop: got %v", err)
	}
	if _, err := db.DropWatch(w.ID, "U1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DropWatch(w.ID, "U1", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("second drop: got %v, want ErrNotFound", err)
	}
	ws, _ := db.Watches()
	if len(ws) != 1 || ws[0].ID != w2.ID {
		t.Errorf("watches: got %+v", ws)
	}
	f, err := db.AddFeed(wirewatch.Feed{URL: "https://a.example/rss", Type: "rss", AddedBy: "U1"})
	if err != nil || f.ID != "f1" {
		t.Fatalf("add feed: %+v %v", f, err)
	}
	if _, err := db.AddFeed(wirewatch.Feed{URL: "https://a.example/rss"}); err == nil || !strings.Contains(err.Error(), "already feed f1") {
		t.Errorf("duplicate feed: got %v", err)
	}
	if _, err := db.DropFeed("f1", "U2"); err != nil {
		t.Fatal(err)
	}
	trail, _ := db.Audit(10)
	var got []string
	for _, e := range trail {
		got = append(got, e.Action+" "+e.ID+" by "+e.User)
	}
	want := "watch add w1 by U1|watch add w2 by U2|watch drop w1 by U1|feed add f1 by U1|feed drop f1 by U2"
	if strings.Join(got, "|") != want {
		t.Errorf("audit: got %q, want %q", strings.Join(got, "|"), want)
	}
}
