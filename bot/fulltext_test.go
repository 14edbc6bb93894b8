package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/feeds/article"
)

// pages is a stand-in article pool that answers at once: the text of each
// link, or an error, and the requests it was asked.
type pages struct {
	mu    sync.Mutex
	text  map[string]article.Result
	asked []article.Request
}

func (p *pages) Start(r article.Request) <-chan article.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, r)
	res, ok := p.text[r.Link]
	if !ok {
		res.Err = &article.Error{Reason: "404", Err: errors.New("HTTP 404")}
	}
	out := make(chan article.Result, 1)
	out <- res
	return out
}

func (p *pages) links() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.asked {
		out = append(out, r.Link)
	}
	sort.Strings(out)
	return out
}

const mazzaraBody = "The county board voted late Tuesday to approve the transit budget.\n\n" +
	"Among those who testified was Joseph Mazzara, a retired transit planner who helped design the route map. " +
	"He told the board that frequency mattered more than routes.\n\nThe schedules take effect in March."

func fulltextPipeline(t *testing.T, art bot.Articles, allowPrivate bool) (*bot.Pipeline, func() []wirewatch.Alert) {
	t.Helper()
	db := openStore(t)
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	p := &bot.Pipeline{
		DB: db, Location: time.UTC, Log: quietLog(), Now: func() time.Time { return now },
		Watches:  mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: `"Joseph Mazzara"`, To: []wirewatch.Destination{"stdout"}}),
		Articles: art, AllowPrivate: allowPrivate,
	}
	pending := func() []wirewatch.Alert {
		as, err := db.Pending("stdout", 100)
		if err != nil {
			t.Fatal(err)
		}
		return as
	}
	return p, pending
}

// TestFulltextMatchesTheArticle: a headline-only item whose article names
// the watched person alerts, says it matched in the article, takes its
// snippet from the article's sentence, and links the page's canonical URL.
func TestFulltextMatchesTheArticle(t *testing.T) {
	art := &pages{text: map[string]article.Result{
		"https://proxy.example/r/1": {Page: article.Page{URL: "https://ledger.example/news/transit", Text: mazzaraBody}},
	}}
	p, pending := fulltextPipeline(t, art, false)
	f := wirewatch.Feed{ID: "f1", Name: "Ledger", Type: wirewatch.FeedRSS}
	ctx := context.Background()
	if err := p.Commit(ctx, f, wirewatch.FeedState{}, []wirewatch.Item{{ID: "0", Title: "Old", Link: "https://proxy.example/r/0", FeedID: "f1"}}, true); err != nil {
		t.Fatal(err)
	}
	if got := art.links(); len(got) != 0 {
		t.Fatalf("pages read at the seeding poll: %v", got)
	}
	items := []wirewatch.Item{
		{ID: "1", Title: "County approves transit budget", Link: "https://proxy.example/r/1", FeedID: "f1", Feed: "Ledger"},
		{ID: "0", Title: "Old", Link: "https://proxy.example/r/0", FeedID: "f1"},
	}
	if err := p.Commit(ctx, f, wirewatch.FeedState{}, items, false); err != nil {
		t.Fatal(err)
	}
	if got := art.links(); len(got) != 1 || got[0] != "https://proxy.example/r/1" {
		t.Fatalf("pages read = %v, want only the new item's", got)
	}
	if !art.asked[0].Guarded {
		t.Error("article read without the SSRF guard (allow_private_feeds is off)")
	}
	as := pending()
	if len(as) != 1 {
		t.Fatalf("alerts = %+v, want 1", as)
	}
	a := as[0]
	if strings.Join(a.MatchedIn, ",") != "article" {
		t.Errorf("MatchedIn = %v, want [article]", a.MatchedIn)
	}
	if !strings.HasPrefix(a.Summary, "Among those who testified was Joseph Mazzara") || len(a.Summary) > bot.SummaryMax {
		t.Errorf("Summary = %q, want the article's sentence, ≤ %d bytes", a.Summary, bot.SummaryMax)
	}
	if strings.Contains(a.Summary, "county board") || strings.Contains(a.Summary, "March") {
		t.Errorf("Summary carries more of the article than the matched sentence: %q", a.Summary)
	}
	if a.Link != "https://ledger.example/news/transit" {
		t.Errorf("Link = %q, want the page's canonical URL", a.Link)
	}

	// The stdout destination prints where it matched.
	var buf bytes.Buffer
	w := bot.NewWriter(&buf)
	if _, err := w.PostTop(ctx, wirewatch.Thread{}, a); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(line["matched_in"]); string(got) != `["article"]` {
		t.Errorf(`stdout "matched_in" = %s, want ["article"]`, got)
	}
}

