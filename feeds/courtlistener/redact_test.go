package courtlistener

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	wirewatch "github.com/wirewatch/wirewatch"
)

// echoTransport fails every request with an error that quotes the request's
// Authorization header, as a misbehaving proxy or a wrapped transport error
// might.
type echoTransport struct{}

func (echoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("proxy refused %s with %q", r.URL.Path, r.Header.Get("Authorization"))
}

// TestLookupErrorRedactsToken: when a docket lookup fails with an error that
// carries the token, the token is replaced by <secret> before the error is
// logged.
func TestLookupErrorRedactsToken(t *testing.T) {
	var log bytes.Buffer
	c := New(Options{APIURL: "https://cl.test/", Token: testToken, HTTPClient: &http.Client{Transport: echoTransport{}},
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	body := []byte(`{"results":[{"id":1,"docket":"https://cl.test/api/rest/v4/dockets/9/","entry_number":"7","description":"Order"}]}`)
	f := wirewatch.Feed{ID: "cfg-1", URL: "https://cl.test/api/rest/v4/docket-entries/?docket=9", Type: wirewatch.FeedCourtListener}
	items, err := c.Read(t.Context(), body, f)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(items) != 1 {
		t.Errorf("got %d items, want the entry even though its docket could not be looked up", len(items))
	}
	out := log.String()
	if !strings.Contains(out, "courtlistener docket lookup") || !strings.Contains(out, "proxy refused") {
		t.Fatalf("log: want the failed lookup logged, got:\n%s", out)
	}
	if strings.Contains(out, testToken) {
		t.Errorf("log carries the token:\n%s", out)
	}
	if !strings.Contains(out, "Token <secret>") {
		t.Errorf("log: want the token shown as <secret>, got:\n%s", out)
	}
}
