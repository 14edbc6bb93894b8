package feeds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/pacer"
)

// Sink takes the items of a successful poll, with the feed's new state, and
// records both in one transaction. first is true on the feed's first poll.
type Sink interface {
	Commit(ctx context.Context, f wirewatch.Feed, st wirewatch.FeedState, items []wirewatch.Item, first bool) error
}

// States loads and saves feeds' state between polls. A state queued is
// written with the others at the next flush, in one transaction: the poller
// flushes every flushEvery and when it stops.
type States interface {
	FeedStates() (map[string]wirewatch.FeedState, error)
	QueueFeedState(id string, st wirewatch.FeedState)
	FlushFeedStates() error
}

// Poller timings.
const (
	// idle is the longest the poller sleeps when no feed is due.
	idle = time.Minute
	// flushEvery is how long a queued feed state waits to be written with
	// the others. Only polls that brought no items queue their state (a
	// poll with items writes it in the transaction that records them), so
	// what a crash loses is at most this much of 304s, same-body polls and
	// failures: each costs one more conditional GET after the restart, and
	// no item and no alert.
	flushEvery = 250 * time.Millisecond
	// early is how long before it is due a feed may be polled (one whose
	// interval is at least ten times as long), so that a wake starts the
	// polls of the next second together. Waking once per poll cost three
	// times the CPU of the polls themselves at 10,000 feeds every 5
	// minutes: Go's scheduler and the kernel's wakeups are paid per wake.
	early = time.Second
)

// Poller polls feeds when they are due: at most Workers at once and at most
// PerHost to one host, the most overdue feed first. A feed's next poll comes
// from its interval, raised by its TTL and the server's caching headers;
// failures back off but never stop the feed (see NextPoll).
type Poller struct {
	Fetcher *Fetcher
	Readers map[string]Reader // for pacer and courtlistener feeds
	Sink    Sink
	States  States
	// Feeds returns the feeds to poll: the config file's and the store's.
	// It is called when the poller starts and after Refresh, not per poll.
	Feeds    func() ([]wirewatch.Feed, error)
	Interval time.Duration // default poll interval
	Workers  int
	PerHost  int
	// AllowPrivate lets feeds added at run time reach private addresses.
	AllowPrivate bool
	// Gate, when set, may hold a feed back (the CourtListener API budget):
	// it returns how long until the feed may be fetched, 0 for now.
	Gate func(u *url.URL) time.Duration
	// Throttled, when set, hears of every 429 and the wait it asked for,
	// so the Gate's budget backs off too.
	Throttled func(u *url.URL, retryAfter time.Duration)
	// Observe, when set, records each poll's result ("ok", "not_modified",
	// "error") and duration.
	Observe func(result string, d time.Duration)
	Log     *slog.Logger

	once    sync.Once
	refresh chan struct{}
	done    chan struct{} // a poll ended
	dirty   chan struct{} // a feed state was queued
	health  health

	mu       sync.Mutex
	states   map[string]wirewatch.FeedState
	sched    *schedule
	inflight int
	work     chan job
	// memos are the item sums of feeds' last committed parses (split.go),
	// kept for feeds whose body changed since this process first parsed
	// it; a feed parsed once has a nil memo. memoItems counts the sums
	// kept, at most maxMemoItems.
	memos     map[string]*itemMemo
	memoItems int
}

// maxMemoItems bounds the item sums the poller keeps, about 24 bytes
// each: 500,000 are 5,000 changing feeds of 100 items. A feed past it is
// parsed whole.
const maxMemoItems = 500_000

// job is one poll handed to a worker: the feed as it was when taken, so a
// Refresh meanwhile does not change it under the worker.
type job struct {
	e    *entry
	feed wirewatch.Feed
	url  *url.URL
}

func (p *Poller) init() {
	p.once.Do(func() {
		p.refresh = make(chan struct{}, 1)
		p.done = make(chan struct{}, 1)
		p.dirty = make(chan struct{}, 1)
		p.Workers = max(p.Workers, 1)
		p.PerHost = max(p.PerHost, 1)
		p.sched = newSchedule(p.PerHost, p.Interval)
		p.memos = map[string]*itemMemo{}
		p.health.log = p.Log
	})
}

// Refresh makes the poller read the feed list again (a feed was added or
// dropped).
func (p *Poller) Refresh() {
	p.init()
	select {
	case p.refresh <- struct{}{}:
	default:
	}
}

