package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
	"golang.org/x/net/html/charset"
)

// Fetch limits and defaults.
const (
	DefaultMaxBody        = 10 << 20
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultUserAgent      = "wirewatch (+https://github.com/wirewatch/wirewatch)"
	// MaxRedirects is how many redirects one fetch follows.
	MaxRedirects = 5
	// MaxRetryAfter bounds how long a server may ask us to wait, so that a
	// hostile or broken Retry-After cannot park a feed for good.
	MaxRetryAfter = 24 * time.Hour
	// maxCacheFor bounds what Cache-Control and Expires may ask.
	maxCacheFor = 24 * time.Hour
	// maxErrorBody is how much of an error response is read (and dropped) so
	// the connection can be reused.
	maxErrorBody = 64 << 10
)

// ErrTooLarge is the error for a feed whose body is over the cap; it is
// wrapped with the feed's URL and the cap.
var ErrTooLarge = errors.New("body too large")

// Options configures a Fetcher. Zero fields take the defaults.
type Options struct {
	UserAgent      string        // e.g. "wirewatch/1.2.3 (+https://github.com/wirewatch/wirewatch)"
	MaxBody        int64         // default 10 MiB
	Timeout        time.Duration // total per fetch, body included; default 30 s
	ConnectTimeout time.Duration // default 10 s
	// Header adds request headers for a URL (the CourtListener API token);
	// may be nil. It is asked again for every redirect, so a header meant
	// for one host does not follow a redirect to another.
	Header func(u *url.URL) http.Header
	// Transport is for tests and benchmarks; nil: a tuned default. When it
	// is not an *http.Transport the SSRF guard cannot see dials and checks
	// the resolved addresses of every hop before the request instead.
	Transport http.RoundTripper
}

// Fetcher makes conditional GETs of feeds. It is safe for concurrent use.
type Fetcher struct {
	o         Options
	trusted   *http.Client
	untrusted *http.Client
	guard     *guard
	// preCheck: the guard cannot run at dial time (foreign Transport), so
	// every hop of an untrusted fetch is resolved and checked first.
	preCheck  bool
	now       func() time.Time
	userAgent []string // the User-Agent header's value, shared by requests
}

// NewFetcher returns a Fetcher with o's settings.
func NewFetcher(o Options) *Fetcher {
	return newFetcher(o, &guard{})
}

func newFetcher(o Options, g *guard) *Fetcher {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	f := &Fetcher{o: o, guard: g, now: time.Now, userAgent: []string{o.UserAgent}}
	dialer := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}

	var trustedRT, untrustedRT http.RoundTripper
	switch t := o.Transport.(type) {
	case nil:
		base := &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            dialer.DialContext,
			ForceAttemptHTTP2:      true,
			MaxIdleConns:           256,
			MaxIdleConnsPerHost:    4,
			IdleConnTimeout:        90 * time.Second,
			TLSHandshakeTimeout:    o.ConnectTimeout,
			ExpectContinueTimeout:  time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		}
		trustedRT = base
		u := base.Clone()
		// A proxy would hide the feed's address from the guard.
		u.Proxy = nil
		u.DialContext = g.dialContext(dialer)
		untrustedRT = u
	case *http.Transport:
		trustedRT = t
		u := t.Clone()
		u.Proxy = nil
		u.DialContext = g.dialContext(dialer)
		untrustedRT = u
	default:
		trustedRT, untrustedRT = t, t
		f.preCheck = true
	}
	f.trusted = &http.Client{Transport: trustedRT, CheckRedirect: f.checkRedirect(false)}
	f.untrusted = &http.Client{Transport: untrustedRT, CheckRedirect: f.checkRedirect(true)}
	return f
}

func (f *Fetcher) checkRedirect(untrusted bool) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %q: want http or https", req.URL.Scheme)
		}
		if untrusted && f.preCheck {
			if _, err := checkURL(req.Context(), req.URL.String(), false, f.guard, net.DefaultResolver); err != nil {
				return err
			}
		}
		if f.o.Header != nil {
			// Headers are per URL: drop the first request's (net/http
			// copies them onto every hop, even to another origin when the
			// host name is the same or a subdomain), add this hop's.
			for k := range f.o.Header(via[0].URL) {
				req.Header.Del(k)
			}
			for k, vs := range f.o.Header(req.URL) {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
		}
		return nil
	}
}

// Validators are what a feed's server gave to make the next GET conditional,
// and the hash of the last body; the store keeps them between polls.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	BodyHash     string `json:"body_hash,omitempty"`
}

// ValidatorsOf takes a feed's validators from its stored state.
func ValidatorsOf(s wirewatch.FeedState) Validators {
	return Validators{ETag: s.ETag, LastModified: s.LastModified, BodyHash: s.BodyHash}
}

// Store writes v into a feed's stored state.
func (v Validators) Store(s *wirewatch.FeedState) {
	s.ETag, s.LastModified, s.BodyHash = v.ETag, v.LastModified, v.BodyHash
}

