package feeds

import (
	"container/heap"
	"net/url"
	"time"

	"github.com/wirewatch/wirewatch"
)

// schedule orders the poller's feeds between polls. Each host keeps its idle
// feeds in a min-heap by next poll time, and the hosts that have a free slot
// and an idle feed sit in a min-heap by their earliest feed. Taking the next
// feed is O(log n) and nothing walks the whole list, so a wake costs what
// the polls it starts cost, whatever the number of feeds.
//
// The most overdue feed goes first, across hosts and within one: a feed that
// is always due again, or one that hangs until its timeout, cannot keep a
// host's other feeds from its slots (all CourtListener dockets share a host).
//
// Feeds and their parsed URLs are kept between wakes; rebuild replaces them
// when the feed list changes. The poller's mutex guards a schedule.
type schedule struct {
	perHost  int
	interval time.Duration // a feed's interval when it has none of its own
	feeds    map[string]*entry
	// dropped is the feeds dropped from the list while being polled, so
	// that one listed again before its poll ends is not polled twice at once.
	dropped map[string]*entry
	hosts   map[string]*hostQueue
	ready   hostHeap
	// work counts the feeds the schedule looked at (heap comparisons and
	// takes): what a wake costs, for the tests.
	work int
}

// entry is one feed in the schedule.
type entry struct {
	feed wirewatch.Feed
	url  *url.URL // parsed once; nil if it does not parse (the fetch says why)
	host *hostQueue
	// hostOf is the URL host was found from, so a poll's end compares
	// strings instead of parsing the URL again.
	hostOf string
	due    time.Time
	every  time.Duration // the feed's interval
	// exact: due is a server's Retry-After or a backoff, not to be taken
	// early.
	exact bool
	seq   int  // position in the feed list: equal times go in list order
	i     int  // index in host.idle; -1 while the feed is being polled
	gone  bool // dropped from the list while being polled
}

// hostQueue is one host's idle feeds and its polls under way.
type hostQueue struct {
	name     string
	idle     idleHeap
	inflight int
	i        int // index in schedule.ready; -1 when not there
}

func newSchedule(perHost int, interval time.Duration) *schedule {
	if interval <= 0 {
		interval = DefaultInterval
	}
	s := &schedule{perHost: max(perHost, 1), interval: interval, feeds: map[string]*entry{}, dropped: map[string]*entry{}, hosts: map[string]*hostQueue{}}
	s.ready.work = &s.work
	return s
}

// rebuild replaces the feed list. due gives a new feed's next poll time and
// whether it is exact (see entry.exact).
// A feed being polled stays so (its done puts it back); one no longer in
// the list is dropped when its poll ends.
func (s *schedule) rebuild(feeds []wirewatch.Feed, due func(id string) (time.Time, bool)) {
	old := s.feeds
	s.feeds = make(map[string]*entry, len(feeds))
	s.ready.s = s.ready.s[:0]
	for name, h := range s.hosts {
		h.idle.s, h.i = h.idle.s[:0], -1
		if h.inflight == 0 {
			delete(s.hosts, name)
		}
	}
	for i, f := range feeds {
		if s.feeds[f.ID] != nil {
			continue // a repeated id: the first one counts
		}
		e := old[f.ID]
		if e == nil {
			e = s.dropped[f.ID] // dropped earlier, listed again, its poll still under way
		}
		if e != nil && e.i < 0 {
			// Being polled: keep the entry, with the feed as it is now.
			e.feed, e.url, e.seq, e.every, e.gone = f, parseURL(f.URL), i, s.every(f), false
			s.feeds[f.ID] = e
			delete(old, f.ID)
			delete(s.dropped, f.ID)
			continue
		}
		e = &entry{feed: f, url: parseURL(f.URL), every: s.every(f), seq: i}
		e.due, e.exact = due(f.ID)
		s.feeds[f.ID] = e
		e.host, e.hostOf = s.host(Host(f.URL)), f.URL
		heap.Push(&e.host.idle, e)
	}
	for id, e := range old {
		if e.i < 0 {
			e.gone = true
			s.dropped[id] = e
		}
	}
	for _, h := range s.hosts {
		s.fix(h)
	}
}

func (s *schedule) every(f wirewatch.Feed) time.Duration {
	if f.Interval > 0 {
		return f.Interval
	}
	return s.interval
}

func parseURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	return u
}

func (s *schedule) host(name string) *hostQueue {
	h := s.hosts[name]
	if h == nil {
		h = &hostQueue{name: name, i: -1, idle: idleHeap{work: &s.work}}
		s.hosts[name] = h
	}
	return h
}

