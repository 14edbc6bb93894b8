package article

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
)

// Defaults of Options.
const (
	DefaultMaxBody = 2 << 20
	DefaultTimeout = 10 * time.Second
	DefaultPerHost = 1
	DefaultGap     = time.Second
	// UserAgent is what article reads send, and the token robots.txt
	// groups are matched against (a "wirewatch" group applies too).
	UserAgent   = "wirewatch-article (+https://github.com/wirewatch/wirewatch)"
	robotsAgent = "wirewatch-article"
	// MaxRedirects is how many redirects (feed proxies, trackers) one read
	// follows.
	MaxRedirects = 5
	// maxRobots is how much of a robots.txt is read (RFC 9309 asks
	// crawlers to parse at least 500 KiB).
	maxRobots = 512 << 10
	// robotsFor is how long a host's robots.txt is kept; robotsRetry how
	// long a robots.txt that could not be read (5xx, timeout) blocks the
	// host's pages before it is asked again.
	robotsFor   = 12 * time.Hour
	robotsRetry = 10 * time.Minute
	maxHosts    = 4096 // hosts whose politeness state and robots are kept
	// maxBackOff bounds how long a 429 or 503 stops reads of a host (at
	// least a minute, else its Retry-After).
	maxBackOff = time.Hour
)

// Options configures a Reader. Zero fields take the defaults.
type Options struct {
	MaxBody int64         // bytes of a page, decompressed; default 2 MiB
	Timeout time.Duration // one request, body included; default 10 s
	PerHost int           // requests at once to one host; default 1, at most 2
	Gap     time.Duration // between the starts of two requests to one host; default 1 s
	// Guard is the SSRF guard of guarded reads; nil: feeds.NewGuard().
	Guard *feeds.Guard
	// Transport is for tests; nil: a tuned default. Guarded reads need an
	// *http.Transport (its dialer is replaced by the guard's).
	Transport *http.Transport
	Now       func() time.Time
}

// Page is a page read: the canonical form of the URL it was read at (after
// redirects) and its main text.
type Page struct {
	URL  string
	Text string
}

// Reader reads article pages. It is safe for concurrent use.
type Reader struct {
	o         Options
	guarded   *http.Client
	unguarded *http.Client
	Stats     *Stats

	mu    sync.Mutex
	hosts map[string]*host
}

// NewReader returns a Reader with o's settings.
func NewReader(o Options) *Reader {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	o.PerHost = min(max(o.PerHost, DefaultPerHost), 2)
	if o.Gap <= 0 {
		o.Gap = DefaultGap
	}
	if o.Guard == nil {
		o.Guard = feeds.NewGuard()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	base := o.Transport
	if base == nil {
		base = &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			ForceAttemptHTTP2:      true,
			MaxIdleConns:           64,
			MaxIdleConnsPerHost:    2,
			IdleConnTimeout:        90 * time.Second,
			TLSHandshakeTimeout:    o.Timeout,
			MaxResponseHeaderBytes: 64 << 10,
		}
	}
	guarded := base.Clone()
	guarded.Proxy = nil // a proxy would hide the page's address from the guard
	guarded.DialContext = o.Guard.DialContext(&net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second})
	// Redirects are followed by read, hop by hop, so that every host's
	// robots.txt and politeness apply.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Reader{
		o:         o,
		guarded:   &http.Client{Transport: guarded, CheckRedirect: noRedirect},
		unguarded: &http.Client{Transport: base, CheckRedirect: noRedirect},
		Stats:     NewStats(),
		hosts:     map[string]*host{},
	}
}

// Error is a read that failed, with a short reason for status ("403",
// "timeout", "robots.txt", "not HTML", "too large", "private address",
// "no text", "error").
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(reason string, format string, a ...any) error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, a...)}
}

// Reason is the short reason of a failed read, for status.
func Reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	switch {
	case errors.Is(err, feeds.ErrPrivateAddress):
		return "private address"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}

// Skip reports whether link is one not to read at all: Google News
// article links lead to a page of Google's that cannot be resolved to the
// article without Google's internal API.
func Skip(link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return true
	}
	return googleNews(u)
}

func googleNews(u *url.URL) bool {
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	return h == "news.google.com" || strings.HasSuffix(h, ".news.google.com")
}

// Read fetches link, following redirects, and extracts the page's main
// text. guarded turns on the SSRF guard for every hop. The outcome is
// counted in Stats under the host that answered.
func (r *Reader) Read(ctx context.Context, link string, guarded bool) (Page, error) {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Page{}, fail("bad link", "read %q: not an http or https URL", wirewatch.Clip(link, 200))
	}
	client := r.unguarded
	if guarded {
		client = r.guarded
	}
	for hop := 0; ; hop++ {
		if u.User != nil {
			return Page{}, r.count(u, fail("bad link", "read %s: user names and passwords in URLs are not accepted", u.Redacted()))
		}
		if googleNews(u) {
			return Page{}, r.count(u, fail("google news", "read %s: Google News links are not read", u.Redacted()))
		}
		next, page, err := r.hop(ctx, client, u)
		if err != nil {
			return Page{}, r.count(u, err)
		}
		if next == nil {
			page.URL = feeds.Canonical(u.String())
			r.count(u, nil)
			return page, nil
		}
		if hop == MaxRedirects {
			return Page{}, r.count(u, fail("redirects", "read %s: more than %d redirects", u.Redacted(), MaxRedirects))
		}
		u = next
	}
}

