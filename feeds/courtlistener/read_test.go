package courtlistener

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

func TestReadDocketFeed(t *testing.T) {
	body := mustRead(t, "synthetic/docket-feed-atom.synthetic.xml")
	for _, withToken := range []bool{false, true} {
		t.Run(map[bool]string{false: "no token", true: "token"}[withToken], func(t *testing.T) {
			fake, srv := startFake(t)
			o := Options{APIURL: srv.URL, Limits: roomy}
			if withToken {
				o.Token = testToken
			}
			c := New(o)
			f := wirewatch.Feed{ID: "cfg-3", Name: "Abrego docket", URL: srv.URL + "/docket/69777799/feed/"}
			items, err := c.Read(context.Background(), body, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 3 {
				t.Fatalf("got %d items, want 3", len(items))
			}
			it := items[0]
			if got, want := it.Title, "Doc 61 · Order · Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"; got != want {
				t.Errorf("title %q, want %q", got, want)
			}
			const pdf = "https://storage.courtlistener.com/recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0_1.pdf"
			if it.Link != pdf || it.Docket.DocumentURL != pdf {
				t.Errorf("link %q, document %q, want the RECAP PDF", it.Link, it.Docket.DocumentURL)
			}
			if got, want := it.Published.Format(time.RFC3339), "2025-04-11T00:00:00-07:00"; got != want {
				t.Errorf("published %s, want %s (midnight Pacific, as given)", got, want)
			}
			if it.Docket.PacerCaseID != "578815" || it.Docket.Court != "mdd" || it.FeedID != "cfg-3" || it.Feed != "Abrego docket" {
				t.Errorf("item %+v docket %+v", it, *it.Docket)
			}
			if !strings.HasPrefix(it.Summary, "ORDER (synthetic") {
				t.Errorf("summary %q", it.Summary)
			}
			// Entry 51 has no PDF: it links to its place on the docket, and
			// still knows the court.
			if it := items[1]; it.Docket.EntryNumber != "51" || it.Docket.Court != "mdd" || !strings.HasSuffix(it.Link, "#entry-51") {
				t.Errorf("entry 51: link %q docket %+v", it.Link, *it.Docket)
			}
			minute := items[2]
			if minute.Docket.EntryNumber != "" || !strings.HasPrefix(minute.Title, "Status Conference held") {
				t.Errorf("minute entry: title %q entry %q", minute.Title, minute.Docket.EntryNumber)
			}
			if items[0].Key() == items[1].Key() || items[1].Key() == items[2].Key() {
				t.Errorf("keys repeat: %q %q %q", items[0].Key(), items[1].Key(), items[2].Key())
			}
			wantAsked := 0
			if withToken {
				wantAsked = 1 // one lookup for the docket, not one per entry, nor its people yet
			}
			if got := len(fake.asked()); got != wantAsked {
				t.Errorf("%d API requests, want %d", got, wantAsked)
			}
		})
	}
}

func TestReadSearchFeed(t *testing.T) {
	fake, srv := startFake(t)
	c := New(Options{APIURL: srv.URL, Token: testToken, Limits: roomy})
	body := mustRead(t, "synthetic/search-feed-recap-atom.synthetic.xml")
	items, err := c.Read(context.Background(), body, wirewatch.Feed{Name: "Search", URL: srv.URL + "/feed/search/?type=r&q=%22Abrego+Garcia%22"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Fatalf("got %d items, want 1", len(items))
	}
	it := items[0]
	if got, want := it.Title, "Doc 61 · Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if it.Link != "https://www.courtlistener.com/docket/69777799/61/abrego-garcia-v-noem/" {
		t.Errorf("link %q", it.Link)
	}
	if strings.Contains(it.Summary, "<") || strings.HasSuffix(it.Summary, "Original document") {
		t.Errorf("summary not plain text: %q", it.Summary)
	}
	if got := fake.asked(); len(got) != 1 || got[0] != "/api/rest/v4/dockets/69777799/" {
		t.Errorf("API requests %q, want one lookup of docket 69777799", got)
	}
}

// entriesBody is an API v4 docket-entries page made of the webhook
// fixture's entries (the same serializer, plus resource_uri and a docket URL).
func entriesBody(t *testing.T, apiURL string) []byte {
	t.Helper()
	var hook struct {
		Payload struct {
			Results []map[string]any `json:"results"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(mustRead(t, "synthetic/webhook-docket-alert-abrego.synthetic.json"), &hook); err != nil {
		t.Fatal(err)
	}
	for _, r := range hook.Payload.Results {
		r["docket"] = apiURL + "/api/rest/v4/dockets/69777799/"
	}
	b, err := json.Marshal(map[string]any{"count": apiURL + "/api/rest/v4/docket-entries/?docket=69777799&count=on", "next": nil, "previous": nil, "results": hook.Payload.Results})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadAPIEntriesAnd429(t *testing.T) {
	fake, srv := startFake(t)
	clk := &clock{t: time.Date(2025, 4, 11, 20, 0, 0, 0, time.UTC)}
	c := New(Options{APIURL: srv.URL + "/", Token: testToken, Now: clk.now})
	feedURL := srv.URL + "/api/rest/v4/docket-entries/?docket=69777799&order_by=-date_modified"
	u, _ := url.Parse(feedURL)

	// The poller asks before fetching the entries: granted, and reserved.
	if d := c.Wait(u); d != 0 {
		t.Fatalf("first Wait = %s, want 0", d)
	}
	// A second request at once would be a burst.
	if d := c.Wait(u); d != 12*time.Second {
		t.Fatalf("second Wait = %s, want 12s", d)
	}
	clk.add(12 * time.Second)

	// CourtListener throttles the lookup: the item goes out without the
	// case name, and the budget stops every request for Retry-After.
	fake.mu.Lock()
	fake.throttle = 1
	fake.mu.Unlock()
	body := entriesBody(t, srv.URL)
	items, err := c.Read(context.Background(), body, wirewatch.Feed{URL: feedURL})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Docket.CaseName != "" || items[0].Docket.EntryNumber != "61" {
		t.Fatalf("throttled read: %+v", items)
	}
	if d := c.Wait(u); d != 30*time.Second {
		t.Errorf("Wait after 429 = %s, want 30s (Retry-After)", d)
	}
	clk.add(31 * time.Second)
	items, err = c.Read(context.Background(), body, wirewatch.Feed{URL: feedURL})
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if got, want := it.Title, "Doc 61 · Order · Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got, want := it.Published.Format(time.RFC3339), "2025-04-11T00:00:00-04:00"; got != want {
		t.Errorf("published %s, want %s (date filed in the court's zone)", got, want)
	}
	if it.Link != "https://storage.courtlistener.com/recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0_1.pdf" {
		t.Errorf("link %q, want the RECAP PDF", it.Link)
	}
	if !strings.HasPrefix(it.Summary, "ORDER finding that Defendants") || it.Docket.ShortDescription != "Order" {
		t.Errorf("summary %q short %q", it.Summary, it.Docket.ShortDescription)
	}
	if got := fake.asked(); len(got) != 2 {
		t.Errorf("API requests %q, want the throttled lookup and its retry", got)
	}
	// The docket is cached; its parties and attorneys are asked for one
	// at a time, each when the budget has a request free: never a wait.
	if len(it.Docket.Parties) != 0 {
		t.Errorf("parties %q before they were asked for", it.Docket.Parties)
	}
	for i, want := range []string{"/api/rest/v4/parties/", "/api/rest/v4/attorneys/", ""} {
		clk.add(time.Minute)
		items, err := c.Read(context.Background(), body, wirewatch.Feed{URL: feedURL})
		if err != nil {
			t.Fatal(err)
		}
		got := fake.asked()
		if want == "" && len(got) != 4 || want != "" && (len(got) != 3+i || got[2+i] != want) {
			t.Fatalf("read %d: API requests %q, want %q next", 3+i, got, want)
		}
		if i == 1 {
			it = items[0]
		}
	}
	if !slices.Equal(it.Docket.Parties, []string{"Kilmar Armando Abrego Garcia", "Kristi Noem", "Pamela Bondi & others"}) ||
		!slices.Equal(it.Docket.Attorneys, []string{"Simon Y. Sandoval-Moshenberg", "Drew C. Ensign"}) {
		t.Errorf("parties %q, attorneys %q", it.Docket.Parties, it.Docket.Attorneys)
	}
	// A week later they are asked for again, once each.
	clk.add(peopleRefresh)
	for range 3 {
		clk.add(time.Minute)
		if _, err := c.Read(context.Background(), body, wirewatch.Feed{URL: feedURL}); err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.asked(); len(got) != 6 {
		t.Errorf("API requests a week later: %q, want the parties and attorneys once more", got)
	}
}

func TestReadNoTokenNoRequest(t *testing.T) {
	fake, srv := startFake(t)
	c := New(Options{APIURL: srv.URL, Limits: roomy})
	body := entriesBody(t, srv.URL)
	items, err := c.Read(context.Background(), body, wirewatch.Feed{URL: srv.URL + "/api/rest/v4/docket-entries/?docket=69777799"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || len(fake.asked()) != 0 {
		t.Errorf("items %d, API requests %q; want 1 item and no request without a token", len(items), fake.asked())
	}
	if !strings.Contains(items[0].Link, "storage.courtlistener.com") {
		t.Errorf("link %q", items[0].Link)
	}
}

func TestReadBadBodies(t *testing.T) {
	c := New(Options{})
	for _, body := range []string{"", "<html>maintenance</html>", "{not json", `{"results": "x"}`} {
		_, err := c.Read(context.Background(), []byte(body), wirewatch.Feed{URL: "https://www.courtlistener.com/docket/1/feed/"})
		if err == nil {
			t.Errorf("Read(%q): no error", body)
		}
	}
	_, err := c.Read(context.Background(), []byte("<rss/>"), wirewatch.Feed{URL: "https://www.courtlistener.com/docket/1/feed/"})
	if !errors.Is(err, ErrFormat) {
		t.Errorf("Read(rss): err %v, want ErrFormat", err)
	}
}

func TestIsCourtListener(t *testing.T) {
	for in, want := range map[string]bool{
		"https://www.courtlistener.com/docket/69777799/feed/": true,
		"https://courtlistener.com/feed/search/?type=r":       true,
		"https://courtlistener.com.evil.example/":             false,
		"https://example.org/":                                false,
	} {
		u, _ := url.Parse(in)
		if got := IsCourtListener(u); got != want {
			t.Errorf("IsCourtListener(%q) = %v, want %v", in, got, want)
		}
	}
	c := New(Options{})
	feed, _ := url.Parse("https://www.courtlistener.com/docket/69777799/feed/")
	for range 10 {
		if d := c.Wait(feed); d != 0 {
			t.Fatalf("Wait(feed URL) = %s, want 0: feeds are not budgeted", d)
		}
	}
}
