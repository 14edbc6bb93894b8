package courtlistener

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/store"
)

// TestWebhookKeyKeptAcrossRestart: with the store keeping Idempotency-Key
// values, CourtListener retrying an event after wirewatch restarted is
// acknowledged and not processed again; a key older than IdempotencyTTL is
// a new event. Before, the keys lived in memory only and the retry was
// processed (looked up and ingested) a second time.
func TestWebhookKeyKeptAcrossRestart(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, api := startFake(t)
	body := mustRead(t, "synthetic/webhook-docket-alert-abrego.synthetic.json")

	// run delivers one event with key to a freshly started Client and
	// returns how many times it was ingested.
	run := func(key string) int {
		c := New(Options{APIURL: api.URL, Token: testToken, Limits: roomy, Keys: db, Now: clock})
		ing := &fakeIngester{}
		srv := hookServer(t, c, hookSecret, ing)
		if code := post(t, srv.URL+"/courtlistener/webhook/"+hookSecret, key, body); code != http.StatusOK {
			t.Fatalf("status %d, want 200", code)
		}
		closeClient(t, c)
		n, _ := ing.got()
		return n
	}
	if n := run("7d1c-key"); n != 1 {
		t.Fatalf("first delivery: ingested %d times, want 1", n)
	}
	if n := run("7d1c-key"); n != 0 {
		t.Errorf("the retry after a restart: ingested %d times, want 0", n)
	}
	if n := run("other-key"); n != 1 {
		t.Errorf("another event after a restart: ingested %d times, want 1", n)
	}
	now = now.Add(IdempotencyTTL + time.Minute)
	if n := run("7d1c-key"); n != 1 {
		t.Errorf("the key past IdempotencyTTL: ingested %d times, want 1 (forgotten)", n)
	}
}
