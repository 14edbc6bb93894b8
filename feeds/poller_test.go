package feeds

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
)

// memFeeds answers feed requests in memory, so the poller's loop runs on
// synctest's fake clock.
type memFeeds struct {
	mu       sync.Mutex
	fail     map[string]bool
	requests map[string][]time.Time
	inflight map[string]int
	maxHost  int
}

func (m *memFeeds) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.requests[r.URL.Path] = append(m.requests[r.URL.Path], time.Now())
	fail := m.fail[r.URL.Path]
	m.inflight[r.URL.Host]++
	m.maxHost = max(m.maxHost, m.inflight[r.URL.Host])
	m.mu.Unlock()
	// Let other polls start, so the per-host cap is exercised.
	time.Sleep(10 * time.Millisecond)
	m.mu.Lock()
	m.inflight[r.URL.Host]--
	m.mu.Unlock()
	if fail {
		return &http.Response{StatusCode: 500, Body: io.NopCloser(strings.NewReader("down")), Header: http.Header{}, Request: r}, nil
	}
	body := fmt.Sprintf(`<rss version="2.0"><channel><title>%s</title><item><guid>a</guid><title>t %d</title></item></channel></rss>`, r.URL.Path, time.Now().Unix())
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
}

type memStates struct {
	mu sync.Mutex
	m  map[string]wirewatch.FeedState
}

func (s *memStates) FeedStates() (map[string]wirewatch.FeedState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]wirewatch.FeedState{}
	for k, v := range s.m {
		out[k] = v
	}
	return out, nil
}

func (s *memStates) PutFeedState(id string, st wirewatch.FeedState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = st
	return nil
}

func (s *memStates) QueueFeedState(id string, st wirewatch.FeedState) { s.PutFeedState(id, st) }

func (s *memStates) FlushFeedStates() error { return nil }

type memSink struct {
	states *memStates
	mu     sync.Mutex
	firsts map[string]int
	polls  map[string]int
}

func (s *memSink) Commit(_ context.Context, f wirewatch.Feed, st wirewatch.FeedState, _ []wirewatch.Item, first bool) error {
	s.mu.Lock()
	s.polls[f.ID]++
	if first {
		s.firsts[f.ID]++
	}
	s.mu.Unlock()
	return s.states.PutFeedState(f.ID, st)
}

// TestPollerSchedule runs the daemon's loop for simulated hours: healthy
// feeds are polled at their interval, a failing feed backs off and comes
// back when its host recovers, and no host sees more than PerHost requests
// at once.
func TestPollerSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &memFeeds{fail: map[string]bool{"/bad": true}, requests: map[string][]time.Time{}, inflight: map[string]int{}}
		states := &memStates{m: map[string]wirewatch.FeedState{}}
		sink := &memSink{states: states, firsts: map[string]int{}, polls: map[string]int{}}
		var feeds []wirewatch.Feed
		for i := range 6 {
			feeds = append(feeds, wirewatch.Feed{ID: fmt.Sprintf("cfg-%d", i+1), URL: fmt.Sprintf("http://one.example/f%d", i), Type: "rss"})
		}
		feeds = append(feeds, wirewatch.Feed{ID: "cfg-bad", URL: "http://two.example/bad", Type: "rss", Interval: time.Minute})
		var lists atomic.Int32
		p := &Poller{
			Fetcher: NewFetcher(Options{Transport: tr}), Sink: sink, States: states,
			Feeds: func() ([]wirewatch.Feed, error) {
				lists.Add(1)
				return feeds, nil
			},
			Interval: 5 * time.Minute, Workers: 4, PerHost: 2,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()

		time.Sleep(2 * time.Hour)
		tr.mu.Lock()
		fail := tr.requests["/bad"]
		tr.fail["/bad"] = false
		tr.mu.Unlock()
		time.Sleep(8 * time.Hour) // long enough for the capped backoff to come round
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		// The feed list is read once, not at every wake (there is no
		// Refresh here).
		if n := lists.Load(); n != 1 {
			t.Errorf("the feed list was read %d times in 10 h, want once", n)
		}
		tr.mu.Lock()
		defer tr.mu.Unlock()
		t.Logf("max per host %d; failing-feed polls in 2 h: %d; after recovery: %d; healthy f0: %d", tr.maxHost, len(fail), len(tr.requests["/bad"])-len(fail), len(tr.requests["/f0"]))
		if tr.maxHost > 2 {
			t.Errorf("per-host cap: got %d requests at once to one host, want at most 2", tr.maxHost)
		}
		// Healthy feeds: every 5 minutes for 10 hours, give or take the first.
		for _, f := range feeds[:6] {
			n := len(tr.requests[strings.TrimPrefix(f.URL, "http://one.example")])
			if n < 115 || n > 122 {
				t.Errorf("%s: got %d polls in 10 h, want about 120", f.ID, n)
			}
			if sink.firsts[f.ID] != 1 {
				t.Errorf("%s: got %d first polls, want 1", f.ID, sink.firsts[f.ID])
			}
		}
		// The failing feed: gaps grow (1 min interval, backing off), far
		// fewer polls than 120 in 2 h.
		if len(fail) < 4 || len(fail) > 30 {
			t.Errorf("failing feed: got %d polls in 2 h, want backoff (a handful)", len(fail))
		}
		for i := 2; i < len(fail) && i < 6; i++ {
			if fail[i].Sub(fail[i-1]) <= fail[i-1].Sub(fail[i-2])/2 {
				t.Errorf("backoff gaps do not grow: %v then %v", fail[i-1].Sub(fail[i-2]), fail[i].Sub(fail[i-1]))
			}
		}
		// Recovered: polled at its 1-minute interval again, its errors reset.
		all := tr.requests["/bad"]
		if last := all[len(all)-1]; len(all)-len(fail) < 60 {
			t.Errorf("recovered feed: got %d polls after recovery (last at %v), want its 1-minute interval", len(all)-len(fail), last)
		}
		if st := states.m["cfg-bad"]; st.Errors != 0 || st.LastResult == "error" {
			t.Errorf("recovered feed state: got %+v", st)
		}
	})
}

