package article

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/wirewatch/wirewatch/feeds"
)

// host is the politeness state of one origin: how many requests may run
// at once, when the next may start, and its robots.txt.
type host struct {
	key  string // scheme://host:port
	slot chan struct{}

	mu     sync.Mutex
	next   time.Time // earliest start of the next request
	quiet  time.Time // no requests before: the host answered 429 or 503
	users  int       // readers holding or waiting for a slot
	robots *robotstxt.RobotsData
	until  time.Time // robots kept until then
}

func (r *Reader) host(u *url.URL) *host {
	key := strings.ToLower(u.Scheme + "://" + u.Host)
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.hosts[key]
	if h == nil {
		if len(r.hosts) >= maxHosts {
			for k, old := range r.hosts {
				old.mu.Lock()
				idle := old.users == 0
				old.mu.Unlock()
				if idle {
					delete(r.hosts, k)
					break
				}
			}
		}
		h = &host{key: key, slot: make(chan struct{}, r.o.PerHost)}
		r.hosts[key] = h
	}
	h.mu.Lock()
	h.users++
	h.mu.Unlock()
	return h
}

// acquire takes one of the host's request slots.
func (h *host) acquire(ctx context.Context) error {
	select {
	case h.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		h.mu.Lock()
		h.users--
		h.mu.Unlock()
		return ctx.Err()
	}
}

func (h *host) release() {
	<-h.slot
	h.mu.Lock()
	h.users--
	h.mu.Unlock()
}

// wait sleeps until the host's next request may start, and books the one
// after it gap later. It is called with a slot held, before each request.
func (h *host) wait(ctx context.Context, gap time.Duration, now func() time.Time) error {
	h.mu.Lock()
	t := now()
	start := t
	if h.next.After(t) {
		start = h.next
	}
	h.next = start.Add(gap)
	h.mu.Unlock()
	if d := start.Sub(t); d > 0 {
		tm := time.NewTimer(d)
		defer tm.Stop()
		select {
		case <-tm.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// robots reports whether the host's robots.txt lets robotsAgent read u,
// fetching the file when it is not known (with the host's slot held, so it
// counts in the host's politeness). A robots.txt answered 4xx allows
// everything; 5xx, a timeout or a refused connection disallows everything
// for robotsRetry (RFC 9309, 2.3.1.3–4).
func (r *Reader) robots(ctx context.Context, client *http.Client, h *host, u *url.URL) (bool, error) {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	h.mu.Lock()
	rd, fresh := h.robots, r.o.Now().Before(h.until)
	h.mu.Unlock()
	if rd != nil && fresh {
		return rd.TestAgent(path, robotsAgent), nil
	}
	if err := h.wait(ctx, r.o.Gap, r.o.Now); err != nil {
		return false, fail("timeout", "read %s: waiting for the host: %w", u.Redacted(), err)
	}
	rd, keep, err := r.fetchRobots(ctx, client, h.key)
	if err != nil {
		return false, &Error{Reason: "private address", Err: fmt.Errorf("read %s: %w", u.Redacted(), err)}
	}
	h.mu.Lock()
	h.robots, h.until = rd, r.o.Now().Add(keep)
	h.mu.Unlock()
	return rd.TestAgent(path, robotsAgent), nil
}

var disallowAll, _ = robotstxt.FromStatusAndBytes(http.StatusServiceUnavailable, nil)

// fetchRobots reads origin's robots.txt. Its error is only the guard's
// refusal (not cached: the same host may be read unguarded for another
// feed); every other failure is a robots.txt that disallows for a while.
func (r *Reader) fetchRobots(ctx context.Context, client *http.Client, origin string) (*robotstxt.RobotsData, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, origin+"/robots.txt", nil)
	if err != nil {
		return disallowAll, robotsRetry, nil
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := client.Do(req)
	if errors.Is(err, feeds.ErrPrivateAddress) {
		return nil, 0, err
	}
	if err != nil {
		return disallowAll, robotsRetry, nil
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// Not followed (RFC 9309 allows five hops; robots.txt behind a
		// redirect is rare): treated as unavailable, which allows.
		return robotsAllowAll(), robotsFor, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobots))
	if err != nil {
		return disallowAll, robotsRetry, nil
	}
	rd, err := robotstxt.FromStatusAndBytes(resp.StatusCode, body)
	if err != nil {
		// Lines it cannot read are not a refusal.
		return robotsAllowAll(), robotsFor, nil
	}
	if resp.StatusCode >= 500 {
		return rd, robotsRetry, nil
	}
	return rd, robotsFor, nil
}

func robotsAllowAll() *robotstxt.RobotsData {
	rd, _ := robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	return rd
}

// backOff stops requests to the host until t.
func (h *host) backOff(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.quiet) {
		h.quiet = t
	}
}

// backedOff returns when the host's back-off ends, or zero when there is
// none at now.
func (h *host) backedOff(now time.Time) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Before(h.quiet) {
		return h.quiet
	}
	return time.Time{}
}
