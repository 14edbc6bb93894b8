package feeds

import (
	"context"
	"errors"
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

// States loads and saves feeds' state between polls.
type States interface {
	FeedStates() (map[string]wirewatch.FeedState, error)
	PutFeedState(id string, st wirewatch.FeedState) error
}

// idle is the longest the poller sleeps without looking at the feed list.
const idle = time.Minute

// Poller polls feeds when they are due: at most Workers at once and at most
// PerHost to one host. A feed's next poll comes from its interval, raised by
// its TTL and the server's caching headers; failures back off but never
// stop the feed (see NextPoll).
type Poller struct {
	Fetcher *Fetcher
	Readers map[string]Reader // for pacer and courtlistener feeds
	Sink    Sink
	States  States
	// Feeds returns the feeds to poll: the config file's and the store's.
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
	done    chan struct{}

	mu     sync.Mutex
	states map[string]wirewatch.FeedState
	busy   map[string]bool
	hosts  map[string]int
}

func (p *Poller) init() {
	p.once.Do(func() {
		p.refresh = make(chan struct{}, 1)
		p.done = make(chan struct{}, 1)
		p.busy = map[string]bool{}
		p.hosts = map[string]int{}
		p.Workers = max(p.Workers, 1)
		p.PerHost = max(p.PerHost, 1)
	})
}

// Refresh makes the poller read the feed list again (a feed was added).
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

// Run polls due feeds until ctx is done, then waits for polls under way.
func (p *Poller) Run(ctx context.Context) error {
	p.init()
	if err := p.load(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := p.startDue(ctx, &wg, time.Now())
		timer.Reset(time.Until(next))
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-p.refresh:
		case <-p.done:
		}
	}
}

// startDue starts polls of the due feeds that the caps allow and returns
// when to look again.
func (p *Poller) startDue(ctx context.Context, wg *sync.WaitGroup, now time.Time) time.Time {
	next := now.Add(idle)
	feeds, err := p.Feeds()
	if err != nil {
		p.Log.Error("list feeds", "err", err)
		return next
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	inflight := 0
	for _, n := range p.hosts {
		inflight += n
	}
	for _, f := range feeds {
		if p.busy[f.ID] {
			continue
		}
		due := p.states[f.ID].NextPoll
		if due.After(now) {
			if due.Before(next) {
				next = due
			}
			continue
		}
		host := Host(f.URL)
		if inflight >= p.Workers || p.hosts[host] >= p.PerHost {
			continue // a finishing poll wakes the loop
		}
		inflight++
		p.hosts[host]++
		p.busy[f.ID] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.poll(ctx, f)
			p.mu.Lock()
			p.hosts[host]--
			delete(p.busy, f.ID)
			p.mu.Unlock()
			select {
			case p.done <- struct{}{}:
			default:
			}
		}()
	}
	return next
}

