package courtlistener

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	wirewatch "github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
)

// TestTokenRule: the token goes only to the configured API origin (scheme,
// host and port exactly) and its api/ path, and the budget counts exactly the
// requests the token goes to. Before, an http:// URL on the API's host was
// sent the token, and https://courtlistener.com (no www) was budgeted but
// sent none.
func TestTokenRule(t *testing.T) {
	c := New(Options{Token: testToken})
	tests := []struct {
		url  string
		want bool
	}{
		{"https://www.courtlistener.com/api/rest/v4/docket-entries/?docket=1", true},
		{"https://WWW.CourtListener.com./api/rest/v4/dockets/1/", true},
		{"https://www.courtlistener.com:443/api/rest/v4/dockets/1/", true},
		{"http://www.courtlistener.com/api/rest/v4/docket-entries/?docket=1", false},
		{"http://www.courtlistener.com:443/api/rest/v4/docket-entries/", false},
		{"https://www.courtlistener.com:8443/api/rest/v4/docket-entries/", false},
		{"https://courtlistener.com/api/rest/v4/docket-entries/?docket=1", false},
		{"https://storage.courtlistener.com/api/rest/v4/", false},
		{"https://www.courtlistener.com.evil.example/api/rest/v4/", false},
		{"https://www.courtlistener.com/docket/69777799/feed/", false},
		{"https://www.courtlistener.com/feed/search/?q=api", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		h := c.Header(u)
		if got := h.Get("Authorization") == "Token "+testToken; got != tt.want {
			t.Errorf("Header(%s): token sent %v, want %v", tt.url, got, tt.want)
		}
		if got := c.IsAPI(u); got != tt.want {
			t.Errorf("IsAPI(%s) = %v, want %v (the budget and the token follow one rule)", tt.url, got, tt.want)
		}
	}

	// An API configured over plain http to another machine never gets the
	// token, not even for its own URLs; one on this machine (a stand-in)
	// does.
	for api, want := range map[string]bool{
		"http://cl.example/":     false,
		"http://127.0.0.1:8000/": true,
		"http://localhost:8000/": true,
		"https://cl.example/":    true,
	} {
		c := New(Options{APIURL: api, Token: testToken})
		u, _ := url.Parse(api + "api/rest/v4/dockets/1/")
		if got := c.Header(u) != nil; got != want {
			t.Errorf("api_url %s: token sent %v, want %v", api, got, want)
		}
		if !want {
			if _, err := c.docket(context.Background(), 1, 0, true); !errors.Is(err, ErrNoToken) {
				t.Errorf("api_url %s: docket lookup: got %v, want ErrNoToken", api, err)
			}
		}
	}
}

// authLog records the Authorization header each request brought.
type authLog struct {
	mu   sync.Mutex
	seen map[string]string // path → Authorization
}

func (l *authLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]string{}
	}
	l.seen[r.URL.Path] = r.Header.Get("Authorization")
}

func (l *authLog) get(path string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.seen[path]
	return v, ok
}

// TestTokenNeverLeavesTheAPIOrigin runs the real feed fetcher with the
// Client's Header against an https API, a second https server and a plain
// http one: the token reaches the API and nothing else, directly or through
// redirects. Before, the second hop of a redirect chain got the token again
// (net/http copies the first request's headers onto every hop and the
// fetcher only removed the previous hop's).
func TestTokenNeverLeavesTheAPIOrigin(t *testing.T) {
	var apiLog, otherLog, plainLog authLog
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainLog.record(r)
		w.Write([]byte(`<feed/>`))
	}))
	defer plain.Close()
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherLog.record(r)
		http.Redirect(w, r, plain.URL+"/api/rest/v4/after-other", http.StatusFound)
	}))
	defer other.Close()
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiLog.record(r)
		switch r.URL.Path {
		case "/api/rest/v4/to-plain":
			http.Redirect(w, r, plain.URL+"/api/rest/v4/redirected", http.StatusFound)
		case "/api/rest/v4/to-other":
			http.Redirect(w, r, other.URL+"/api/rest/v4/hop", http.StatusFound)
		default:
			w.Write([]byte(`{"results": []}`))
		}
	}))
	defer api.Close()

	c := New(Options{APIURL: api.URL, Token: testToken})
	// httptest's TLS servers share one certificate, which api's client trusts.
	fetcher := feeds.NewFetcher(feeds.Options{Header: c.Header, Transport: api.Client().Transport})
	fetch := func(u string) {
		t.Helper()
		if _, err := fetcher.Fetch(context.Background(), wirewatch.Feed{ID: wirewatch.ConfigPrefix + "1", URL: u}, feeds.Validators{}, false); err != nil {
			t.Fatalf("fetch %s: %v", u, err)
		}
	}
	want := "Token " + testToken

	fetch(api.URL + "/api/rest/v4/docket-entries/")
	if got, _ := apiLog.get("/api/rest/v4/docket-entries/"); got != want {
		t.Errorf("the API itself: got Authorization %q, want %q", got, want)
	}

	fetch(plain.URL + "/api/rest/v4/docket-entries/")
	if got, ok := plainLog.get("/api/rest/v4/docket-entries/"); !ok || got != "" {
		t.Errorf("plain http server asked directly: got Authorization %q (asked: %v), want none", got, ok)
	}

	fetch(api.URL + "/api/rest/v4/to-plain")
	if got, ok := plainLog.get("/api/rest/v4/redirected"); !ok || got != "" {
		t.Errorf("plain http redirect target: got Authorization %q (reached: %v), want none", got, ok)
	}

	fetch(api.URL + "/api/rest/v4/to-other")
	if got, ok := otherLog.get("/api/rest/v4/hop"); !ok || got != "" {
		t.Errorf("https redirect target on another origin: got Authorization %q (reached: %v), want none", got, ok)
	}
	if got, ok := plainLog.get("/api/rest/v4/after-other"); !ok || got != "" {
		t.Errorf("second redirect hop: got Authorization %q (reached: %v), want none", got, ok)
	}
}
