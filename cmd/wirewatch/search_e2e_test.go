package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// newsItem is one result of the Google News stand-in: a headline, its
// publisher and the publisher's site, served to the searches whose query
// holds the word in its field for.
type newsItem struct {
	guid, headline, publisher, site, for_ string
	date                                  time.Time
}

// googleNews stands in for Google News' RSS search: it answers
// /rss/search with the results set so far (newest first), in Google's
// shape (redirect links, "Headline - Publisher", <source url>), honours
// If-None-Match, and keeps the queries it was asked.
type googleNews struct {
	*httptest.Server
	mu      sync.Mutex
	items   []newsItem
	queries []string
	ok, not int
}

func newGoogleNews(t *testing.T) *googleNews {
	g := &googleNews{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/rss/search" || r.URL.Query().Get("ceid") != "US:en" {
			http.NotFound(w, r)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.queries = append(g.queries, r.URL.Query().Get("q"))
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s - Google News</title>`, html.EscapeString(r.URL.Query().Get("q")))
		for _, it := range g.items {
			if !strings.Contains(r.URL.Query().Get("q"), it.for_) {
				continue
			}
			fmt.Fprintf(&b, `<item><title>%s - %s</title><link>https://news.google.com/rss/articles/CBMi%s?oc=5</link><guid isPermaLink="false">CBMi%s</guid><pubDate>%s</pubDate><description>%s</description><source url="%s">%s</source></item>`,
				html.EscapeString(it.headline), html.EscapeString(it.publisher), it.guid, it.guid, it.date.Format(time.RFC1123),
				html.EscapeString(it.headline), it.site, html.EscapeString(it.publisher))
		}
		b.WriteString("</channel></rss>")
		sum := sha256.Sum256([]byte(b.String()))
		tag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			g.not++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		g.ok++
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *googleNews) add(items ...newsItem) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.items = append(append([]newsItem{}, items...), g.items...)
}

func (g *googleNews) asked() (queries []string, ok, notModified int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.queries), g.ok, g.not
}