// hostFeeds is one host whose feeds answer in three ways: /hang* never
// answers (the fetch times out), /slow* answers after 2 s, the rest at once.
type hostFeeds struct {
	mu    sync.Mutex
	polls map[string]int
}

func (h *hostFeeds) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.polls[r.URL.Path]++
	h.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, "/hang"):
		<-r.Context().Done()
		return nil, r.Context().Err()
	case strings.HasPrefix(r.URL.Path, "/slow"):
		time.Sleep(2 * time.Second)
	}
	body := `<rss version="2.0"><channel><title>t</title><item><guid>a</guid><title>a</title></item></channel></rss>`
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
}

// TestPollerNoStarvation: on one host, two feeds that hang until their
// timeout and two that are due again by the time they answer (a 1 s
// interval, 2 s answers) come first in the list; the host's two slots must
// still reach the 25 other feeds, each at about its 1-minute interval.
// Listing order used to decide: 25 of the 29 feeds were never polled.
func TestPollerNoStarvation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &hostFeeds{polls: map[string]int{}}
		states := &memStates{m: map[string]wirewatch.FeedState{}}
		sink := &memSink{states: states, firsts: map[string]int{}, polls: map[string]int{}}
		var feeds []wirewatch.Feed
		add := func(path string, every time.Duration) {
			feeds = append(feeds, wirewatch.Feed{ID: fmt.Sprintf("cfg-%d", len(feeds)+1), URL: "http://one.example" + path, Type: "rss", Interval: every})
		}
		add("/hang1", time.Second)
		add("/hang2", time.Second)
		add("/slow1", time.Second)
		add("/slow2", time.Second)
		for i := range 25 {
			add(fmt.Sprintf("/f%d", i), time.Minute)
		}
		p := &Poller{
			Fetcher: NewFetcher(Options{Transport: tr, Timeout: 30 * time.Second}), Sink: sink, States: states,
			Feeds:    func() ([]wirewatch.Feed, error) { return feeds, nil },
			Interval: time.Minute, Workers: 4, PerHost: 2,
			Log: slog.New(slog.DiscardHandler),
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()
		time.Sleep(210 * time.Second)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		tr.mu.Lock()
		defer tr.mu.Unlock()
		never := 0
		for i := range 25 {
			n := tr.polls[fmt.Sprintf("/f%d", i)]
			if n == 0 {
				never++
			}
			if n < 2 {
				t.Errorf("/f%d: got %d polls in 3.5 min at a 1-minute interval, want at least 2", i, n)
			}
		}
		t.Logf("polls: hang1 %d, slow1 %d, f0 %d, f24 %d; %d of 25 never polled", tr.polls["/hang1"], tr.polls["/slow1"], tr.polls["/f0"], tr.polls["/f24"], never)
	})
}