func (p *Poller) load() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.states != nil {
		return nil
	}
	st, err := p.States.FeedStates()
	if err != nil {
		return err
	}
	p.states = st
	return nil
}

// rebuild reads the feed list into the schedule; once schedules every feed
// for now and only once (PollAll).
func (p *Poller) rebuild(once bool) error {
	feeds, err := p.Feeds()
	if err != nil {
		return fmt.Errorf("list feeds: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sched.rebuild(feeds, func(id string) (time.Time, bool) {
		if once {
			return time.Time{}, false
		}
		st := p.states[id]
		return st.NextPoll, st.Errors > 0
	})
	for id := range p.memos {
		if p.sched.feeds[id] == nil {
			p.keepMemo(id, nil, false)
		}
	}
	return nil
}

// memo is what the last committed parse of feed id left for the next one;
// again is whether there was one since the poller started.
func (p *Poller) memo(id string) (m *itemMemo, again bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, again = p.memos[id]
	return m, again
}

// keepMemo replaces feed id's memo with m (nil: the next parse is whole,
// and records its sums), or forgets the feed (!keep: its next parse is
// whole and records nothing). The caller holds p.mu.
func (p *Poller) keepMemo(id string, m *itemMemo, keep bool) {
	if old := p.memos[id]; old != nil {
		p.memoItems -= len(old.items)
	}
	delete(p.memos, id)
	if !keep || p.sched.feeds[id] == nil {
		return // or dropped from the list while it was polled
	}
	if m != nil && p.memoItems+len(m.items) > maxMemoItems {
		m = nil
	}
	if m != nil {
		p.memoItems += len(m.items)
	}
	p.memos[id] = m
}

// Run polls due feeds until ctx is done, then waits for polls under way and
// writes the feed states still queued.
func (p *Poller) Run(ctx context.Context) error {
	p.init()
	if err := p.load(); err != nil {
		return err
	}
	if err := p.rebuild(false); err != nil {
		p.Log.Error("list feeds", "err", err) // tried again at the next Refresh or in a minute
	}
	stop := p.startWorkers(ctx, true)
	defer stop()
	timer := time.NewTimer(0)
	defer timer.Stop()
	listed := true
	for {
		wait := p.startDue(time.Now())
		if !listed {
			wait = min(wait, idle)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			if !listed {
				listed = p.relist()
			}
		case <-p.refresh:
			listed = p.relist()
		case <-p.done:
		}
	}
}

func (p *Poller) relist() bool {
	if err := p.rebuild(false); err != nil {
		p.Log.Error("list feeds", "err", err)
		return false
	}
	return true
}

// startWorkers starts the poll workers and the flusher. The function it
// returns waits for the polls under way, stops the flusher and writes the
// queued states.
func (p *Poller) startWorkers(ctx context.Context, again bool) (stop func()) {
	p.work = make(chan job, p.Workers)
	var wg sync.WaitGroup
	for range p.Workers {
		wg.Go(func() {
			for j := range p.work {
				p.poll(ctx, j.feed, j.url)
				p.mu.Lock()
				p.inflight--
				// After a failure the next poll is a backoff or the
				// server's Retry-After: not to be made early.
				st := p.states[j.feed.ID]
				p.sched.done(j.e, st.NextPoll, st.Errors > 0, again)
				p.mu.Unlock()
				select {
				case p.done <- struct{}{}:
				default:
				}
			}
		})
	}
	quit := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		p.flusher(quit)
	}()
	return func() {
		close(p.work)
		wg.Wait()
		close(quit)
		<-flushed
		p.flush()
	}
}

// startDue hands due feeds to the workers as far as the caps allow and
// returns how long to sleep before the next is due. With every worker busy
// it looks at nothing: a finishing poll wakes the loop.
func (p *Poller) startDue(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.inflight < p.Workers {
		e := p.sched.take(now, early)
		if e == nil {
			break
		}
		p.inflight++
		// The channel holds Workers jobs and at most Workers are under
		// way, so this never blocks.
		p.work <- job{e: e, feed: e.feed, url: e.url}
	}
	if p.inflight >= p.Workers {
		return idle
	}
	next, ok := p.sched.next()
	if !ok {
		return idle
	}
	return max(next.Sub(now), 0)
}