func (r *Reader) count(u *url.URL, err error) error {
	r.Stats.add(strings.ToLower(u.Host), err, r.o.Now())
	return err
}

// hop makes one request: robots.txt first (cached per host), then the page,
// within the host's politeness. It returns the next URL of a redirect, or
// the page.
func (r *Reader) hop(ctx context.Context, client *http.Client, u *url.URL) (*url.URL, Page, error) {
	h := r.host(u)
	if err := h.acquire(ctx); err != nil {
		return nil, Page{}, fail("timeout", "read %s: waiting for the host: %w", u.Redacted(), err)
	}
	defer h.release()
	if until := h.backedOff(r.o.Now()); !until.IsZero() {
		return nil, Page{}, fail("backing off", "read %s: %s asked for no requests until %s", u.Redacted(), u.Host, until.UTC().Format(time.RFC3339))
	}
	allowed, err := r.robots(ctx, client, h, u)
	if err != nil {
		return nil, Page{}, err
	}
	if !allowed {
		return nil, Page{}, fail("robots.txt", "read %s: refused by the host's robots.txt for %s", u.Redacted(), robotsAgent)
	}
	if err := h.wait(ctx, r.o.Gap, r.o.Now); err != nil {
		return nil, Page{}, fail("timeout", "read %s: waiting for the host: %w", u.Redacted(), err)
	}
	rctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, Page{}, fail("bad link", "read %s: %w", u.Redacted(), err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "text/html, application/xhtml+xml;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		return nil, Page{}, r.transportErr(u, ctx, rctx, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		next, err := u.Parse(resp.Header.Get("Location"))
		if err != nil || (next.Scheme != "http" && next.Scheme != "https") {
			return nil, Page{}, fail("bad link", "read %s: redirect to %q: want an http or https URL", u.Redacted(), wirewatch.Clip(resp.Header.Get("Location"), 200))
		}
		next.Fragment = ""
		return next, Page{}, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		// The host asked us to slow down: no request to it until then.
		wait := min(max(feeds.RetryAfterHeader(resp.Header, r.o.Now()), time.Minute), maxBackOff)
		h.backOff(r.o.Now().Add(wait))
		return nil, Page{}, fail(fmt.Sprint(resp.StatusCode), "read %s: HTTP %d %s: no reads of %s for %s", u.Redacted(), resp.StatusCode, http.StatusText(resp.StatusCode), u.Host, wait)
	case resp.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, Page{}, fail(fmt.Sprint(resp.StatusCode), "read %s: HTTP %d %s", u.Redacted(), resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != "text/html" && mt != "application/xhtml+xml" {
		return nil, Page{}, fail("not HTML", "read %s: %q is not an HTML page", u.Redacted(), wirewatch.Clip(ct, 100))
	}
	if resp.ContentLength > r.o.MaxBody {
		return nil, Page{}, fail("too large", "read %s: Content-Length %d is over the %d-byte cap", u.Redacted(), resp.ContentLength, r.o.MaxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, r.o.MaxBody+1))
	if err != nil {
		return nil, Page{}, r.transportErr(u, ctx, rctx, err)
	}
	if int64(len(body)) > r.o.MaxBody {
		return nil, Page{}, fail("too large", "read %s: more than the %d-byte cap", u.Redacted(), r.o.MaxBody)
	}
	text, err := Extract(body, ct, u)
	if err != nil {
		return nil, Page{}, fail("no text", "read %s: %w", u.Redacted(), err)
	}
	return nil, Page{Text: text}, nil
}

// transportErr words a failed request: our timeout, the caller's, the guard's refusal.
func (r *Reader) transportErr(u *url.URL, parent, rctx context.Context, err error) error {
	switch {
	case errors.Is(err, feeds.ErrPrivateAddress):
		return &Error{Reason: "private address", Err: fmt.Errorf("read %s: %w", u.Redacted(), err)}
	case parent.Err() != nil:
		return &Error{Reason: "timeout", Err: fmt.Errorf("read %s: %w", u.Redacted(), parent.Err())}
	case rctx.Err() != nil:
		return &Error{Reason: "timeout", Err: fmt.Errorf("read %s: timed out after %s: %w", u.Redacted(), r.o.Timeout, context.DeadlineExceeded)}
	}
	return &Error{Reason: "error", Err: fmt.Errorf("read %s: %w", u.Redacted(), err)}
}
