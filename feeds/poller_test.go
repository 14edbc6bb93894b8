package feeds

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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
		p := &Poller{
			Fetcher: NewFetcher(Options{Transport: tr}), Sink: sink, States: states,
			Feeds:    func() ([]wirewatch.Feed, error) { return feeds, nil },
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
