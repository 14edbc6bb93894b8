package article

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch/feeds"
)

// Pool defaults.
const (
	// DefaultWait is how long an item waits for its page before it is
	// matched on the feed's text alone (the caller's wait: the pool's reads
	// go on, each bounded by a minute).
	DefaultWait = 15 * time.Second
	// MaxPending bounds the reads under way or waiting for their host, in
	// all and per host: past them a page is not read (the item is matched
	// on the feed's text), so a slow site cannot pile up work. A read holds
	// no poll, so the polls of a busy moment start all their reads at once
	// (1,000 new items from 100 publishers in BenchmarkIngestFulltext): the
	// bound in all is for that, each read a goroutine of a few KB.
	MaxPending        = 2048
	MaxPendingPerHost = 16
	// readFor bounds one read in all: waiting for the host's slot and gap,
	// robots.txt and every redirect hop.
	readFor = time.Minute
	// remembered is how many links the pool remembers: a link read (or
	// being read) is never read again while remembered, and its text is
	// reused (ten section feeds carrying one story cost one read).
	remembered = 512
)

// ErrBusy is the error for a page not read because too many reads were
// waiting already.
var ErrBusy = errors.New("too many article reads waiting")

// ErrWaited is the error for a page that did not come within the caller's
// wait; the read goes on and its text is kept for the next item that links
// it.
var ErrWaited = errors.New("article not read in time")

// Pool runs reads in their own goroutines, at most MaxPending at once;
// callers wait for them as long as they choose (Start).
type Pool struct {
	r *Reader

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	calls   map[string]*list.Element // by canonical link; values *call
	lru     *list.List
	pending int
	perHost map[string]int
}

type call struct {
	keys []string
	done chan struct{}
	page Page
	err  error
}

// NewPool returns a pool reading with r. Close stops it.
func NewPool(r *Reader) *Pool {
	ctx, cancel := context.WithCancel(context.Background())
	return &Pool{r: r, ctx: ctx, cancel: cancel,
		calls: map[string]*list.Element{}, lru: list.New(), perHost: map[string]int{}}
}

// Reader is the pool's reader (its Stats are status's).
func (p *Pool) Reader() *Reader { return p.r }

// Close cancels the reads under way and waits for their goroutines.
func (p *Pool) Close() {
	p.cancel()
	p.wg.Wait()
}

// Request is one page to read.
type Request struct {
	Link    string
	Guarded bool // SSRF guard on (every hop must be a public address)
}

// Result is the outcome of one Request: the page, or why there is none.
type Result struct {
	Page Page
	Err  error
}

// Start begins reading rq's page, or joins the read of it under way or
// remembered, and returns a channel that gets its result once: the page,
// or why there is none (ErrBusy, a read's error, the pool closed). It
// does not wait: the caller bounds its own wait.
func (p *Pool) Start(rq Request) <-chan Result {
	out := make(chan Result, 1)
	c, err := p.start(rq)
	if err != nil {
		out <- Result{Err: err}
		return out
	}
	select {
	case <-c.done:
		out <- Result{Page: c.page, Err: c.err}
	default:
		p.wg.Go(func() {
			<-c.done // every read ends: it is bounded by readFor and by Close
			out <- Result{Page: c.page, Err: c.err}
		})
	}
	return out
}

// start returns the call reading rq.Link: one remembered, else a new one.
func (p *Pool) start(rq Request) (*call, error) {
	key := feeds.Canonical(rq.Link)
	u, err := url.Parse(key)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", key, err)
	}
	host := strings.ToLower(u.Hostname())
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.calls[key]; ok {
		p.lru.MoveToFront(e)
		return e.Value.(*call), nil
	}
	if p.ctx.Err() != nil {
		return nil, p.ctx.Err()
	}
	if p.pending >= MaxPending || p.perHost[host] >= MaxPendingPerHost {
		return nil, fmt.Errorf("read %s: %w", u.Redacted(), ErrBusy)
	}
	c := &call{done: make(chan struct{})}
	p.remember(key, c)
	p.pending++
	p.perHost[host]++
	p.wg.Go(func() {
		ctx, cancel := context.WithTimeout(p.ctx, readFor)
		defer cancel()
		c.page, c.err = p.r.Read(ctx, rq.Link, rq.Guarded)
		p.mu.Lock()
		p.pending--
		if p.perHost[host]--; p.perHost[host] <= 0 {
			delete(p.perHost, host)
		}
		if c.err == nil && c.page.URL != key {
			if _, ok := p.calls[c.page.URL]; !ok {
				p.remember(c.page.URL, c) // the page's own link reads it too
			}
		}
		p.mu.Unlock()
		close(c.done)
	})
	return c, nil
}

// remember puts key → c in the LRU, forgetting the oldest link past
// remembered (p.mu held).
func (p *Pool) remember(key string, c *call) {
	c.keys = append(c.keys, key)
	p.calls[key] = p.lru.PushFront(c)
	for p.lru.Len() > remembered {
		old := p.lru.Back()
		oc := old.Value.(*call)
		p.lru.Remove(old)
		for _, k := range oc.keys {
			if p.calls[k] == old {
				delete(p.calls, k)
			}
		}
	}
}