// PollAll polls every feed once now, within the same caps, and returns when
// all are done (wirewatch run -once).
func (p *Poller) PollAll(ctx context.Context) error {
	p.init()
	if err := p.load(); err != nil {
		return err
	}
	if err := p.rebuild(true); err != nil {
		return err
	}
	stop := p.startWorkers(ctx, false)
	defer stop()
	for {
		p.startDue(time.Now())
		p.mu.Lock()
		finished := p.sched.empty()
		p.mu.Unlock()
		if finished {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.done:
		}
	}
}

// flusher writes queued feed states flushEvery after the first of them,
// until quit is closed.
func (p *Poller) flusher(quit <-chan struct{}) {
	t := time.NewTimer(flushEvery)
	t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-p.dirty:
		}
		t.Reset(flushEvery)
		select {
		case <-quit:
			t.Stop()
			return
		case <-t.C:
		}
		p.flush()
	}
}

func (p *Poller) flush() {
	p.health.result(opSaveStates, p.States.FlushFeedStates())
}

// StoreError is the store write failure under way, if any, and since when:
// the daemon's status and /readyz show it.
func (p *Poller) StoreError() (since time.Time, err error) {
	return p.health.failing()
}

func (p *Poller) state(id string) wirewatch.FeedState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.states[id]
}

func (p *Poller) setState(id string, st wirewatch.FeedState) {
	p.mu.Lock()
	p.states[id] = st
	p.mu.Unlock()
}

// setParsed is setState after a parse, with the memo for the next parse
// of the feed (nil: whole; see keepMemo).
func (p *Poller) setParsed(id string, st wirewatch.FeedState, m *itemMemo) {
	p.mu.Lock()
	p.states[id] = st
	p.keepMemo(id, m, true)
	p.mu.Unlock()
}

func (p *Poller) interval(f wirewatch.Feed) time.Duration {
	if f.Interval > 0 {
		return f.Interval
	}
	return p.Interval
}

// poll fetches, parses and commits one feed, and schedules its next poll.
// u is f.URL parsed (nil if it does not parse).
func (p *Poller) poll(ctx context.Context, f wirewatch.Feed, u *url.URL) {
	start := time.Now()
	st := p.state(f.ID)
	log := &feedLog{base: p.Log, f: &f}
	if (f.Type == "" || f.Type == wirewatch.FeedAuto) && u != nil {
		f.Type = DetectType(u)
	}
	if p.Gate != nil && u != nil {
		if wait := p.Gate(u); wait > 0 {
			st.NextPoll = start.Add(wait)
			p.save(f, st)
			return
		}
	}
	untrusted := !f.Trusted() && !p.AllowPrivate
	v := Validators{ETag: st.ETag, LastModified: st.LastModified, BodyHash: st.BodyHash}
	resp, err := p.Fetcher.Fetch(ctx, f, v, untrusted)
	if ctx.Err() != nil {
		return // shutting down: this poll did not happen
	}
	st.LastPoll = start.UTC()
	if err != nil {
		p.failed(f, u, st, err, start)
		return
	}
	st.ETag, st.LastModified, st.BodyHash = resp.Validators.ETag, resp.Validators.LastModified, resp.Validators.BodyHash
	if resp.NotModified {
		p.recovered(&st, log)
		st.LastResult = "not modified"
		st.LastOK = st.LastPoll
		st.NextPoll = NextPoll(start, p.interval(f), 0, 0, 0, resp.CacheFor, nil)
		p.checkStale(f, &st, start, log)
		p.save(f, st)
		p.observe("not_modified", start)
		if p.Log.Enabled(ctx, slog.LevelDebug) {
			log.get().Debug("poll", "result", "not modified")
		}
		return
	}
	// A feed's first parse since the poller started is whole and records
	// nothing: most feeds' bodies never change, and they need no memo.
	prev, again := p.memo(f.ID)
	parsed, memo, err := parse(ctx, resp.Body, f, p.Readers, prev, again)
	resp.Release() // what parse returns shares no bytes with the body
	if err != nil {
		// A body we cannot read must be read again next time, not skipped
		// as unchanged.
		st.BodyHash = ""
		p.failed(f, u, st, err, start)
		return
	}
	first := !st.Seeded
	p.recovered(&st, log)
	st.Seeded = true
	st.LastResult = "ok"
	st.LastOK = st.LastPoll
	st.Items = parsed.Count
	if parsed.Title != "" {
		st.Title = parsed.Title
	}
	if !parsed.LastBuild.Equal(st.LastBuild) {
		st.LastBuild, st.BuildSeen = parsed.LastBuild, st.LastPoll
	}
	st.NextPoll = NextPoll(start, p.interval(f), 0, 0, parsed.TTL, resp.CacheFor, nil)
	p.checkStale(f, &st, start, log)
	for i := range parsed.Items {
		if parsed.Items[i].Published.IsZero() {
			parsed.Items[i].Published = st.LastPoll
		}
	}
	// The state goes into the transaction that records the items, so the
	// validators of a body whose items are committed are durable with them.
	err = p.Sink.Commit(ctx, f, st, parsed.Items, first)
	p.health.result(opRecordPoll, err)
	if err != nil {
		// Not recorded: poll again soon rather than lose the items. The
		// store's failure is logged once by health, not per poll.
		st.ETag, st.LastModified, st.BodyHash = "", "", ""
		st.NextPoll = NextPoll(start, p.interval(f), 1, 0, 0, 0, nil)
		p.setParsed(f.ID, st, nil) // the next parse is whole
		p.observe("error", start)
		return
	}
	// Only now are the items of this document recorded: the next parse
	// may leave out those it summed.
	p.setParsed(f.ID, st, memo)
	p.observe("ok", start)
	if p.Log.Enabled(ctx, slog.LevelDebug) {
		log.get().Debug("poll", "result", "ok", "items", parsed.Count, "read", len(parsed.Items), "first", first)
	}
}