// TestFulltextModes: auto reads only items whose own text is short,
// always reads every new item, never none; docket feeds and entries and
// Google News links are never read; allow_private_feeds turns the guard off.
func TestFulltextModes(t *testing.T) {
	long := strings.Repeat("A long summary that carries most of the article. ", 10)
	items := func() []wirewatch.Item {
		return []wirewatch.Item{
			{ID: "short", Title: "Headline", Summary: "Headline — Ledger", Link: "https://a.example/short", FeedID: "f"},
			{ID: "long", Title: "Headline 2", Summary: long, Link: "https://a.example/long", FeedID: "f"},
			{ID: "gn", Title: "Headline 3", Link: "https://news.google.com/rss/articles/CBMi?oc=5", FeedID: "f"},
			{ID: "dk", Title: "Order", Link: "https://ecf.example/doc1/1", FeedID: "f",
				Docket: &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", EntryNumber: "7"}},
		}
	}
	for _, tc := range []struct {
		name string
		feed wirewatch.Feed
		want string
	}{
		{"auto by default", wirewatch.Feed{Type: wirewatch.FeedRSS}, "https://a.example/short"},
		{"always", wirewatch.Feed{Type: wirewatch.FeedRSS, Fulltext: wirewatch.FulltextAlways}, "https://a.example/long https://a.example/short"},
		{"never", wirewatch.Feed{Type: wirewatch.FeedRSS, Fulltext: wirewatch.FulltextNever}, ""},
		{"docket feed", wirewatch.Feed{Type: wirewatch.FeedPACER}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art := &pages{}
			p, _ := fulltextPipeline(t, art, true)
			tc.feed.ID = "f"
			if err := p.Commit(context.Background(), tc.feed, wirewatch.FeedState{}, items(), false); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(art.links(), " "); got != tc.want {
				t.Errorf("read %q, want %q", got, tc.want)
			}
			for _, r := range art.asked {
				if r.Guarded {
					t.Errorf("%s read with the guard although allow_private_feeds is on", r.Link)
				}
			}
		})
	}
}

// TestFulltextFailureKeepsTheItem: a page that cannot be read (403,
// timeout) leaves the item matched on its feed text, recorded, and
// alerting when the feed text matches.
func TestFulltextFailureKeepsTheItem(t *testing.T) {
	art := &pages{text: map[string]article.Result{
		"https://a.example/late": {Err: article.ErrWaited},
	}}
	p, pending := fulltextPipeline(t, art, false)
	f := wirewatch.Feed{ID: "f1", Type: wirewatch.FeedRSS}
	items := []wirewatch.Item{
		{ID: "1", Title: "Joseph Mazzara testifies", Link: "https://a.example/forbidden", FeedID: "f1"},
		{ID: "2", Title: "Budget passes", Summary: "Joseph Mazzara spoke.", Link: "https://a.example/late", FeedID: "f1"},
	}
	if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
		t.Fatal(err)
	}
	as := pending()
	if len(as) != 2 {
		t.Fatalf("alerts = %d, want 2 (both on their feed text)", len(as))
	}
	got, links := map[string]string{}, map[string]string{}
	for _, a := range as {
		got[a.Title] = strings.Join(a.MatchedIn, ",")
		links[a.Title] = a.Link
	}
	if got["Joseph Mazzara testifies"] != "title" || got["Budget passes"] != "text" {
		t.Errorf("matched_in = %v", got)
	}
	if l := links["Joseph Mazzara testifies"]; l != "https://a.example/forbidden" {
		t.Errorf("Link = %q: an unread page keeps the feed's link", l)
	}
	// Recorded: the next poll neither reads nor alerts them again.
	if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
		t.Fatal(err)
	}
	if n := len(art.links()); n != 2 {
		t.Errorf("pages asked %d times, want 2 (once each)", n)
	}
	if n := len(pending()); n != 2 {
		t.Errorf("alerts after the second poll = %d, want still 2", n)
	}
}

