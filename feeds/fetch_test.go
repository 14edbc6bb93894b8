package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

const rssBody = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>` +
	`<item><title>One</title><link>https://example.org/1</link></item></channel></rss>`

// mustServer starts an httptest server closed at the end of the test.
func mustServer(tb testing.TB, h http.HandlerFunc) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

func feedAt(u string) wirewatch.Feed {
	return wirewatch.Feed{ID: "cfg-1", URL: u, Type: wirewatch.FeedRSS}
}

func TestFetchETag(t *testing.T) {
	var gotINM []string
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotINM = append(gotINM, r.Header.Get("If-None-Match"))
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, rssBody)
	})
	f := NewFetcher(Options{})
	ctx := t.Context()

	r1, err := f.Fetch(ctx, feedAt(srv.URL), Validators{}, false)
	if err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	if r1.NotModified || string(r1.Body) != rssBody || r1.Status != 200 {
		t.Fatalf("first fetch: got NotModified=%v status=%d body %q, want the body", r1.NotModified, r1.Status, r1.Body)
	}
	if r1.Validators.ETag != `"v1"` || r1.Validators.BodyHash == "" {
		t.Fatalf("first fetch: got validators %+v, want ETag \"v1\" and a body hash", r1.Validators)
	}

	r2, err := f.Fetch(ctx, feedAt(srv.URL), r1.Validators, false)
	if err != nil {
		t.Fatalf("second fetch: %v", err)
	}
	if !r2.NotModified || r2.Body != nil || r2.Status != http.StatusNotModified {
		t.Fatalf("second fetch: got NotModified=%v status=%d body %q, want 304 with no body", r2.NotModified, r2.Status, r2.Body)
	}
	if r2.Validators != r1.Validators {
		t.Fatalf("second fetch: got validators %+v, want them carried over: %+v", r2.Validators, r1.Validators)
	}
	if want := []string{"", `"v1"`}; strings.Join(gotINM, ",") != strings.Join(want, ",") {
		t.Fatalf("server saw If-None-Match %q, want %q", gotINM, want)
	}
}

func TestFetchLastModified(t *testing.T) {
	const lm = "Sun, 22 Nov 2026 02:00:00 GMT"
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") == lm {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lm)
		io.WriteString(w, rssBody)
	})
	f := NewFetcher(Options{})
	r1, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, false)
	if err != nil || r1.Validators.LastModified != lm {
		t.Fatalf("first fetch: got %+v, %v; want Last-Modified %q", r1.Validators, err, lm)
	}
	r2, err := f.Fetch(t.Context(), feedAt(srv.URL), r1.Validators, false)
	if err != nil || !r2.NotModified || r2.Validators.LastModified != lm {
		t.Fatalf("second fetch: got NotModified=%v validators %+v err %v, want a 304 keeping Last-Modified", r2.NotModified, r2.Validators, err)
	}
}

func TestFetchSameBodyHash(t *testing.T) {
	body := rssBody
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body) // no validators at all
	})
	f := NewFetcher(Options{})
	r1, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, false)
	if err != nil || r1.NotModified {
		t.Fatalf("first fetch: got NotModified=%v, %v; want the body", r1.NotModified, err)
	}
	r2, err := f.Fetch(t.Context(), feedAt(srv.URL), r1.Validators, false)
	if err != nil || !r2.NotModified || r2.Body != nil || r2.Status != 200 {
		t.Fatalf("same body: got NotModified=%v body=%q status=%d err=%v, want not modified, no body", r2.NotModified, r2.Body, r2.Status, err)
	}
	body = strings.Replace(rssBody, "One", "Two", 1)
	r3, err := f.Fetch(t.Context(), feedAt(srv.URL), r2.Validators, false)
	if err != nil || r3.NotModified || string(r3.Body) != body {
		t.Fatalf("changed body: got NotModified=%v body=%q err=%v, want the new body", r3.NotModified, r3.Body, err)
	}
	if r3.Validators.BodyHash == r1.Validators.BodyHash {
		t.Fatalf("changed body kept the hash %s", r3.Validators.BodyHash)
	}
}

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchGzip(t *testing.T) {
	small := gzipped(t, []byte(rssBody))
	bomb := gzipped(t, make([]byte, 20<<20)) // 20 MiB of zeros, about 20 KB compressed
	var ua string
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding %q, want gzip", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		if r.URL.Path == "/bomb" {
			w.Write(bomb)
			return
		}
		w.Write(small)
	})
	f := NewFetcher(Options{UserAgent: "wirewatch/1.2.3 (+https://github.com/wirewatch/wirewatch)"})
	r, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, false)
	if err != nil || string(r.Body) != rssBody {
		t.Fatalf("got body %q, %v; want the decompressed feed", r.Body, err)
	}
	if ua != "wirewatch/1.2.3 (+https://github.com/wirewatch/wirewatch)" {
		t.Fatalf("User-Agent %q, want the configured one", ua)
	}
	_, err = f.Fetch(t.Context(), feedAt(srv.URL+"/bomb"), Validators{}, false)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("gzip bomb: got %v, want ErrTooLarge", err)
	}
}