// Response is the outcome of a successful fetch.
type Response struct {
	NotModified bool       // 304, or 200 with the same body hash as before
	Body        []byte     // UTF-8 where the charset came only from Content-Type; nil when NotModified
	Validators  Validators // to keep for next time (the old ones carried over on 304)
	Status      int
	CacheFor    time.Duration // from Cache-Control max-age / Expires (0 if none), at most 24 h

	buf *bytes.Buffer // Body's pooled buffer, for Release
}

// Release gives Body's buffer back for other fetches to read into; Body
// must not be used after, nor anything that shares its bytes. The poller
// releases a body once parsed: a copy of each changed body was a tenth of
// a poll cycle's garbage. A body never released is collected as usual.
func (r *Response) Release() {
	if r.buf != nil {
		putBodyBuf(r.buf)
	}
	r.buf, r.Body = nil, nil
}

// HTTPError is a non-2xx, non-304 answer.
type HTTPError struct {
	URL    string
	Status int
	// RetryAfter is the server's Retry-After on 429 and 503 (seconds or an
	// HTTP date), at most MaxRetryAfter; zero if none.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("fetch %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Fetch GETs the feed, conditionally on v. untrusted turns on the SSRF guard:
// every address dialled, the first and those of redirects, must be public.
//
// Errors: *HTTPError for answers other than 2xx and 304; ErrTooLarge (wrapped)
// for bodies over MaxBody; ErrPrivateAddress (wrapped, naming the host and
// address) from the guard; context.DeadlineExceeded (wrapped) when the fetch
// takes longer than Timeout; net errors otherwise.
func (f *Fetcher) Fetch(ctx context.Context, feed wirewatch.Feed, v Validators, untrusted bool) (Response, error) {
	raw := strings.TrimSpace(feed.URL)
	u, err := url.Parse(raw)
	if err != nil {
		return Response{}, fmt.Errorf("fetch %q: %w", wirewatch.Clip(feed.URL, 200), err)
	}
	// The URL as errors name it, made only for an error: most fetches
	// have none.
	where := func() string { return u.Redacted() }
	if u.Scheme != "http" && u.Scheme != "https" {
		return Response{}, fmt.Errorf("fetch %s: want an http or https URL", where())
	}
	client := f.trusted
	if untrusted {
		client = f.untrusted
		if u.User != nil {
			return Response{}, fmt.Errorf("fetch %s: user names and passwords in URLs are not accepted", where())
		}
		if f.preCheck {
			if _, err := checkURL(ctx, u.String(), false, f.guard, net.DefaultResolver); err != nil {
				return Response{}, fmt.Errorf("fetch %s: %w", where(), err)
			}
		}
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, f.o.Timeout)
	defer cancel()
	// raw, not u.String(): the same URL, without writing it out again.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return Response{}, fmt.Errorf("fetch %s: %w", where(), err)
	}
	// A new map per request, not a pooled one: net/http may still read a
	// request's header after handing back the response (its writer
	// goroutine, when a server answers before reading the request), and a
	// map cleared meanwhile would be a fatal concurrent map access.
	h := make(http.Header, 8)
	req.Header = h
	if f.o.Header != nil {
		for k, vs := range f.o.Header(u) {
			for _, val := range vs {
				h.Add(k, val)
			}
		}
	}
	// The fixed values are shared between requests: net/http only reads
	// them (Client.Do copies the header for redirects).
	h["User-Agent"] = f.userAgent
	h["Accept"] = acceptFeeds
	// Asked for explicitly, so the cap below counts decompressed bytes
	// whatever the RoundTripper.
	h["Accept-Encoding"] = acceptGzip
	if v.ETag != "" {
		h.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		h.Set("If-Modified-Since", v.LastModified)
	}

	resp, err := client.Do(req)
	if err != nil {
		return Response{}, fetchErr(where(), parent, ctx, f.o.Timeout, err)
	}
	defer resp.Body.Close()
	now := f.now()

	switch {
	case resp.StatusCode == http.StatusNotModified:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		nv := v
		if e := resp.Header.Get("ETag"); e != "" {
			nv.ETag = e
		}
		if lm := resp.Header.Get("Last-Modified"); lm != "" {
			nv.LastModified = lm
		}
		return Response{NotModified: true, Validators: nv, Status: resp.StatusCode, CacheFor: cacheFor(resp.Header, now)}, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		he := &HTTPError{URL: where(), Status: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			he.RetryAfter = RetryAfterHeader(resp.Header, now)
		}
		return Response{}, he
	}

	buf := bodyBufs.Get().(*bytes.Buffer)
	body, err := f.readBody(resp, buf)
	if err != nil {
		putBodyBuf(buf)
		if errors.Is(err, ErrTooLarge) {
			return Response{}, fmt.Errorf("fetch %s: %w", where(), err)
		}
		return Response{}, fetchErr(where(), parent, ctx, f.o.Timeout, err)
	}
	sum := sha256.Sum256(body)
	nv := Validators{
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		BodyHash:     hex.EncodeToString(sum[:]),
	}
	r := Response{Validators: nv, Status: resp.StatusCode, CacheFor: cacheFor(resp.Header, now)}
	if v.BodyHash != "" && v.BodyHash == nv.BodyHash {
		putBodyBuf(buf)
		r.NotModified = true
		return r, nil
	}
	// The body stays in the pooled buffer until the caller releases it,
	// unless toUTF8 made the caller a copy of its own.
	r.Body = toUTF8(body, resp.Header.Get("Content-Type"))
	switch {
	case len(r.Body) == 0:
		putBodyBuf(buf)
		r.Body = []byte{}
	case &r.Body[0] == &body[0]:
		r.buf = buf
	default:
		putBodyBuf(buf)
	}
	return r, nil
}