// TestFulltextPhraseDoesNotSpanFields: the article is a field of its own,
// so a phrase never joins the end of the feed's text to the article's start.
func TestFulltextPhraseDoesNotSpanFields(t *testing.T) {
	art := &pages{text: map[string]article.Result{
		"https://a.example/1": {Page: article.Page{URL: "https://a.example/1", Text: "Mazzara said the plan works. It was long."}},
	}}
	p, pending := fulltextPipeline(t, art, false)
	f := wirewatch.Feed{ID: "f1", Type: wirewatch.FeedRSS}
	items := []wirewatch.Item{{ID: "1", Title: "Budget", Summary: "Speakers included Joseph", Link: "https://a.example/1", FeedID: "f1"}}
	if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
		t.Fatal(err)
	}
	if as := pending(); len(as) != 0 {
		t.Errorf("a phrase matched across the feed text and the article: %+v", as)
	}
}

// TestFulltextChatFeedNeverReachesLoopback: with the real reader, a feed
// added from chat whose item links point at loopback — directly, through a
// name resolving there, or by a redirect from a public-looking proxy — is
// never fetched; the item is still recorded and matched on its feed text.
func TestFulltextChatFeedNeverReachesLoopback(t *testing.T) {
	var hits atomic.Int32
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><article><p>"+strings.Repeat("Joseph Mazzara testified at length about the plan. ", 20)+"</p></article></body></html>")
	}))
	defer private.Close()
	_, port, _ := net.SplitHostPort(private.Listener.Addr().String())
	// The proxy is on loopback too, but the guard is told to treat its
	// port as public: only the redirect's target is private.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, private.URL+"/secret", http.StatusFound)
	}))
	defer proxy.Close()
	_, pport, _ := net.SplitHostPort(proxy.Listener.Addr().String())
	g := feeds.NewGuard()
	n, _ := strconv.Atoi(pport)
	g.TreatAsPublic(uint16(n))
	pool := article.NewPool(article.NewReader(article.Options{Guard: g, Gap: time.Millisecond}))
	defer pool.Close()

	p, pending := fulltextPipeline(t, pool, false)
	f := wirewatch.Feed{ID: "f7", Type: wirewatch.FeedRSS, AddedBy: "U123"} // added from chat
	items := []wirewatch.Item{
		{ID: "1", Title: "Budget vote", Summary: "Joseph Mazzara spoke.", Link: private.URL + "/a", FeedID: "f7"},
		{ID: "2", Title: "Budget vote 2", Link: "http://localhost:" + port + "/b", FeedID: "f7"},
		{ID: "3", Title: "Budget vote 3", Link: proxy.URL + "/r/3", FeedID: "f7"},
	}
	if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback site was reached %d times", n)
	}
	as := pending()
	if len(as) != 1 || as[0].Title != "Budget vote" || strings.Join(as[0].MatchedIn, ",") != "text" {
		t.Errorf("alerts = %+v, want only the item whose feed text names him", as)
	}
	var refused int
	for _, h := range pool.Reader().Stats.Hosts() {
		refused += h.Reasons["private address"]
	}
	if refused != 3 {
		t.Errorf("stats count %d private-address refusals, want 3: %+v", refused, pool.Reader().Stats.Hosts())
	}
}