// redirector redirects /r/N to /r/N-1 and serves the feed at /r/0.
func redirector(t *testing.T) *httptest.Server {
	return mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			io.WriteString(w, rssBody)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
	})
}

func TestFetchRedirects(t *testing.T) {
	srv := redirector(t)
	f := NewFetcher(Options{})
	for _, tc := range []struct {
		name string
		hops int
		ok   bool
	}{
		{"none", 0, true},
		{"five", 5, true},
		{"six", 6, false},
		{"twenty", 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := f.Fetch(t.Context(), feedAt(fmt.Sprintf("%s/r/%d", srv.URL, tc.hops)), Validators{}, false)
			if tc.ok {
				if err != nil || string(r.Body) != rssBody {
					t.Fatalf("got %q, %v; want the feed", r.Body, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
				t.Fatalf("got %v, want an error about 5 redirects", err)
			}
		})
	}
}

func TestFetchTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 20<<20)
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			// No Content-Length: the cap must hold while reading.
			for i := 0; i < 20; i++ {
				w.Write(big[:1<<20])
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		w.Write(big)
	})
	f := NewFetcher(Options{})
	for _, path := range []string{"/", "/chunked"} {
		_, err := f.Fetch(t.Context(), feedAt(srv.URL+path), Validators{}, false)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "10485760") {
			t.Errorf("%s: got %v, want ErrTooLarge naming the 10485760-byte cap", path, err)
		}
	}
	// The cap is per fetcher: a small one refuses a small body.
	f = NewFetcher(Options{MaxBody: 100})
	srv2 := mustServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, rssBody) })
	if _, err := f.Fetch(t.Context(), feedAt(srv2.URL), Validators{}, false); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxBody 100: got %v, want ErrTooLarge", err)
	}
}

func TestFetchTimeout(t *testing.T) {
	hang := make(chan struct{})
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			// Headers and part of the body, then nothing.
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, "<rss>")
			w.(http.Flusher).Flush()
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(hang) }) // runs before srv.Close
	f := NewFetcher(Options{Timeout: 200 * time.Millisecond})
	for _, path := range []string{"/", "/body"} {
		_, err := f.Fetch(t.Context(), feedAt(srv.URL+path), Validators{}, false)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 200ms") {
			t.Errorf("%s: got %v, want a timeout naming 200ms", path, err)
		}
	}
	// The caller's cancellation is reported as such.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := f.Fetch(ctx, feedAt(srv.URL), Validators{}, false); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

func TestFetchHTTPErrors(t *testing.T) {
	date := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration
	}{
		{"429 seconds", 429, "120", 2 * time.Minute},
		{"503 seconds", 503, "7", 7 * time.Second},
		{"429 date", 429, date.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"503 date", 503, date.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{"503 date in the past", 503, date.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"429 huge", 429, "99999999999", MaxRetryAfter},
		{"429 garbage", 429, "soon", 0},
		{"429 negative", 429, "-5", 0},
		{"500 ignores Retry-After", 500, "120", 0},
		{"404", 404, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", date.Format(http.TimeFormat))
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, "go away")
			})
			_, err := NewFetcher(Options{}).Fetch(t.Context(), feedAt(srv.URL), Validators{}, false)
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("got %v, want *HTTPError", err)
			}
			if he.Status != tc.status || he.RetryAfter != tc.want {
				t.Fatalf("got status %d retry after %s, want %d and %s", he.Status, he.RetryAfter, tc.status, tc.want)
			}
			if !strings.Contains(err.Error(), srv.URL) {
				t.Fatalf("error %q does not name the URL", err)
			}
		})
	}
}