// TestGoogleNewsSearchE2E: a config watch with search: [google_news] and a
// chat watch added with search:google_news. The stand-in is asked the
// translated queries; the first poll records silently; then a result whose
// headline does not name the watched person alerts its watch (matched_in
// [search]); a story both the search and the publisher's own feed carry is
// posted once; an unchanged search is a 304 and alerts nothing. The search
// feeds show in status as their watches'. A chat feed to the same loopback
// host is still refused: only the configured search base is trusted.
func TestGoogleNewsSearchE2E(t *testing.T) {
	gn := newGoogleNews(t)
	fs := newFeedServer(t)
	ledger := fs.feed("/ledger", true)
	fs.add("/ledger", testItem{"old", "Council meets", "https://ledger.example/2026/council", "", t0})
	gn.add(newsItem{"old1", "An older story", "The Ledger", "https://www.ledger.example", "", t0})
	cfg := MustConfig(t, fmt.Sprintf(`
google_news:
  url: %s/
feeds:
  - url: %s
    name: The Ledger
    fulltext: never
watches:
  - name: Mazzara
    query: '"Joseph Mazzara" -Yankees'
    to: stdout
    search: [google_news]
`, gn.URL, ledger))

	// check echoes what each engine is asked.
	if r := runCLI(t, "", "check", "-config", cfg); r.code != 0 || !strings.Contains(r.stdout, `search google_news: "Joseph Mazzara" -"Yankees"`) {
		t.Errorf("check: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A chat watch with a search, added with the shell's command.
	r := runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", `"Abrego Garcia" OR Xinis search:google_news`)
	if r.code != 0 || !strings.Contains(r.stdout, "Also searched on Google News") {
		t.Fatalf("watch add with search: code %d, %s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("seeding run: code %d, stdout %q, stderr %s; want nothing (a search's first poll records)", r.code, r.stdout, r.stderr)
	}
	queries, _, _ := gn.asked()
	slices.Sort(queries)
	if want := []string{`"Joseph Mazzara" -"Yankees"`, `("Abrego Garcia" OR "Xinis")`}; !slices.Equal(queries, want) {
		t.Errorf("Google News was asked %q, want %q", queries, want)
	}

	gn.add(
		newsItem{"deep", "County approves transit budget after long debate", "The Ledger", "https://www.ledger.example", "Mazzara", t0.Add(time.Hour)},
		newsItem{"both", "Mazzara testifies before the board", "The Ledger", "https://ledger.example", "Mazzara", t0.Add(2 * time.Hour)},
		newsItem{"w", "Hearing set in deportation case", "Wire", "https://wire.example", "Abrego", t0.Add(3 * time.Hour)},
	)
	// The same story in the publisher's own feed, under its own link.
	fs.add("/ledger", testItem{"s1", "Mazzara Testifies Before the Board", "https://ledger.example/2026/12/mazzara-testifies", "Joseph Mazzara spoke.", t0.Add(2 * time.Hour)})

	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("run: code %d, %s", r.code, r.stderr)
	}
	as := alertsOf(t, r.stdout)
	byTitle := map[string][]alertLine{}
	for _, a := range as {
		byTitle[a.Title] = append(byTitle[a.Title], a)
	}
	deep := byTitle["County approves transit budget after long debate"]
	if len(deep) != 1 {
		t.Fatalf("the search result whose headline names no one: %d alerts, want 1; all: %q", len(deep), titles(as))
	}
	if !slices.Contains(deep[0].MatchedIn, "search") || len(deep[0].Terms) != 0 || deep[0].Source != "The Ledger via Google News" {
		t.Errorf("search alert: %+v; want matched_in [search], no terms, source The Ledger via Google News", deep[0])
	}
	if !slices.Equal(deep[0].Watches, []string{"Mazzara"}) {
		t.Errorf("search alert names watches %v, want Mazzara's", deep[0].Watches)
	}
	same := append(byTitle["Mazzara testifies before the board"], byTitle["Mazzara Testifies Before the Board"]...)
	if len(same) != 1 {
		t.Errorf("the story carried by the search and the publisher's feed: %d alerts, want 1; all: %q", len(same), titles(as))
	}
	if w := byTitle["Hearing set in deportation case"]; len(w) != 1 || !slices.Equal(w[0].Watches, []string{`"Abrego Garcia" OR Xinis`}) {
		t.Errorf("the chat watch's search result: %+v", w)
	}
	if len(as) != 3 {
		t.Errorf("alerts %q, want 3", titles(as))
	}

	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Errorf("unchanged run: code %d, stdout %q", r.code, r.stdout)
	}
	if _, _, not := gn.asked(); not < 2 {
		t.Errorf("unchanged searches: %d 304s, want a conditional GET per search", not)
	}

	st := status(t, cfg)
	var search []FeedStatus
	for _, f := range st.Feeds {
		if f.Watch != "" {
			search = append(search, f)
		}
	}
	if len(search) != 2 || search[0].Watch != "cfg-1" || search[0].Name != "Google News search of watch cfg-1" || search[0].Result != "not modified" {
		t.Errorf("status search feeds: %+v", search)
	}
	list := runCLI(t, "", "feed", "list", "-config", cfg)
	if !strings.Contains(list.stdout, "Google News search of watch w1") {
		t.Errorf("feed list:\n%s", list.stdout)
	}
	if r := runCLI(t, "", "feed", "drop", "-config", cfg, search[1].ID); r.code == 0 || !strings.Contains(r.stderr, "goes when the watch is dropped") {
		t.Errorf("feed drop of a search feed: code %d, %s", r.code, r.stderr)
	}
	// The guard still holds for what chat adds: the stand-in's loopback
	// host is trusted only as the configured Google News base.
	if r := runCLI(t, "", "feed", "add", "-config", cfg, gn.URL+"/rss/search?q=x&ceid=US:en"); r.code == 0 || !strings.Contains(r.stderr, "not public") {
		t.Errorf("feed add of a loopback URL: code %d, %s%s", r.code, r.stdout, r.stderr)
	}

	// Dropping the chat watch drops its search: it is asked no more.
	if r := runCLI(t, "", "watch", "drop", "-config", cfg, "w1"); r.code != 0 {
		t.Fatalf("watch drop: %s", r.stderr)
	}
	before, _, _ := gn.asked()
	runCLI(t, "", "run", "-once", "-config", cfg)
	after, _, _ := gn.asked()
	if got := after[len(before):]; len(got) != 1 || strings.Contains(got[0], "Abrego") {
		t.Errorf("after the drop Google News was asked %q, want only the config watch's search", got)
	}
}

// TestSearchRefusals: a query Google News or CourtListener cannot be asked
// is refused with the reason, at config load and from chat; so is a
// CourtListener search past the API budget.
func TestSearchRefusals(t *testing.T) {
	cfg := MustConfig(t, "watches:\n  - query: 'negotiat*'\n    to: stdout\n    search: [google_news]\n")
	r := runCLI(t, "", "check", "-config", cfg)
	if r.code == 0 || !strings.Contains(r.stderr, `watches[0] (line 2).search: Google News can't search for words starting with negotiat*`) {
		t.Errorf("check: code %d, %s", r.code, r.stderr)
	}

	var four strings.Builder
	four.WriteString("watches:\n")
	for i := range 4 {
		fmt.Fprintf(&four, "  - query: 'Party%d'\n    to: stdout\n    search: [courtlistener]\n", i)
	}
	cfg = MustConfig(t, four.String())
	for _, c := range []struct{ query, want string }{
		{`"Joseph Mazzara~" search:google_news`, "Google News can't search for the spelling variants of \"Joseph Mazzara\""},
		{`Xinis search:courtlistener`, "5 searches would cost 120, more than the 100 of CourtListener's 125 a day"},
		{`Xinis search:yahoo`, `"yahoo" is not a search engine`},
		{`search:google_news Xinis`, "goes at the end"},
	} {
		r := runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", c.query)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("watch add %s: code %d, %s%s; want a refusal saying %q", c.query, r.code, r.stdout, r.stderr, c.want)
		}
	}
	if st := status(t, cfg); len(st.Watches) != 4 || !strings.HasPrefix(st.CourtListenerSearches, "searches: 4 watches x 24/day = 96 of 125/day") {
		t.Errorf("after the refusals: %d watches, budget %q", len(st.Watches), st.CourtListenerSearches)
	}
}

// clSearch stands in for CourtListener's search API: it answers
// /api/rest/v4/search/ with the dockets set so far and keeps what each
// request asked and the token it carried.
type clSearch struct {
	*httptest.Server
	mu      sync.Mutex
	results []string // JSON objects, newest first
	asked   []*http.Request
}

func newCLSearch(t *testing.T) *clSearch {
	c := &clSearch{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.asked = append(c.asked, r.Clone(r.Context()))
		if r.URL.Path != "/api/rest/v4/search/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"count": "%s&count=on", "next": null, "previous": null, "results": [%s]}`, r.URL.String(), strings.Join(c.results, ","))
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *clSearch) add(results ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.results = append(append([]string{}, results...), c.results...)
}

func (c *clSearch) requests() []*http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.asked)
}

