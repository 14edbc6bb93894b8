package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds"
)

// changingFeed serves one RSS feed whose items the test sets between polls.
type changingFeed struct {
	mu   sync.Mutex
	body []byte
}

func (c *changingFeed) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(c.body)
}

// set serves stories newest first, story n titled titles[n] when given.
func (c *changingFeed) set(stories []int, titles map[int]string) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Harbor news</title><link>https://harbor.example/</link>` + "\n")
	for _, n := range stories {
		title := titles[n]
		if title == "" {
			title = fmt.Sprintf("Harbor story %d", n)
		}
		fmt.Fprintf(&b, "<item><guid isPermaLink=\"false\">harbor-%d</guid><title>%s</title><link>https://harbor.example/s/%d</link><pubDate>%s</pubDate><description>Quay works, part %d.</description></item>\n",
			n, title, n, time.Date(2026, 12, 1, 0, n, 0, 0, time.UTC).Format(time.RFC1123Z), n)
	}
	b.WriteString("</channel></rss>\n")
	c.mu.Lock()
	c.body = []byte(b.String())
	c.mu.Unlock()
}

// commitLog is the pipeline, keeping the item ids of each commit; failNext
// makes the next commit fail without recording anything.
type commitLog struct {
	*bot.Pipeline
	mu       sync.Mutex
	commits  [][]string
	failNext bool
}

func (c *commitLog) Commit(ctx context.Context, f wirewatch.Feed, st wirewatch.FeedState, items []wirewatch.Item, first bool) error {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	slices.Sort(ids)
	c.mu.Lock()
	c.commits = append(c.commits, ids)
	fail := c.failNext
	c.failNext = false
	c.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	return c.Pipeline.Commit(ctx, f, st, items, first)
}

func (c *commitLog) last() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits[len(c.commits)-1]
}

func storyIDs(ns ...int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("harbor-%d", n))
	}
	slices.Sort(out)
	return out
}

func storyRange(from, to int) []int {
	var out []int
	for n := to - 1; n >= from; n-- {
		out = append(out, n)
	}
	return out
}

// TestPollerParsesOnlyChangedItems runs the daemon's poller, pipeline and
// store on a feed served over HTTP that changes between polls: once a feed
// has changed since the poller first parsed it, a poll hands the pipeline
// only its new and edited items; a failed commit makes the next parse
// whole; a restarted poller parses whole again; and every story alerts
// exactly once.
func TestPollerParsesOnlyChangedItems(t *testing.T) {
	db := openStore(t)
	srv := &changingFeed{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	feed := wirewatch.Feed{ID: "cfg-1", URL: ts.URL + "/rss", Type: wirewatch.FeedRSS, Name: "Harbor"}
	sink := &commitLog{Pipeline: &bot.Pipeline{DB: db, Location: time.UTC, Log: quietLog(),
		Watches: mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: "harbor", To: []wirewatch.Destination{"stdout"}})}}
	newPoller := func() *feeds.Poller {
		return &feeds.Poller{
			Fetcher: feeds.NewFetcher(feeds.Options{}), Sink: sink, States: db,
			Feeds:    func() ([]wirewatch.Feed, error) { return []wirewatch.Feed{feed}, nil },
			Interval: time.Minute, Workers: 1, PerHost: 1, AllowPrivate: true, Log: quietLog(),
		}
	}
	p := newPoller()
	poll := func(stories []int, titles map[int]string, want []string) {
		t.Helper()
		srv.set(stories, titles)
		n := len(sink.commits)
		if err := p.PollAll(t.Context()); err != nil {
			t.Fatal(err)
		}
		if len(sink.commits) != n+1 {
			t.Fatalf("%d commits, want %d", len(sink.commits), n+1)
		}
		if got := sink.last(); !slices.Equal(got, want) {
			t.Fatalf("committed %v, want %v", got, want)
		}
	}
	poll(storyRange(0, 30), nil, storyIDs(storyRange(0, 30)...)) // seeding
	// The first change since the poller started: parsed whole.
	poll(storyRange(0, 32), nil, storyIDs(storyRange(0, 32)...))
	// From now on only what changed: two new stories and an edited one.
	edited := map[int]string{31: "Harbor story 31, corrected"}
	poll(storyRange(0, 34), edited, storyIDs(32, 33, 31))
	poll(storyRange(2, 35), edited, storyIDs(34))
	// A failed commit: the same document is read again, whole.
	sink.failNext = true
	poll(storyRange(2, 36), edited, storyIDs(35))
	poll(storyRange(2, 36), edited, storyIDs(storyRange(2, 36)...))
	poll(storyRange(2, 37), edited, storyIDs(36))
	// A restart: a new poller on the same store parses whole.
	p = newPoller()
	poll(storyRange(2, 38), edited, storyIDs(storyRange(2, 38)...))
	poll(storyRange(2, 39), edited, storyIDs(storyRange(2, 39)...))
	poll(storyRange(2, 40), edited, storyIDs(39))

	st, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if got := st[feed.ID].Items; got != 38 {
		t.Errorf("feed state: %d items, want the document's 38", got)
	}
	alerts, err := db.Pending("stdout", 1000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, a := range alerts {
		count[strings.TrimSuffix(a.Title, ", corrected")]++
	}
	for n := 30; n < 40; n++ {
		title := fmt.Sprintf("Harbor story %d", n)
		want := 1
		if n == 31 {
			want = 2 // and its edit
		}
		if count[title] != want {
			t.Errorf("%q: %d alerts, want %d", title, count[title], want)
		}
	}
	if len(alerts) != 11 {
		t.Errorf("%d alerts, want 11 (10 new stories, one edit)", len(alerts))
	}
}
