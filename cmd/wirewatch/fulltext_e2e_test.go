package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// pageSite stands in for a publisher's web site: it serves article pages
// and counts every request, robots.txt included.
type pageSite struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newPageSite(t *testing.T, h http.HandlerFunc) *pageSite {
	t.Helper()
	s := &pageSite{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pageSite) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

// lineWriter is a stdout that tells when it has n lines.
type lineWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	want   int
	enough chan struct{}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if bytes.Count(w.buf.Bytes(), []byte("\n")) >= w.want {
		select {
		case <-w.enough:
		default:
			close(w.enough)
		}
	}
	return n, err
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestFulltextE2E: a headline-only feed whose articles name the watched
// person only in the body. No page is read at the seeding poll; then the
// article's mention alerts (matched_in ["article"]) with a snippet from
// the article; names only in the page's navigation, related-stories box and
// footer alert nothing; a 403 page and a hanging page neither block nor
// lose their items, which alert on their feed text; the hanging page does
// not hold the feed's next poll; status shows the failures per host.
func TestFulltextE2E(t *testing.T) {
	page, err := os.ReadFile("../../feeds/article/testdata/news.html")
	if err != nil {
		t.Fatal(err)
	}
	good := newPageSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	release := make(chan struct{})
	hanging := make(chan struct{}, 1)
	bad := newPageSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/forbidden":
			http.Error(w, "bot protection", http.StatusForbidden)
		case "/hang":
			select {
			case hanging <- struct{}{}:
			default:
			}
			<-release
		}
	})
	t.Cleanup(func() { close(release) }) // runs before bad.Close (cleanups run last first)

	fs := newFeedServer(t)
	feed := fs.feed("/headlines", true)
	fs.add("/headlines", testItem{"old", "Transit board schedules vote", good.URL + "/news/old", "", t0})
	cfg := MustConfig(t, fmt.Sprintf(`
allow_private_feeds: true   # the publishers here are httptest servers on loopback
feeds:
  - url: %s
    name: Ledger
    interval: 1s                # the daemon below polls at once, not 5 min after the seeding run
watches:
  - name: Mazzara
    query: '"Joseph Mazzara"'
    to: stdout
  - name: Whitfield
    query: '"Dana Whitfield" OR "Marcus Oyelaran" OR "Ingrid Solberg"'
    to: stdout
`, feed))

	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("seeding run: code %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if n := good.total() + bad.total(); n != 0 {
		t.Fatalf("the seeding poll read %d pages (robots.txt included); want none", n)
	}

	fs.add("/headlines",
		testItem{"1", "County approves new transit budget after long debate", good.URL + "/news/2026/12/transit-budget?utm_source=rss", "", t0.Add(time.Hour)},
		testItem{"2", "Joseph Mazzara to testify again", bad.URL + "/forbidden", "", t0.Add(2 * time.Hour)},
		testItem{"3", "Hearing recap", bad.URL + "/hang", "Joseph Mazzara spoke at length.", t0.Add(3 * time.Hour)},
	)
	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	out := &lineWriter{want: 3, enough: make(chan struct{})}
	var logs lockedBuffer
	m := &Main{Config: c, Env: env{stdout: out, stderr: &logs, getenv: func(string) string { return "" }}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			m.Close()
		}
	}()
	polled := fs.notify("/headlines")
	go m.Run(ctx)
	// The hanging page does not hold its feed's poll worker: the feed is
	// polled again while the page hangs, before the item's wait ends.
	<-hanging
	for len(polled) > 0 {
		<-polled // polls that began before the page was asked for
	}
	<-polled
	// (The page's read times out after 10 s, before the 15 s wait ends.)
	if n := m.counter("wirewatch_article_reads_total", "result", "timeout"); n != 0 {
		t.Fatalf("the feed was polled again only after the hanging page's read ended")
	}
	select {
	case <-out.enough:
	case <-time.After(time.Minute):
		t.Fatalf("alerts after a minute: %s\nlog:\n%s", out.String(), logs.String())
	}

	byTitle := map[string]alertLine{}
	for _, a := range alertsOf(t, out.String()) {
		if _, dup := byTitle[a.Title]; dup {
			t.Errorf("%q alerted twice", a.Title)
		}
		byTitle[a.Title] = a
		if !slices.Equal(a.Watches, []string{"Mazzara"}) {
			t.Errorf("%q alerted %v; names in the page's chrome must not match", a.Title, a.Watches)
		}
	}
	a, ok := byTitle["County approves new transit budget after long debate"]
	if !ok {
		t.Fatalf("the article's mention did not alert; alerts: %s\nlog:\n%s", out.String(), logs.String())
	}
	if !slices.Equal(a.MatchedIn, []string{"article"}) {
		t.Errorf("matched_in = %v, want [article]", a.MatchedIn)
	}
	if !strings.HasPrefix(a.Summary, "Among those who testified was Joseph Mazzara") || len(a.Summary) > 300 {
		t.Errorf("summary = %q, want the article's sentence with the name, at most 300 bytes", a.Summary)
	}
	if want := good.URL + "/news/2026/12/transit-budget"; a.Link != want {
		t.Errorf("link = %q, want the page's canonical URL %q", a.Link, want)
	}
	if got := byTitle["Joseph Mazzara to testify again"].MatchedIn; !slices.Equal(got, []string{"title"}) {
		t.Errorf("item behind a 403: matched_in = %v, want [title] (alerted on its feed text)", got)
	}
	if got := byTitle["Hearing recap"].MatchedIn; !slices.Equal(got, []string{"text"}) {
		t.Errorf("item behind a hanging page: matched_in = %v, want [text]", got)
	}

	// The running daemon's status names the publisher's failures.
	st := status(t, cfg)
	var lines []string
	for _, h := range st.Articles {
		lines = append(lines, h.Line())
	}
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "403 for 1 of the last 2") || !strings.Contains(joined, "timeout for 1 of the last 2") {
		t.Errorf("status article lines:\n%s\nwant the 403 and the timeout of the bad host", joined)
	}
	text := runCLI(t, "", "status", "-config", cfg)
	if !strings.Contains(text.stdout, "ARTICLE PAGES") || !strings.Contains(text.stdout, "403 for 1 of the last 2") {
		t.Errorf("status text:\n%s", text.stdout)
	}

	cancel()
	closed = true
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// Recorded: a run after the stop reads nothing and alerts nothing again.
	before := good.total() + bad.total()
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("run after: code %d, stdout %q", r.code, r.stdout)
	}
	if n := good.total() + bad.total() - before; n != 0 {
		t.Errorf("%d more page requests for items already recorded", n)
	}
}