// docketResult is a RECAP search result: a docket, no filings nested.
func docketResult(id int, court, number, caption, filed string, parties ...string) string {
	return fmt.Sprintf(`{"docket_id": %d, "court_id": %q, "docketNumber": %q, "caseName": %q, "dateFiled": %q,
		"docket_absolute_url": "/docket/%d/x/", "assignedTo": "", "party": [%s], "recap_documents": []}`,
		id, court, number, caption, filed, id, `"`+strings.Join(parties, `","`)+`"`)
}

// TestCourtListenerSearchE2E: a watch with search: [courtlistener] asks
// the API's search for its translated query, with the token; the first
// poll records the dockets there; a new docket naming the watched party
// then alerts the watch once (matched_in includes search), and the next
// poll, which finds it again, posts nothing. status shows what the
// search costs of the daily API budget.
func TestCourtListenerSearchE2E(t *testing.T) {
	cl := newCLSearch(t)
	cl.add(docketResult(69777799, "mdd", "8:25-cv-00951", "Abrego Garcia v. Noem", "2025-03-24", "Kilmar Armando Abrego Garcia", "Kristi Noem"))
	cfg := MustConfig(t, fmt.Sprintf(`
courtlistener:
  api_url: %s/
watches:
  - name: Abrego Garcia cases
    query: '"Abrego Garcia"'
    to: stdout
    search: [courtlistener]
`, cl.URL))
	vars := map[string]string{"COURTLISTENER_TOKEN": "test-token-123"}
	r := runDocketCLI(t, vars, "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("seeding run: code %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	reqs := cl.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests to the API, want 1 search", len(reqs))
	}
	q := reqs[0].URL.Query()
	if q.Get("type") != "r" || q.Get("q") != `"Abrego Garcia"` || q.Get("order_by") != "dateFiled desc" {
		t.Errorf("search asked %s", reqs[0].URL)
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Token test-token-123" {
		t.Errorf("Authorization %q: the API origin gets the token", got)
	}

	cl.add(docketResult(70100001, "tnmd", "3:25-cr-00115", "United States v. Abrego Garcia", "2025-05-21", "Kilmar Armando Abrego Garcia"))
	r = runDocketCLI(t, vars, "run", "-once", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("run: code %d, %s", r.code, r.stderr)
	}
	as := alertsOf(t, r.stdout)
	if len(as) != 1 {
		t.Fatalf("alerts %q, want the new case once", titles(as))
	}
	a := as[0]
	if !strings.Contains(a.Title, "United States v. Abrego Garcia") || !strings.Contains(a.Title, "3:25-cr-00115") ||
		!slices.Contains(a.MatchedIn, "search") || !strings.Contains(a.Summary, "Kilmar Armando Abrego Garcia") || a.Source != "CourtListener search" ||
		!strings.HasPrefix(a.Link, cl.URL+"/docket/70100001/") {
		t.Errorf("new case alert %+v", a)
	}

	r = runDocketCLI(t, vars, "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Errorf("the same results again: code %d, stdout %q", r.code, r.stdout)
	}
	if n := len(cl.requests()); n != 3 {
		t.Errorf("%d API requests in three runs, want one search each", n)
	}

	text := runCLI(t, "", "status", "-config", cfg)
	if !strings.Contains(text.stdout, "COURTLISTENER API") || !strings.Contains(text.stdout, "searches: 1 watch x 24/day = 24 of 125/day") ||
		!strings.Contains(text.stdout, "CourtListener search of watch cfg-1") {
		t.Errorf("status:\n%s", text.stdout)
	}
}
