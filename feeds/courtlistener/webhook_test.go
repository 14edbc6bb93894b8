package courtlistener

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

const hookSecret = "s3cret-path-value"

// hookServer serves c's webhook handler the way the lead mounts it.
func hookServer(t *testing.T, c *Client, secret string, ing wirewatch.Ingester) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("POST /courtlistener/webhook/{secret}", c.Webhook(secret, ing))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, key string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func closeClient(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestWebhookRepeatedKeyPostedOnce(t *testing.T) {
	_, api := startFake(t)
	c := New(Options{APIURL: api.URL, Token: testToken, Limits: roomy})
	ing := &fakeIngester{}
	srv := hookServer(t, c, hookSecret, ing)
	body := mustRead(t, "synthetic/webhook-docket-alert-abrego.synthetic.json")
	for i := range 3 {
		if code := post(t, srv.URL+"/courtlistener/webhook/"+hookSecret, "3f0b6c1e-key-1", body); code != http.StatusOK {
			t.Fatalf("post %d: status %d, want 200", i, code)
		}
	}
	closeClient(t, c) // waits until accepted events are ingested
	calls, items := ing.got()
	if calls != 1 || len(items) != 1 {
		t.Fatalf("ingested %d times, %d items; want once, 1 item", calls, len(items))
	}
}

func TestWebhookUnknownDocketLookedUp(t *testing.T) {
	fake, api := startFake(t)
	c := New(Options{APIURL: api.URL, Token: testToken, Limits: roomy})
	ing := &fakeIngester{fail: 1} // the first attempt fails: retried, not lost
	srv := hookServer(t, c, hookSecret, ing)
	// The upstream fixture: docket 4214664, which the client has never seen.
	if code := post(t, srv.URL+"/courtlistener/webhook/"+hookSecret, "key-2", mustRead(t, "webhook-docket-alert.v2.json")); code != http.StatusOK {
		t.Fatalf("status %d, want 200", code)
	}
	closeClient(t, c)
	if got := fake.asked(); len(got) != 1 || got[0] != "/api/rest/v4/dockets/4214664/" {
		t.Errorf("API requests %q, want one lookup of docket 4214664", got)
	}
	n, items := ing.got()
	if n != 1 || len(items) != 1 {
		t.Fatalf("ingested %d batches, %d items; want 1, 1", n, len(items))
	}
	it := items[0]
	want := "Doc 140 · Motion for Settlement · NATIONAL VETERANS LEGAL SERVICES PROGRAM v. United States, 1:16-cv-00745 (D.D.C.)"
	if it.Title != want {
		t.Errorf("title %q, want %q", it.Title, want)
	}
	d := it.Docket
	if d.Court != "dcd" || d.Number != "1:16-cv-00745" || d.EntryNumber != "140" || d.PacerCaseID != "178502" {
		t.Errorf("docket %+v", *d)
	}
	if it.Link != "https://storage.courtlistener.com/recap/gov.uscourts.dcd.178502/gov.uscourts.dcd.178502.140.0.pdf" {
		t.Errorf("link %q, want the free RECAP copy", it.Link)
	}
	if it.FeedID != "courtlistener-webhook" || it.Feed != "CourtListener" {
		t.Errorf("feed %q %q", it.FeedID, it.Feed)
	}
	if !strings.HasPrefix(it.Summary, "MOTION for Settlement Preliminary Approval") {
		t.Errorf("summary %q", it.Summary)
	}
}

func TestWebhookSearchAlert(t *testing.T) {
	fake, api := startFake(t)
	c := New(Options{APIURL: api.URL, Token: testToken, Limits: roomy})
	ing := &fakeIngester{}
	srv := hookServer(t, c, hookSecret, ing)
	url := srv.URL + "/courtlistener/webhook/" + hookSecret
	if code := post(t, url, "k-search", mustRead(t, "synthetic/webhook-search-alert-recap-abrego.synthetic.json")); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// A case-law search alert carries no docket entries: acknowledged, no items.
	if code := post(t, url, "k-caselaw", mustRead(t, "webhook-search-alert-caselaw.v2.json")); code != http.StatusOK {
		t.Fatalf("case law: status %d", code)
	}
	// Then a docket alert for the same docket needs no lookup: the search
	// result named the case.
	if code := post(t, url, "k-docket", mustRead(t, "synthetic/webhook-docket-alert-abrego.synthetic.json")); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	closeClient(t, c)
	_, items := ing.got()
	if len(items) != 2 {
		t.Fatalf("got %d items, want 2", len(items))
	}
	want := "Doc 61 · Order · Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"
	for _, it := range items {
		if it.Title != want {
			t.Errorf("title %q, want %q", it.Title, want)
		}
	}
	if items[0].Key() != items[1].Key() {
		t.Errorf("the same entry from two alerts has keys %q and %q", items[0].Key(), items[1].Key())
	}
	// No docket lookup; the docket alert (a docket followed) asks for its
	// parties, which the search alert did not (and the attorneys at a
	// later alert: one list per request the budget has free at once).
	if got := fake.asked(); !slices.Equal(got, []string{"/api/rest/v4/parties/"}) {
		t.Errorf("API requests %q, want the parties only", got)
	}
	if len(items[0].Docket.Parties) != 0 || len(items[1].Docket.Parties) != 3 || len(items[1].Docket.Attorneys) != 0 {
		t.Errorf("parties %q then %q: want none from the search alert, then the docket's", items[0].Docket.Parties, items[1].Docket.Parties)
	}
}

func TestWebhookRefusals(t *testing.T) {
	c := New(Options{Limits: roomy})
	ing := &fakeIngester{}
	srv := hookServer(t, c, hookSecret, ing)
	open := hookServer(t, New(Options{}), "", ing) // no secret configured
	body := mustRead(t, "synthetic/webhook-docket-alert-abrego.synthetic.json")
	tests := []struct {
		name string
		url  string
		body []byte
		want int
	}{
		{"bad secret", srv.URL + "/courtlistener/webhook/wrong", body, http.StatusNotFound},
		{"secret prefix", srv.URL + "/courtlistener/webhook/" + hookSecret[:5], body, http.StatusNotFound},
		{"no secret configured", open.URL + "/courtlistener/webhook/anything", body, http.StatusNotFound},
		{"not JSON", srv.URL + "/courtlistener/webhook/" + hookSecret, []byte("<xml/>"), http.StatusBadRequest},
		{"too large", srv.URL + "/courtlistener/webhook/" + hookSecret, bytes.Repeat([]byte(" "), MaxWebhookBody+1), http.StatusRequestEntityTooLarge},
		{"other event", srv.URL + "/courtlistener/webhook/" + hookSecret, []byte(`{"webhook":{"event_type":4,"version":2},"payload":{}}`), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(t, tt.url, "", tt.body); got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	closeClient(t, c)
	if n, _ := ing.got(); n != 0 {
		t.Errorf("%d ingests, want none", n)
	}
	// After Close, events are refused with 503 so that CourtListener retries.
	if got := post(t, srv.URL+"/courtlistener/webhook/"+hookSecret, "late", body); got != http.StatusServiceUnavailable {
		t.Errorf("after Close: status %d, want 503", got)
	}
}

// handlerTransport serves requests from a handler in memory, so that the
// client can run inside a synctest bubble.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// The handler answers at once and the lookup waits for the budget in the
// background: two unknown dockets are looked up 12 s apart, not in a burst.
func TestWebhookAnswersBeforeBudgetWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := newFakeCL(t)
		c := New(Options{APIURL: "https://cl.test/", Token: testToken, HTTPClient: &http.Client{Transport: handlerTransport{fake}}})
		ing := &fakeIngester{}
		h := c.Webhook(hookSecret, ing)
		mux := http.NewServeMux()
		mux.Handle("POST /courtlistener/webhook/{secret}", h)
		start := time.Now()
		var mu sync.Mutex
		var answered []time.Duration
		for i, name := range []string{"synthetic/webhook-docket-alert-abrego.synthetic.json", "webhook-docket-alert.v2.json"} {
			req := httptest.NewRequest(http.MethodPost, "/courtlistener/webhook/"+hookSecret, bytes.NewReader(mustRead(t, name)))
			req.Header.Set("Idempotency-Key", "k"+string(rune('0'+i)))
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			mu.Lock()
			answered = append(answered, time.Since(start))
			mu.Unlock()
		}
		for _, d := range answered {
			if d != 0 {
				t.Errorf("answered after %s of (fake) time, want at once", d)
			}
		}
		synctest.Wait()
		if n, _ := ing.got(); n != 1 {
			t.Fatalf("%d batches ingested at once, want 1 (the second waits for the budget)", n)
		}
		time.Sleep(12 * time.Second) // fake time: the budget's spacing
		synctest.Wait()
		n, items := ing.got()
		if n != 2 || len(fake.asked()) != 2 {
			t.Fatalf("after 12 s: %d batches, %d lookups; want 2, 2", n, len(fake.asked()))
		}
		if items[1].Docket.Court != "dcd" {
			t.Errorf("second item %+v", *items[1].Docket)
		}
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