// TestFulltextE2EGuarded: without allow_private_feeds, a feed's item links
// to a loopback site are never fetched, even for a feed of the config file
// (its URL is the operator's; its links are the publisher's); the item is
// matched on its feed text alone.
func TestFulltextE2EGuarded(t *testing.T) {
	page, err := os.ReadFile("../../feeds/article/testdata/news.html")
	if err != nil {
		t.Fatal(err)
	}
	private := newPageSite(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	})
	fs := newFeedServer(t)
	feed := fs.feed("/headlines", true)
	fs.add("/headlines", testItem{"old", "Old", private.URL + "/old", "", t0})
	cfg := MustConfig(t, fmt.Sprintf("feeds:\n  - url: %s\nwatches:\n  - query: '\"Joseph Mazzara\"'\n    to: stdout\n", feed))
	if r := runCLI(t, "", "run", "-once", "-config", cfg); r.code != 0 {
		t.Fatalf("seed: %s", r.stderr)
	}
	fs.add("/headlines", testItem{"1", "County approves transit budget", private.URL + "/news/1", "", t0.Add(time.Hour)})
	r := runCLI(t, "", "run", "-once", "-log-level", "debug", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("run: code %d, stdout %q (the page is private: never read, so no alert)", r.code, r.stdout)
	}
	if n := private.total(); n != 0 {
		t.Errorf("the loopback site got %d requests", n)
	}
	if !strings.Contains(r.stderr, "private address") {
		t.Errorf("log does not say why the article was not read:\n%s", r.stderr)
	}
}

// storyPage is a publisher's page around the text of testdata/samestory/
// name: navigation and a footer naming other people, the text's lines as
// paragraphs.
func storyPage(t *testing.T, outlet, name string) []byte {
	t.Helper()
	text, err := os.ReadFile("testdata/samestory/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=utf-8><title>%s</title></head><body>", outlet)
	b.WriteString(`<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/opinion">Opinion: Dana Pruitt on the budget</a></nav><main><article><h1>Court news</h1>`)
	for _, p := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	fmt.Fprintf(&b, `</article></main><footer>© 2026 %s. Contact the newsroom.</footer></body></html>`, outlet)
	return []byte(b.String())
}