// PollAll polls every feed once now, within the same caps, and returns when
// all are done (wirewatch run -once).
func (p *Poller) PollAll(ctx context.Context) error {
	p.init()
	if err := p.load(); err != nil {
		return err
	}
	feeds, err := p.Feeds()
	if err != nil {
		return err
	}
	sem := make(chan struct{}, p.Workers)
	perHost := map[string]chan struct{}{}
	for _, f := range feeds {
		if perHost[Host(f.URL)] == nil {
			perHost[Host(f.URL)] = make(chan struct{}, p.PerHost)
		}
	}
	var wg sync.WaitGroup
	for _, f := range feeds {
		h := perHost[Host(f.URL)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			h <- struct{}{}
			defer func() { <-h; <-sem }()
			p.poll(ctx, f)
		}()
	}
	wg.Wait()
	return ctx.Err()
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

func (p *Poller) interval(f wirewatch.Feed) time.Duration {
	if f.Interval > 0 {
		return f.Interval
	}
	return p.Interval
}

// poll fetches, parses and commits one feed, and schedules its next poll.
func (p *Poller) poll(ctx context.Context, f wirewatch.Feed) {
	start := time.Now()
	st := p.state(f.ID)
	log := p.Log.With("feed", f.ID, "url", f.URL)
	if f.Type == "" || f.Type == wirewatch.FeedAuto {
		if u, err := url.Parse(f.URL); err == nil {
			f.Type = DetectType(u)
		}
	}
	if p.Gate != nil {
		if u, err := url.Parse(f.URL); err == nil {
			if wait := p.Gate(u); wait > 0 {
				st.NextPoll = start.Add(wait)
				p.save(f, st, log)
				return
			}
		}
	}
	untrusted := !wirewatch.ConfigID(f.ID) && !p.AllowPrivate
	v := Validators{ETag: st.ETag, LastModified: st.LastModified, BodyHash: st.BodyHash}
	resp, err := p.Fetcher.Fetch(ctx, f, v, untrusted)
	if ctx.Err() != nil {
		return // shutting down: this poll did not happen
	}
	st.LastPoll = start.UTC()
	if err != nil {
		p.failed(f, st, err, log, start)
		return
	}
	st.ETag, st.LastModified, st.BodyHash = resp.Validators.ETag, resp.Validators.LastModified, resp.Validators.BodyHash
	if resp.NotModified {
		p.recovered(&st, log)
		st.LastResult = "not modified"
		st.LastOK = st.LastPoll
		st.NextPoll = NextPoll(start, p.interval(f), 0, 0, 0, resp.CacheFor, nil)
		p.checkStale(f, &st, start, log)
		p.save(f, st, log)
		p.observe("not_modified", start)
		log.Debug("poll", "result", "not modified")
		return
	}
	parsed, err := Parse(ctx, resp.Body, f, p.Readers)
	if err != nil {
		// A body we cannot read must be read again next time, not skipped
		// as unchanged.
		st.BodyHash = ""
		p.failed(f, st, err, log, start)
		return
	}
	first := !st.Seeded
	p.recovered(&st, log)
	st.Seeded = true
	st.LastResult = "ok"
	st.LastOK = st.LastPoll
	st.Items = len(parsed.Items)
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
	if err := p.Sink.Commit(ctx, f, st, parsed.Items, first); err != nil {
		// Not recorded: poll again soon rather than lose the items.
		log.Error("record poll", "err", err)
		st.ETag, st.LastModified, st.BodyHash = "", "", ""
		st.NextPoll = NextPoll(start, p.interval(f), 1, 0, 0, 0, nil)
		p.setState(f.ID, st)
		p.observe("error", start)
		return
	}
	p.setState(f.ID, st)
	p.observe("ok", start)
	log.Debug("poll", "result", "ok", "items", len(parsed.Items), "first", first)
}

// checkStale flags a PACER feed whose lastBuildDate stopped moving: the
// court's feed is stuck, and entries may be missing. It logs the change once.
func (p *Poller) checkStale(f wirewatch.Feed, st *wirewatch.FeedState, now time.Time, log *slog.Logger) {
	if f.Type != wirewatch.FeedPACER {
		return
	}
	stale := pacer.Stale(st.LastBuild, now)
	if stale && !st.Stale {
		log.Warn("court feed looks stale: its lastBuildDate has not moved for over 2 hours on a weekday; entries may be missing", "last_build", st.LastBuild)
	} else if !stale && st.Stale {
		log.Info("court feed is moving again", "last_build", st.LastBuild)
	}
	st.Stale = stale
}

func (p *Poller) observe(result string, start time.Time) {
	if p.Observe != nil {
		p.Observe(result, time.Since(start))
	}
}

func (p *Poller) failed(f wirewatch.Feed, st wirewatch.FeedState, err error, log *slog.Logger, start time.Time) {
	var retry time.Duration
	var he *HTTPError
	if errors.As(err, &he) {
		retry = he.RetryAfter
		if he.Status == 429 && p.Throttled != nil {
			if u, perr := url.Parse(f.URL); perr == nil {
				p.Throttled(u, retry)
			}
		}
	}
	msg := err.Error()
	st.Errors++
	// One warning when a feed starts failing or fails differently; the
	// retries after it are debug lines.
	if st.Errors == 1 || msg != st.LastError {
		log.Warn("poll failed", "err", msg, "errors_in_a_row", st.Errors)
	} else {
		log.Debug("poll failed again", "err", msg, "errors_in_a_row", st.Errors)
	}
	st.LastError = msg
	st.LastResult = "error"
	st.NextPoll = NextPoll(start, p.interval(f), st.Errors, retry, 0, 0, nil)
	p.save(f, st, log)
	p.observe("error", start)
}

func (p *Poller) recovered(st *wirewatch.FeedState, log *slog.Logger) {
	if st.Errors > 0 {
		log.Info("feed recovered", "after_errors", st.Errors)
	}
	st.Errors, st.LastError = 0, ""
}

func (p *Poller) save(f wirewatch.Feed, st wirewatch.FeedState, log *slog.Logger) {
	p.setState(f.ID, st)
	if err := p.States.PutFeedState(f.ID, st); err != nil {
		log.Error("save feed state", "err", err)
	}
}