func TestFetchCacheFor(t *testing.T) {
	date := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		h    map[string]string
		want time.Duration
	}{
		{"none", nil, 0},
		{"max-age", map[string]string{"Cache-Control": "public, max-age=600"}, 10 * time.Minute},
		{"max-age less age", map[string]string{"Cache-Control": "max-age=600", "Age": "100"}, 500 * time.Second},
		{"no-cache wins", map[string]string{"Cache-Control": "max-age=600, no-cache"}, 0},
		{"expires", map[string]string{"Expires": date.Add(30 * time.Minute).Format(http.TimeFormat)}, 30 * time.Minute},
		{"max-age beats expires", map[string]string{"Cache-Control": "max-age=60", "Expires": date.Add(30 * time.Minute).Format(http.TimeFormat)}, time.Minute},
		{"bad expires", map[string]string{"Expires": "0"}, 0},
		{"capped", map[string]string{"Cache-Control": "max-age=31536000"}, 24 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", date.Format(http.TimeFormat))
				for k, v := range tc.h {
					w.Header().Set(k, v)
				}
				io.WriteString(w, rssBody)
			})
			r, err := NewFetcher(Options{}).Fetch(t.Context(), feedAt(srv.URL), Validators{}, false)
			if err != nil || r.CacheFor != tc.want {
				t.Fatalf("got CacheFor %s, %v; want %s", r.CacheFor, err, tc.want)
			}
		})
	}
}

func TestFetchHeaderPerHost(t *testing.T) {
	var otherSaw, apiSaw string
	other := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		otherSaw = r.Header.Get("X-Api-Token")
		io.WriteString(w, rssBody)
	})
	api := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		apiSaw = r.Header.Get("X-Api-Token")
		http.Redirect(w, r, other.URL+"/feed", http.StatusFound)
	})
	apiURL, _ := url.Parse(api.URL)
	f := NewFetcher(Options{Header: func(u *url.URL) http.Header {
		if u.Host == apiURL.Host {
			return http.Header{"X-Api-Token": {"secret"}}
		}
		return nil
	}})
	if _, err := f.Fetch(t.Context(), feedAt(api.URL), Validators{}, false); err != nil {
		t.Fatal(err)
	}
	if apiSaw != "secret" || otherSaw != "" {
		t.Fatalf("token seen by api %q and by the redirect target %q; want only the api to see it", apiSaw, otherSaw)
	}
}

func TestFetchCharsetFromContentType(t *testing.T) {
	latin1 := []byte("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title></channel></rss>")
	declared := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title></channel></rss>")
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=ISO-8859-1")
		if r.URL.Path == "/declared" {
			w.Write(declared)
			return
		}
		w.Write(latin1)
	})
	f := NewFetcher(Options{})
	r, err := f.Fetch(t.Context(), feedAt(srv.URL), Validators{}, false)
	if err != nil || !bytes.Contains(r.Body, []byte("Café")) {
		t.Fatalf("got %q, %v; want the body transcoded to UTF-8", r.Body, err)
	}
	p, err := Parse(t.Context(), r.Body, feedAt(srv.URL), nil)
	if err != nil || p.Title != "Café" {
		t.Fatalf("parsed title %q, %v; want Café", p.Title, err)
	}
	// A body that declares its encoding is left to the XML decoder.
	r, err = f.Fetch(t.Context(), feedAt(srv.URL+"/declared"), Validators{}, false)
	if err != nil || !bytes.Equal(r.Body, declared) {
		t.Fatalf("got %q, %v; want the body as sent", r.Body, err)
	}
	p, err = Parse(t.Context(), r.Body, feedAt(srv.URL), nil)
	if err != nil || p.Title != "Café" {
		t.Fatalf("parsed title %q, %v; want Café", p.Title, err)
	}
}