// feedLog is a feed's logger, built when a line is first written: most
// polls write none, and slog's With costs an allocation per poll.
type feedLog struct {
	base *slog.Logger
	f    *wirewatch.Feed
	l    *slog.Logger
}

func (fl *feedLog) get() *slog.Logger {
	if fl.l == nil {
		fl.l = fl.base.With("feed", fl.f.ID, "url", fl.f.URL)
	}
	return fl.l
}

// checkStale flags a PACER feed whose lastBuildDate stopped moving: the
// court's feed is stuck, and entries may be missing. It logs the change once.
func (p *Poller) checkStale(f wirewatch.Feed, st *wirewatch.FeedState, now time.Time, log *feedLog) {
	if f.Type != wirewatch.FeedPACER {
		return
	}
	stale := pacer.Stale(st.LastBuild, now)
	if stale && !st.Stale {
		log.get().Warn("court feed looks stale: its lastBuildDate has not moved for over 2 hours on a weekday; entries may be missing", "last_build", st.LastBuild)
	} else if !stale && st.Stale {
		log.get().Info("court feed is moving again", "last_build", st.LastBuild)
	}
	st.Stale = stale
}

func (p *Poller) observe(result string, start time.Time) {
	if p.Observe != nil {
		p.Observe(result, time.Since(start))
	}
}

func (p *Poller) failed(f wirewatch.Feed, u *url.URL, st wirewatch.FeedState, err error, start time.Time) {
	var retry time.Duration
	var he *HTTPError
	if errors.As(err, &he) {
		retry = he.RetryAfter
		if he.Status == 429 && p.Throttled != nil && u != nil {
			p.Throttled(u, retry)
		}
	}
	msg := err.Error()
	st.Errors++
	// One warning when a feed starts failing or fails differently; the
	// retries after it are debug lines. The error names the URL (fetch
	// and parse errors start with it), so the line gives only the feed's id.
	if st.Errors == 1 || msg != st.LastError {
		p.Log.Warn("poll failed", "feed", f.ID, "err", msg, "errors_in_a_row", st.Errors)
	} else if p.Log.Enabled(context.Background(), slog.LevelDebug) {
		p.Log.Debug("poll failed again", "feed", f.ID, "err", msg, "errors_in_a_row", st.Errors)
	}
	st.LastError = msg
	st.LastResult = "error"
	st.NextPoll = NextPoll(start, p.interval(f), st.Errors, retry, 0, 0, nil)
	p.save(f, st)
	p.observe("error", start)
}

func (p *Poller) recovered(st *wirewatch.FeedState, log *feedLog) {
	if st.Errors > 0 {
		log.get().Info("feed recovered", "after_errors", st.Errors)
	}
	st.Errors, st.LastError = 0, ""
}

// save keeps st and queues it for the next flush.
func (p *Poller) save(f wirewatch.Feed, st wirewatch.FeedState) {
	p.setState(f.ID, st)
	p.States.QueueFeedState(f.ID, st)
	select {
	case p.dirty <- struct{}{}:
	default:
	}
}
