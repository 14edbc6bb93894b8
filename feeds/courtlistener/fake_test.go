package courtlistener

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

// fixtures holds CourtListener's documentation examples and synthetic
// samples (origin and licence in testdata/README.md).
const fixtures = "testdata/courtlistener/"

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(fixtures + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

const testToken = "t0ken-for-tests"

// abregoDocket is the API's docket detail for 69777799, trimmed to the
// fields asked for.
const abregoDocket = `{"id": 69777799, "court_id": "mdd", "docket_number": "8:25-cv-00951",
 "case_name": "Abrego Garcia v. Noem", "case_name_short": "Abrego Garcia",
 "absolute_url": "/docket/69777799/abrego-garcia-v-noem/", "pacer_case_id": "578815"}`

// fakeCL stands in for CourtListener's API: docket details, the parties
// and attorneys of docket 69777799, token check, 429 on demand.
type fakeCL struct {
	tb       testing.TB
	mu       sync.Mutex
	dockets  map[string]string
	people   map[string]string // "parties?docket=…" and "attorneys?docket=…"
	requests []string          // paths asked for, with a valid token
	throttle int               // answer 429 to this many next requests
}

func newFakeCL(tb testing.TB) *fakeCL {
	return &fakeCL{tb: tb, dockets: map[string]string{
		"69777799": abregoDocket,
		"4214664":  string(mustRead(tb, "api-v4-docket-detail.docs-example.json")),
	}, people: map[string]string{
		"parties?docket=69777799":   string(mustRead(tb, "synthetic/parties-abrego.synthetic.json")),
		"attorneys?docket=69777799": string(mustRead(tb, "synthetic/attorneys-abrego.synthetic.json")),
	}}
}

func (f *fakeCL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := r.Header.Get("Authorization"); got != "Token "+testToken {
		http.Error(w, `{"detail":"Authentication credentials were not provided."}`, http.StatusUnauthorized)
		return
	}
	f.requests = append(f.requests, r.URL.Path)
	if f.throttle > 0 {
		f.throttle--
		w.Header().Set("Retry-After", "30")
		http.Error(w, `{"detail":"Request was throttled."}`, http.StatusTooManyRequests)
		return
	}
	if list, ok := strings.CutPrefix(r.URL.Path, "/api/rest/v4/"); ok && (list == "parties/" || list == "attorneys/") {
		body, known := f.people[strings.TrimSuffix(list, "/")+"?docket="+r.URL.Query().Get("docket")]
		if !known || r.URL.Query().Get("fields") != "name" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/api/rest/v4/dockets/")
	body, known := f.dockets[strings.TrimSuffix(id, "/")]
	if !ok || !known || !strings.HasSuffix(id, "/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
}

func (f *fakeCL) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// fakeIngester records what it is given; it fails the first fail calls.
type fakeIngester struct {
	mu    sync.Mutex
	fail  int
	calls int
	feeds []wirewatch.Feed
	items []wirewatch.Item
}

func (g *fakeIngester) Ingest(ctx context.Context, f wirewatch.Feed, items []wirewatch.Item) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	if g.fail > 0 {
		g.fail--
		return errors.New("store busy")
	}
	g.feeds = append(g.feeds, f)
	g.items = append(g.items, items...)
	return nil
}

func (g *fakeIngester) got() (int, []wirewatch.Item) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.feeds), append([]wirewatch.Item(nil), g.items...)
}

// clock is a settable clock for the budget.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// roomy are limits that never make a test wait.
var roomy = []Limit{{1000, time.Second}}

func startFake(t *testing.T) (*fakeCL, *httptest.Server) {
	t.Helper()
	f := newFakeCL(t)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}