// TestFetchBOMOverHeader: a byte order mark says the encoding whatever the
// Content-Type says; a header's UTF-16 is used for a body without one.
func TestFetchBOMOverHeader(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Café</title></channel></rss>`
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bom":
			w.Header().Set("Content-Type", "application/rss+xml; charset=ISO-8859-1")
			w.Write(encode(doc, 2, false, true))
		case "/header":
			w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-16BE")
			w.Write(encode(" "+doc, 2, true, false)) // a space first: nothing to sniff
		}
	})
	f := NewFetcher(Options{})
	for _, path := range []string{"/bom", "/header"} {
		r, err := f.Fetch(t.Context(), feedAt(srv.URL+path), Validators{}, false)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(t.Context(), r.Body, feedAt(srv.URL+path), nil)
		if err != nil || p.Title != "Café" {
			t.Errorf("%s: title %q, %v; want Café", path, p.Title, err)
		}
	}
}

func TestFetchBadURL(t *testing.T) {
	f := NewFetcher(Options{})
	for _, u := range []string{"ftp://example.org/feed", "file:///etc/passwd", "::nope"} {
		if _, err := f.Fetch(t.Context(), feedAt(u), Validators{}, false); err == nil {
			t.Errorf("Fetch(%q): got no error, want a refusal", u)
		}
	}
}

func TestValidatorsState(t *testing.T) {
	v := Validators{ETag: `"e"`, LastModified: "Sun, 22 Nov 2026 02:00:00 GMT", BodyHash: "abc"}
	var s wirewatch.FeedState
	s.Title = "kept"
	v.Store(&s)
	if got := ValidatorsOf(s); got != v || s.Title != "kept" {
		t.Fatalf("round trip: got %+v (title %q), want %+v", got, s.Title, v)
	}
}

// TestFetchHeadersNotCarriedOver: one request's validators and per-host
// headers never reach the next request.
func TestFetchHeadersNotCarriedOver(t *testing.T) {
	var saw []http.Header
	srv := mustServer(t, func(w http.ResponseWriter, r *http.Request) {
		saw = append(saw, r.Header.Clone())
		io.WriteString(w, rssBody)
	})
	f := NewFetcher(Options{UserAgent: "ww-test", Header: func(u *url.URL) http.Header {
		if u.Path == "/token" {
			return http.Header{"X-Api-Token": {"secret"}}
		}
		return nil
	}})
	fetches := []struct {
		path string
		v    Validators
	}{
		{"/token", Validators{ETag: `"a"`, LastModified: "Mon, 30 Nov 2026 12:00:00 GMT"}},
		{"/plain", Validators{}},
		{"/plain", Validators{ETag: `"b"`}},
	}
	for _, fc := range fetches {
		if _, err := f.Fetch(t.Context(), feedAt(srv.URL+fc.path), fc.v, false); err != nil {
			t.Fatal(err)
		}
	}
	for i, fc := range fetches {
		h := saw[i]
		wantToken := map[string]string{"/token": "secret"}[fc.path]
		if h.Get("If-None-Match") != fc.v.ETag || h.Get("If-Modified-Since") != fc.v.LastModified || h.Get("X-Api-Token") != wantToken {
			t.Errorf("request %d (%s): If-None-Match %q, If-Modified-Since %q, X-Api-Token %q; want %q, %q, %q", i, fc.path,
				h.Get("If-None-Match"), h.Get("If-Modified-Since"), h.Get("X-Api-Token"), fc.v.ETag, fc.v.LastModified, wantToken)
		}
		if h.Get("User-Agent") != "ww-test" || h.Get("Accept-Encoding") != "gzip" || !strings.Contains(h.Get("Accept"), "application/rss+xml") {
			t.Errorf("request %d: User-Agent %q, Accept-Encoding %q, Accept %q", i, h.Get("User-Agent"), h.Get("Accept-Encoding"), h.Get("Accept"))
		}
	}
}