// TestSameStoryE2E: one wire story carried by three outlets (each its own
// feed, headline only, its own link and headline) alerts once; the other
// two outlets come as "also in" lines of that story (same thread, title
// and link, also_in naming the outlet); two different stories of the same
// case, which share the names and a background paragraph with the wire
// story, alert on their own.
func TestSameStoryE2E(t *testing.T) {
	pages := map[string][]byte{
		"/ledger/wire":   storyPage(t, "Ledger", "wire"),
		"/courier/wire":  storyPage(t, "Courier", "b"),
		"/tribune/wire":  storyPage(t, "Tribune", "c"),
		"/ledger/appeal": storyPage(t, "Ledger", "appeal"),
		"/tribune/vigil": storyPage(t, "Tribune", "vigil"),
	}
	site, fs, cfg := storyOutlets(t, pages, "Ledger", "Courier", "Tribune")
	at := t0.Add(time.Hour)
	fs.add("/ledger",
		testItem{"w", "Appeals court won't pause order to return deported apprentice", site.URL + "/ledger/wire", "", at},
		testItem{"a", "Government asks justices to intervene", site.URL + "/ledger/appeal", "", at})
	fs.add("/courier", testItem{"w", "Court refuses to halt return order", site.URL + "/courier/wire", "", at})
	fs.add("/tribune",
		testItem{"w", "Panel rejects bid to delay ruling in deportation case", site.URL + "/tribune/wire", "", at},
		testItem{"v", "Vigil marks six months since deportation", site.URL + "/tribune/vigil", "", at})
	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("run: code %d, stderr %s", r.code, r.stderr)
	}
	var story []alertLine
	also := map[string]alertLine{}
	others := map[string]bool{}
	for _, a := range alertsOf(t, r.stdout) {
		switch {
		case strings.HasSuffix(a.Link, "/wire") && len(a.AlsoIn) == 0:
			story = append(story, a)
		case len(a.AlsoIn) > 0:
			for _, o := range a.AlsoIn {
				also[o.Source] = a
			}
		default:
			others[a.Link] = true
		}
	}
	if len(story) != 1 {
		t.Fatalf("the wire story alerted %d times without also_in, want once:\n%s", len(story), r.stdout)
	}
	first := story[0]
	if len(also) != 2 || also[first.Source].Link != "" {
		t.Fatalf("also_in lines for %v, want the two outlets other than %s:\n%s", keys(also), first.Source, r.stdout)
	}
	for src, a := range also {
		if a.Link != first.Link || a.Thread != first.Thread || a.Title != first.Title {
			t.Errorf("also-in line for %s = %+v, want the story's link, thread and title (%s)", src, a, first.Link)
		}
		if a.AlsoIn[0].Link != site.URL+"/"+strings.ToLower(src)+"/wire" {
			t.Errorf("also_in of %s = %+v, want its own page", src, a.AlsoIn)
		}
	}
	if !others[site.URL+"/ledger/appeal"] || !others[site.URL+"/tribune/vigil"] || len(others) != 2 {
		t.Errorf("the two other stories of the case alerted as %v, want each on its own:\n%s", others, r.stdout)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// storyOutlets serves pages as the outlets' sites and a feed for each of
// outlets (under /<outlet in lower case>), with a config whose watch of
// the story's subject prints to stdout, and seeds the state file with a
// first run.
func storyOutlets(t *testing.T, pages map[string][]byte, outlets ...string) (*pageSite, *feedServer, string) {
	t.Helper()
	site := newPageSite(t, func(w http.ResponseWriter, r *http.Request) {
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	fs := newFeedServer(t)
	var feedsYAML strings.Builder
	for _, name := range outlets {
		path := "/" + strings.ToLower(name)
		fs.feed(path, true)
		fs.add(path, testItem{"old", "Older story", site.URL + path + "/old", "", t0})
		fmt.Fprintf(&feedsYAML, "  - url: %s\n    name: %s\n", fs.URL+path, name)
	}
	cfg := MustConfig(t, fmt.Sprintf(`
allow_private_feeds: true   # the publishers here are httptest servers on loopback
feeds:
%swatches:
  - name: Ilescu
    query: '"Marco Ilescu"'
    to: stdout
`, feedsYAML.String()))
	if r := runCLI(t, "", "run", "-once", "-config", cfg); r.code != 0 || r.stdout != "" {
		t.Fatalf("seeding run: code %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	return site, fs, cfg
}

// TestSameStoryRestartE2E: the same-story index outlives the process. A
// wire story alerts from one outlet in one run; the next run, a new
// process on the same state file, gets it from another outlet and prints
// an "also in" line in the first alert's thread instead of a second post.
func TestSameStoryRestartE2E(t *testing.T) {
	pages := map[string][]byte{
		"/ledger/wire":  storyPage(t, "Ledger", "wire"),
		"/courier/wire": storyPage(t, "Courier", "b"),
	}
	site, fs, cfg := storyOutlets(t, pages, "Ledger", "Courier")
	at := t0.Add(time.Hour)
	fs.add("/ledger", testItem{"w", "Appeals court won't pause order to return deported apprentice", site.URL + "/ledger/wire", "", at})
	r := runCLI(t, "", "run", "-once", "-config", cfg)
	as := alertsOf(t, r.stdout)
	if r.code != 0 || len(as) != 1 || as[0].Link != site.URL+"/ledger/wire" || len(as[0].AlsoIn) != 0 {
		t.Fatalf("first run: code %d, alerts %+v, want the Ledger's story once; stderr %s", r.code, as, r.stderr)
	}
	first := as[0]
	fs.add("/courier", testItem{"w", "Court refuses to halt return order", site.URL + "/courier/wire", "", at.Add(time.Hour)})
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	as = alertsOf(t, r.stdout)
	if r.code != 0 || len(as) != 1 {
		t.Fatalf("run after the restart: code %d, %d alerts, want 1:\n%s\nstderr %s", r.code, len(as), r.stdout, r.stderr)
	}
	a := as[0]
	if len(a.AlsoIn) != 1 || a.AlsoIn[0].Link != site.URL+"/courier/wire" {
		t.Fatalf("the Courier's outlet of the story after a restart = %+v, want an also_in line for it", a)
	}
	if a.Link != first.Link || a.Thread != first.Thread || a.Title != first.Title {
		t.Errorf("also-in line = %+v, want the first alert's link, thread and title (%+v)", a, first)
	}
}
