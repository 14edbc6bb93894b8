package feeds

import (
	"fmt"
	"math/bits"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// schedPoller is a Poller with n feeds over hosts hosts, feed i due at
// due(i), and no workers: the test plays them, so it sees exactly what a
// wake of the loop does.
func schedPoller(t testing.TB, n, hosts, workers, perHost int, due func(i int) time.Time) *Poller {
	t.Helper()
	feeds := make([]wirewatch.Feed, n)
	states := map[string]wirewatch.FeedState{}
	for i := range feeds {
		feeds[i] = wirewatch.Feed{ID: fmt.Sprintf("cfg-%d", i), URL: fmt.Sprintf("https://h%d.example/feed/%d", i%hosts, i)}
		states[feeds[i].ID] = wirewatch.FeedState{NextPoll: due(i)}
	}
	p := &Poller{Feeds: func() ([]wirewatch.Feed, error) { return feeds, nil }, Workers: workers, PerHost: perHost}
	p.init()
	p.states = states
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	p.work = make(chan job, p.Workers)
	return p
}

// finish plays a worker ending the poll of j: next poll at due.
func (p *Poller) finish(j job, due time.Time) {
	p.mu.Lock()
	p.inflight--
	p.states[j.feed.ID] = wirewatch.FeedState{NextPoll: due}
	p.sched.done(j.e, due, false, true)
	p.mu.Unlock()
}

// TestScheduleWorkPerWake: a wake costs O(log n) per feed it starts and
// nothing for the feeds that are not due. It used to walk (and copy) all n
// feeds on every wake, and a wake came with every finished poll: n² per
// cycle.
func TestScheduleWorkPerWake(t *testing.T) {
	const n = 10000
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	log2n := bits.Len(n)

	t.Run("nothing due", func(t *testing.T) {
		p := schedPoller(t, n, 64, 16, 2, func(i int) time.Time { return now.Add(time.Duration(i+2) * time.Second) })
		before := p.sched.work
		wait := p.startDue(now)
		if got := p.sched.work - before; got > 1 {
			t.Errorf("a wake with nothing due looked at %d feeds, want at most 1", got)
		}
		if wait != 2*time.Second {
			t.Errorf("got wait %v, want 2s (the earliest feed)", wait)
		}
	})

	t.Run("no free worker", func(t *testing.T) {
		p := schedPoller(t, n, 64, 16, 2, func(int) time.Time { return now })
		p.startDue(now) // takes 16
		before := p.sched.work
		for range 100 {
			if p.startDue(now) != idle {
				t.Fatal("with every worker busy the loop should wait for a poll to end")
			}
		}
		if got := p.sched.work - before; got != 0 {
			t.Errorf("100 wakes with no free worker looked at %d feeds, want 0", got)
		}
	})

	t.Run("one cycle", func(t *testing.T) {
		// Every feed due now; each poll, when it ends, is due an hour later.
		// The loop wakes once per finished poll, as the daemon's does.
		p := schedPoller(t, n, 64, 16, 2, func(i int) time.Time { return now })
		before := p.sched.work
		polls, wakes := 0, 0
		p.startDue(now)
		wakes++
		for polls < n {
			j := <-p.work
			p.finish(j, now.Add(time.Hour))
			polls++
			p.startDue(now)
			wakes++
		}
		work := p.sched.work - before
		perPoll := float64(work) / float64(polls)
		t.Logf("%d polls, %d wakes: %d feeds looked at (%.1f per poll; a walk of the list per wake would be %d)", polls, wakes, work, perPoll, wakes*n)
		if perPoll > float64(4*log2n+4) {
			t.Errorf("got %.1f feeds looked at per poll, want O(log n): at most %d", perPoll, 4*log2n+4)
		}
		p.mu.Lock()
		for id, e := range p.sched.feeds {
			if e.i < 0 || !e.due.Equal(now.Add(time.Hour)) {
				t.Fatalf("%s: not polled exactly once in the cycle (due %v)", id, e.due)
			}
		}
		p.mu.Unlock()
	})
}

// TestScheduleWakeAllocs: in steady state a wake allocates nothing, whether
// it starts a poll or finds nothing to do.
func TestScheduleWakeAllocs(t *testing.T) {
	const n = 10000
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	p := schedPoller(t, n, 64, 1, 2, func(i int) time.Time { return now.Add(-time.Duration(i) * time.Millisecond) })
	var clock time.Duration
	allocs := testing.AllocsPerRun(1000, func() {
		clock += time.Millisecond
		p.startDue(now.Add(clock)) // starts one poll: Workers is 1
		j := <-p.work
		p.finish(j, now.Add(clock+time.Hour))
		p.startDue(now.Add(clock)) // the wake after it: nothing due
	})
	if allocs != 0 {
		t.Errorf("got %.1f allocations per wake, want 0", allocs)
	}
}

// TestScheduleMostOverdueFirst: within a host, the feed due longest ago goes
// first, whatever its place in the list.
func TestScheduleMostOverdueFirst(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	p := schedPoller(t, 10, 1, 10, 1, func(i int) time.Time { return now.Add(-time.Duration(i) * time.Minute) })
	for want := 9; want >= 0; want-- {
		p.startDue(now)
		j := <-p.work
		if got := j.feed.ID; got != fmt.Sprintf("cfg-%d", want) {
			t.Fatalf("got %s, want cfg-%d (the most overdue)", got, want)
		}
		if p.startDue(now) != idle && len(p.work) > 0 {
			t.Fatal("a second poll of the host started beyond PerHost 1")
		}
		p.finish(j, now.Add(time.Hour))
	}
}

// TestScheduleRebuild: a feed dropped while being polled is not polled
// again; one added is; one kept while polled keeps its single poll.
func TestScheduleRebuild(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	feeds := []wirewatch.Feed{{ID: "a", URL: "https://one.example/a"}, {ID: "b", URL: "https://one.example/b"}}
	p := &Poller{Feeds: func() ([]wirewatch.Feed, error) { return feeds, nil }, Workers: 4, PerHost: 4}
	p.init()
	p.states = map[string]wirewatch.FeedState{}
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	p.work = make(chan job, p.Workers)
	p.startDue(now)
	ja, jb := <-p.work, <-p.work
	feeds = []wirewatch.Feed{{ID: "b", URL: "https://one.example/b"}, {ID: "c", URL: "https://two.example/c"}}
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	p.startDue(now)
	if len(p.work) != 1 {
		t.Fatalf("after the rebuild got %d polls started, want 1 (c; b is under way)", len(p.work))
	}
	if jc := <-p.work; jc.feed.ID != "c" {
		t.Fatalf("got %s started, want c", jc.feed.ID)
	}
	p.finish(ja, now)
	p.finish(jb, now)
	p.startDue(now)
	if len(p.work) != 1 {
		t.Fatalf("got %d polls started, want 1 (b again; a was dropped)", len(p.work))
	}
	if j := <-p.work; j.feed.ID != "b" {
		t.Fatalf("got %s, want b", j.feed.ID)
	}
}

// TestScheduleEarly: a wake also starts the feeds due within the next
// second, so polls come in bursts, but not a feed whose interval is short
// enough for that second to matter, nor one whose time is a backoff or a
// server's Retry-After.
func TestScheduleEarly(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	type feed struct {
		id     string
		every  time.Duration
		due    time.Duration // from now
		errors int
	}
	tests := []struct {
		name  string
		feeds []feed
		start string // the feed started early, "" for none
		wait  time.Duration
	}{
		{"on its interval", []feed{{"soon", 5 * time.Minute, 500 * time.Millisecond, 0}, {"later", 5 * time.Minute, 2 * time.Second, 0}}, "soon", 2 * time.Second},
		{"short interval", []feed{{"fast", time.Second, 500 * time.Millisecond, 0}}, "", 500 * time.Millisecond},
		{"after a failure", []feed{{"retry", 5 * time.Minute, 500 * time.Millisecond, 1}}, "", 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var feeds []wirewatch.Feed
			states := map[string]wirewatch.FeedState{}
			for i, f := range tt.feeds {
				feeds = append(feeds, wirewatch.Feed{ID: f.id, URL: fmt.Sprintf("https://h%d.example/", i), Interval: f.every})
				states[f.id] = wirewatch.FeedState{NextPoll: now.Add(f.due), Errors: f.errors}
			}
			p := &Poller{Feeds: func() ([]wirewatch.Feed, error) { return feeds, nil }, Workers: 4, PerHost: 1}
			p.init()
			p.states = states
			if err := p.rebuild(false); err != nil {
				t.Fatal(err)
			}
			p.work = make(chan job, p.Workers)
			wait := p.startDue(now)
			started := ""
			switch len(p.work) {
			case 0:
			case 1:
				started = (<-p.work).feed.ID
			default:
				t.Fatalf("got %d polls started, want at most 1", len(p.work))
			}
			if started != tt.start || wait != tt.wait {
				t.Errorf("got %q started and a wait of %v, want %q and %v", started, wait, tt.start, tt.wait)
			}
		})
	}
}

// TestScheduleDroppedAndListedAgain: a feed dropped while it is being
// polled and listed again before that poll ends is not polled a second
// time at once; it is polled again after its poll ends.
func TestScheduleDroppedAndListedAgain(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	feeds := []wirewatch.Feed{{ID: "a", URL: "https://one.example/a"}}
	p := &Poller{Feeds: func() ([]wirewatch.Feed, error) { return feeds, nil }, Workers: 4, PerHost: 4}
	p.init()
	p.states = map[string]wirewatch.FeedState{}
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	p.work = make(chan job, p.Workers)
	p.startDue(now)
	ja := <-p.work
	all := feeds
	feeds = nil
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	feeds = all
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	p.startDue(now)
	if len(p.work) != 0 {
		t.Fatalf("got %d polls started while a's is under way, want 0", len(p.work))
	}
	p.finish(ja, now)
	p.startDue(now)
	if len(p.work) != 1 {
		t.Fatalf("got %d polls started after a's ended, want 1 (a is listed)", len(p.work))
	}
	if j := <-p.work; j.feed.ID != "a" {
		t.Fatalf("got %s, want a", j.feed.ID)
	}
}