// kickCh is a dispatcher that says when alerts were queued.
type kickCh chan struct{}

func (k kickCh) Kick() { k <- struct{}{} }

// TestFulltextHangingPageDoesNotHoldTheCommit: a feed's poll whose page
// hangs commits at once (the item recorded, pending, the feed's state
// saved), so the feed's worker is free for its next poll, which brings
// nothing twice; another feed's page is read and alerts meanwhile; when the
// hanging page ends, the item is matched on its title and alerts, once.
func TestFulltextHangingPageDoesNotHoldTheCommit(t *testing.T) {
	release := make(chan struct{})
	var releaseOnce sync.Once
	releasePage := func() { releaseOnce.Do(func() { close(release) }) }
	asked := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		select {
		case asked <- struct{}{}:
		default:
		}
		<-release
	}))
	defer slow.Close()
	defer releasePage() // before the server closes, should the test stop early
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><article><p>"+strings.Repeat("Among those who testified was Joseph Mazzara, a planner. ", 12)+"</p></article></body></html>")
	}))
	defer fast.Close()
	pool := article.NewPool(article.NewReader(article.Options{Gap: time.Millisecond, Timeout: time.Minute}))
	defer pool.Close()
	p, pending := fulltextPipeline(t, pool, true)
	p.ArticleWait = time.Hour // only the page's end finishes the item here
	kicked := make(chan struct{}, 8)
	p.Dispatcher = kickCh(kicked)
	defer p.Close()

	ctx := context.Background()
	slowFeed := wirewatch.Feed{ID: "cfg-slow", Type: wirewatch.FeedRSS}
	slowItems := []wirewatch.Item{{ID: "s1", Title: "Joseph Mazzara in court", Link: slow.URL + "/story", FeedID: "cfg-slow"}}
	if err := p.Commit(ctx, slowFeed, wirewatch.FeedState{ETag: `"v1"`}, slowItems, false); err != nil {
		t.Fatal(err)
	}
	<-asked // returned with the page still being read
	states, err := p.DB.FeedStates()
	if err != nil || states["cfg-slow"].ETag != `"v1"` {
		t.Fatalf("the slow feed's state was not committed with its poll: %+v, %v", states, err)
	}
	if left, err := p.DB.PendingArticles(); err != nil || len(left) != 1 || left[0].ID != "s1" || left[0].FeedID != "cfg-slow" {
		t.Fatalf("pending = %+v, %v; want the slow item recorded as waiting for its page", left, err)
	}
	// The feed's next poll: nothing new, nothing asked again.
	if err := p.Commit(ctx, slowFeed, wirewatch.FeedState{ETag: `"v2"`}, slowItems, false); err != nil {
		t.Fatal(err)
	}
	f := wirewatch.Feed{ID: "fast", Type: wirewatch.FeedRSS}
	if err := p.Commit(ctx, f, wirewatch.FeedState{}, []wirewatch.Item{
		{ID: "f1", Title: "Transit budget", Link: fast.URL + "/story", FeedID: "fast"}}, false); err != nil {
		t.Fatal(err)
	}
	<-kicked // the fast page, read in the background, queued its alert
	if as := pending(); len(as) != 1 || as[0].Title != "Transit budget" || strings.Join(as[0].MatchedIn, ",") != "article" {
		t.Fatalf("alerts while the slow site hangs = %+v, want the fast feed's article match", as)
	}
	releasePage() // the hanging page ends (empty: no article)
	if err := p.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	as := pending()
	if len(as) != 2 || as[1].Title != "Joseph Mazzara in court" || strings.Join(as[1].MatchedIn, ",") != "title" {
		t.Errorf("alerts = %+v, want the slow feed's item matched on its title, once", as)
	}
	if left, _ := p.DB.PendingArticles(); len(left) != 0 {
		t.Errorf("still pending: %+v", left)
	}
}
