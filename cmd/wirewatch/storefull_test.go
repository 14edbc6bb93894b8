package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/config"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/store"
)

// fullDisk is the real store behind a seam that refuses every write while
// full is set, as a full disk does.
type fullDisk struct {
	*store.DB
	sink feeds.Sink
	full atomic.Bool
}

var errFull = fmt.Errorf("write ww.db: %w", syscall.ENOSPC)

func (d *fullDisk) FlushFeedStates() error {
	if d.full.Load() {
		return errFull
	}
	return d.DB.FlushFeedStates()
}

func (d *fullDisk) Commit(ctx context.Context, f wirewatch.Feed, st wirewatch.FeedState, items []wirewatch.Item, first bool) error {
	if d.full.Load() {
		return fmt.Errorf("ingest %s: %w", f.ID, errFull)
	}
	return d.sink.Commit(ctx, f, st, items, first)
}

// TestStoreFullNotReady: while the store refuses writes, /readyz answers
// 503 naming the failure and status shows it; when writes work again (for
// the poller's minute of good writes) both are back to normal.
func TestStoreFullNotReady(t *testing.T) {
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<rss version="2.0"><channel><title>t</title><item><guid>`+r.URL.Query().Get("v")+`</guid><title>a</title></item></channel></rss>`)
	}))
	defer feed.Close()
	path := filepath.Join(t.TempDir(), "ww.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	disk := &fullDisk{DB: db, sink: &bot.Pipeline{DB: db, Watches: bot.NewWatchlist(), Location: time.UTC, Log: slog.New(slog.DiscardHandler)}}
	disk.full.Store(true)
	version := 0
	fs := func() ([]wirewatch.Feed, error) {
		version++ // a new item at every poll, so each one commits
		return []wirewatch.Feed{{ID: "cfg-1", URL: fmt.Sprintf("%s/rss?v=%d", feed.URL, version), Type: wirewatch.FeedRSS}}, nil
	}
	p := &feeds.Poller{Fetcher: feeds.NewFetcher(feeds.Options{}), Sink: disk, States: disk, Feeds: fs,
		Workers: 1, PerHost: 1, AllowPrivate: true, Log: slog.New(slog.DiscardHandler)}
	if err := p.PollAll(t.Context()); err != nil {
		t.Fatal(err)
	}

	c := config.Default()
	c.Store = path
	m := &Main{Config: c, db: db, poller: p, watches: bot.NewWatchlist(), ready: make(chan struct{})}
	close(m.ready)
	get := func(h http.Handler, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	status := func() Status {
		code, body := get(m.controlRoutes(), "/status")
		if code != http.StatusOK {
			t.Fatalf("status: got %d %s", code, body)
		}
		var st Status
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}

	code, body := get(m.routes(), "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store writes failing since") || !strings.Contains(body, "no space left on device") {
		t.Errorf("/readyz with the disk full: got %d %q, want 503 naming the failure", code, body)
	}
	st := status()
	if !strings.Contains(st.StoreError, "no space left on device") || st.StoreErrorSince.IsZero() {
		t.Errorf("status with the disk full: got store error %q since %v", st.StoreError, st.StoreErrorSince)
	}
	var out bytes.Buffer
	printStatus(&out, st, time.UTC, time.Now())
	if !strings.Contains(out.String(), "store: writes failing since") {
		t.Errorf("status text does not show the store failure:\n%s", out.String())
	}

	// Writes work again. The failure is over after a minute of good writes
	// (feeds.TestStoreFailureLoggedOnce runs that on a fake clock); here a
	// real clock runs, so this checks that one good write does not end it
	// early, and that the poll is recorded.
	disk.full.Store(false)
	if err := p.PollAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(m.routes(), "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz right after the first good write: got %d, want still 503 (a minute of good writes first)", code)
	}
	if n := db.SeenCount(); n != 1 {
		t.Errorf("after the disk recovered: %d items seen, want the poll's item recorded", n)
	}
}