// The fixed request header values.
var (
	acceptFeeds = []string{"application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"}
	acceptGzip  = []string{"gzip"}
)

// bodyBufs recycles the buffers bodies are read into: most bodies read are
// the same as last time (the hash says so) and are dropped at once, and a
// buffer grown for each of them was most of a daemon's garbage.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody is the largest buffer kept for reuse; a rare huge body's is
// left to the collector rather than held.
const maxPooledBody = 1 << 20

func putBodyBuf(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBody {
		b.Reset()
		bodyBufs.Put(b)
	}
}

// fetchErr words a transport error: the caller's cancellation as is, our own
// timeout naming it, the rest wrapped.
func fetchErr(where string, parent, ctx context.Context, timeout time.Duration, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if parent.Err() != nil {
		return fmt.Errorf("fetch %s: %w", where, parent.Err())
	}
	if ctx.Err() != nil {
		return fmt.Errorf("fetch %s: timed out after %s: %w", where, timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("fetch %s: %w", where, err)
}

// readBody reads the (decompressed) body into buf, refusing more than
// MaxBody bytes. The bytes it returns are buf's.
func (f *Fetcher) readBody(resp *http.Response, buf *bytes.Buffer) ([]byte, error) {
	max := f.o.MaxBody
	var r io.Reader = resp.Body
	gz := strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip")
	if gz {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	} else if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d is over the %d-byte cap", ErrTooLarge, resp.ContentLength, max)
	}
	if !gz && resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("%w: more than the %d-byte cap", ErrTooLarge, max)
	}
	return buf.Bytes(), nil
}

// RetryAfterHeader reads Retry-After, in seconds or as an HTTP date (taken
// relative to the response's Date, else now), clamped to [0, MaxRetryAfter].
func RetryAfterHeader(h http.Header, now time.Time) time.Duration {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(s); err == nil {
		base := now
		if dt, err := http.ParseTime(h.Get("Date")); err == nil {
			base = dt
		}
		d = t.Sub(base)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// cacheFor reads how long the response may be reused: Cache-Control max-age
// (less Age), else Expires less Date; no-cache and no-store give zero.
func cacheFor(h http.Header, now time.Time) time.Duration {
	var maxAge time.Duration
	seen := false
	for _, line := range h.Values("Cache-Control") {
		for _, dir := range strings.Split(line, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(v), `"`), 10, 64)
				if err != nil || n < 0 {
					continue
				}
				seen = true
				maxAge = time.Duration(min(n, int64(maxCacheFor/time.Second))) * time.Second
			}
		}
	}
	if seen {
		if age, err := strconv.ParseInt(strings.TrimSpace(h.Get("Age")), 10, 64); err == nil && age > 0 {
			maxAge -= time.Duration(min(age, int64(maxCacheFor/time.Second))) * time.Second
		}
		return min(max(maxAge, 0), maxCacheFor)
	}
	if e := h.Get("Expires"); e != "" {
		t, err := http.ParseTime(e)
		if err != nil {
			return 0
		}
		base := now
		if dt, err := http.ParseTime(h.Get("Date")); err == nil {
			base = dt
		}
		return min(max(t.Sub(base), 0), maxCacheFor)
	}
	return 0
}

// xmlEncodingDecl matches an encoding declaration in an XML prolog.
var xmlEncodingDecl = regexp.MustCompile(`^\s*<\?xml[^>]*\bencoding\s*=`)

// toUTF8 transcodes body to UTF-8 when Content-Type names another charset and
// the body does not declare one itself (an XML prolog's encoding is left to
// the XML decoder, which honours it). A label that is not known, or a body
// that is UTF-8 already, is left as is.
func toUTF8(body []byte, contentType string) []byte {
	if contentType == "" {
		return body
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return body
	}
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	if label == "" || label == "utf-8" || label == "utf8" || label == "us-ascii" {
		return body
	}
	if utf8.Valid(body) || hasBOM(body) {
		// A byte order mark says more than a header (RFC 7303): Parse
		// reads it.
		return body
	}
	head := body[:min(len(body), 512)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if xmlEncodingDecl.Match(head) {
		return body
	}
	r, err := charset.NewReaderLabel(label, bytes.NewReader(body))
	if err != nil {
		return body
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return body
	}
	return out
}

// hasBOM tells a body that starts with a UTF-8, UTF-16 or UTF-32 byte
// order mark.
func hasBOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) || bytes.HasPrefix(b, []byte("\xfe\xff")) ||
		bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\x00\x00\xfe\xff"))
}