// take returns the most overdue feed that may be polled at now, marked as
// being polled, or nil if none is due or every due feed's host is full. A
// feed due within early is taken too, if its interval is at least ten times
// early and its time is not exact: the poller starts polls in bursts
// instead of waking for each.
func (s *schedule) take(now time.Time, early time.Duration) *entry {
	if len(s.ready.s) == 0 {
		return nil
	}
	h := s.ready.s[0]
	e := h.idle.s[0]
	s.work++
	if e.due.After(now) && (e.due.After(now.Add(early)) || e.every < 10*early || e.exact) {
		return nil
	}
	heap.Pop(&h.idle)
	h.inflight++
	s.fix(h)
	return e
}

// next is when the earliest idle feed of a host with a free slot is due;
// ok is false when there is none (all polled, or every host full).
func (s *schedule) next() (t time.Time, ok bool) {
	if len(s.ready.s) == 0 {
		return time.Time{}, false
	}
	return s.ready.s[0].idle.s[0].due, true
}

// done ends the poll of e: it frees its host's slot and, if again and the
// feed is still listed, puts the feed back to be polled at due (exact: see
// entry.exact).
func (s *schedule) done(e *entry, due time.Time, exact, again bool) {
	h := e.host
	h.inflight--
	if !e.gone && again {
		e.due, e.exact = due, exact
		if e.hostOf != e.feed.URL {
			// Its URL changed while it was polled.
			e.host, e.hostOf = s.host(Host(e.feed.URL)), e.feed.URL
		}
		heap.Push(&e.host.idle, e)
		s.fix(e.host)
	} else if !e.gone {
		delete(s.feeds, e.feed.ID)
	}
	if e.gone && s.dropped[e.feed.ID] == e {
		delete(s.dropped, e.feed.ID)
	}
	s.fix(h)
	if h.inflight == 0 && len(h.idle.s) == 0 && s.hosts[h.name] == h {
		delete(s.hosts, h.name)
	}
}

// empty says whether no feed is waiting or being polled.
func (s *schedule) empty() bool { return len(s.hosts) == 0 }

// fix puts h in the ready heap, moves it, or takes it out, as its slots and
// idle feeds now say.
func (s *schedule) fix(h *hostQueue) {
	want := h.inflight < s.perHost && len(h.idle.s) > 0
	switch {
	case want && h.i < 0:
		heap.Push(&s.ready, h)
	case want:
		heap.Fix(&s.ready, h.i)
	case h.i >= 0:
		heap.Remove(&s.ready, h.i)
	}
}

// before orders feeds: earlier due first, then list order.
func before(a, b *entry) bool {
	if !a.due.Equal(b.due) {
		return a.due.Before(b.due)
	}
	return a.seq < b.seq
}

// idleHeap is a host's idle feeds (container/heap).
type idleHeap struct {
	s    []*entry
	work *int
}

func (h idleHeap) Len() int { return len(h.s) }
func (h idleHeap) Less(i, j int) bool {
	*h.work++
	return before(h.s[i], h.s[j])
}
func (h idleHeap) Swap(i, j int) {
	h.s[i], h.s[j] = h.s[j], h.s[i]
	h.s[i].i, h.s[j].i = i, j
}
func (h *idleHeap) Push(x any) {
	e := x.(*entry)
	e.i = len(h.s)
	h.s = append(h.s, e)
}
func (h *idleHeap) Pop() any {
	e := h.s[len(h.s)-1]
	h.s[len(h.s)-1] = nil
	h.s = h.s[:len(h.s)-1]
	e.i = -1
	return e
}

// hostHeap is the hosts with a free slot and an idle feed, by their
// earliest feed (container/heap).
type hostHeap struct {
	s    []*hostQueue
	work *int
}

func (h hostHeap) Len() int { return len(h.s) }
func (h hostHeap) Less(i, j int) bool {
	*h.work++
	return before(h.s[i].idle.s[0], h.s[j].idle.s[0])
}
func (h hostHeap) Swap(i, j int) {
	h.s[i], h.s[j] = h.s[j], h.s[i]
	h.s[i].i, h.s[j].i = i, j
}
func (h *hostHeap) Push(x any) {
	q := x.(*hostQueue)
	q.i = len(h.s)
	h.s = append(h.s, q)
}
func (h *hostHeap) Pop() any {
	q := h.s[len(h.s)-1]
	h.s[len(h.s)-1] = nil
	h.s = h.s[:len(h.s)-1]
	q.i = -1
	return q
}
