package feeds

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
)

// lockedBuffer collects log lines from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// twoFeeds serves /new with a new body every second (each poll commits
// items) and /same with one body (each poll after the first queues a state).
type twoFeeds struct{}

func (twoFeeds) RoundTrip(r *http.Request) (*http.Response, error) {
	guid := "a"
	if r.URL.Path == "/new" {
		guid = fmt.Sprint(time.Now().Unix())
	}
	body := `<rss version="2.0"><channel><title>t</title><item><guid>` + guid + `</guid><title>` + guid + `</title></item></channel></rss>`
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
}

// brokenStore fails every write with err while it is set: the seam that
// stands in for a full disk.
type brokenStore struct {
	memStates
	mu      sync.Mutex
	err     error
	commits int
}

func (b *brokenStore) broken() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *brokenStore) set(err error) {
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
}

func (b *brokenStore) FlushFeedStates() error { return b.broken() }

func (b *brokenStore) Commit(_ context.Context, f wirewatch.Feed, st wirewatch.FeedState, _ []wirewatch.Item, _ bool) error {
	if err := b.broken(); err != nil {
		return err
	}
	b.mu.Lock()
	b.commits++
	b.mu.Unlock()
	return b.PutFeedState(f.ID, st)
}

// TestStoreFailureLoggedOnce: with the disk full for two minutes, polls
// every second of a feed with new items (commits) and of an unchanged one
// (queued states) give one error line per kind of write, not one per poll;
// StoreError says since when; the recovery is one line and clears it.
func TestStoreFailureLoggedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &lockedBuffer{}
		store := &brokenStore{memStates: memStates{m: map[string]wirewatch.FeedState{}}}
		full := fmt.Errorf("write ww.db: %w", syscall.ENOSPC)
		store.set(full)
		feeds := []wirewatch.Feed{
			{ID: "cfg-new", URL: "http://one.example/new", Type: "rss", Interval: time.Second},
			{ID: "cfg-same", URL: "http://two.example/same", Type: "rss", Interval: time.Second},
		}
		// The unchanged feed needs its first poll recorded to be "unchanged".
		store.m["cfg-same"] = wirewatch.FeedState{Seeded: true, BodyHash: hashOf(t, feeds[1])}
		p := &Poller{
			Fetcher: NewFetcher(Options{Transport: twoFeeds{}}), Sink: store, States: store,
			Feeds:    func() ([]wirewatch.Feed, error) { return feeds, nil },
			Interval: time.Second, Workers: 2, PerHost: 1,
			Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		}
		start := time.Now()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()

		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if n := logs.count("level=ERROR"); n != 2 {
			t.Errorf("two minutes of a full disk: got %d error lines, want 2 (one per kind of write):\n%s", n, logs.b.String())
		}
		since, err := p.StoreError()
		if err == nil || !strings.Contains(err.Error(), "no space left") || !since.Equal(start) {
			t.Errorf("StoreError while failing: got %v since %v, want ENOSPC since %v", err, since, start)
		}

		store.set(nil)
		time.Sleep(30 * time.Second)
		if _, err := p.StoreError(); err == nil {
			t.Error("30 s after the last failure the store counts as recovered, want a minute of good writes first")
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if _, err := p.StoreError(); err != nil {
			t.Errorf("after 90 s of good writes StoreError is still %v", err)
		}
		if n := logs.count("store writes work again"); n != 2 {
			t.Errorf("got %d recovery lines, want 2 (one per kind of write):\n%s", n, logs.b.String())
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := logs.count("level=ERROR"); n != 2 {
			t.Errorf("got %d error lines in all, want 2", n)
		}
		store.mu.Lock()
		defer store.mu.Unlock()
		if store.commits < 60 {
			t.Errorf("got %d commits after the recovery, want the feed's polls recorded again (about 90)", store.commits)
		}
	})
}

// hashOf is the body hash the fetcher gives f's unchanging body.
func hashOf(t *testing.T, f wirewatch.Feed) string {
	t.Helper()
	r, err := NewFetcher(Options{Transport: twoFeeds{}}).Fetch(t.Context(), f, Validators{}, false)
	if err != nil {
		t.Fatal(err)
	}
	return r.Validators.BodyHash
}
