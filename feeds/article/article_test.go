package article

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch/feeds"
)

func readPage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractKeepsTheBodyNotTheChrome(t *testing.T) {
	u, _ := url.Parse("https://ledger.example/news/2026/12/transit-budget")
	text, err := Extract(readPage(t, "news.html"), "text/html; charset=utf-8", u)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Joseph Mazzara", "frequency of service", "The new schedules take effect in March"} {
		if !strings.Contains(text, want) {
			t.Errorf("article text lacks %q:\n%s", want, text)
		}
	}
	// Navigation, trending bar, related stories, comments, footer, cookie banner.
	for _, chrome := range []string{"Dana Whitfield", "Marcus Oyelaran", "Priya Ramaswamy", "Ingrid Solberg", "cookies", "Share on Facebook", "dataLayer"} {
		if strings.Contains(text, chrome) {
			t.Errorf("article text carries page chrome %q:\n%s", chrome, text)
		}
	}
	if strings.Contains(text, "  ") || strings.Contains(text, "\n\n\n") {
		t.Errorf("spaces not collapsed: %q", text)
	}
}

// body is a page whose main text is long enough for readability to take it.
func body(para string) string {
	var b strings.Builder
	b.WriteString("<html><head><title>T</title></head><body><nav><a href=/>Home</a></nav><article>")
	for range 4 {
		fmt.Fprintf(&b, "<p>%s The council met again on Tuesday evening to hear residents, and the meeting ran late into the night as speaker after speaker came forward.</p>", para)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

func TestExtractDecodesCharsets(t *testing.T) {
	u, _ := url.Parse("https://example.org/a")
	latin1 := strings.ReplaceAll(body("Judge Ana García ruled."), "í", "\xed")
	for name, tc := range map[string]struct{ page, ct string }{
		"content-type": {latin1, "text/html; charset=windows-1252"},
		"meta":         {strings.Replace(latin1, "<head>", `<head><meta charset="iso-8859-1">`, 1), "text/html"},
		"utf-8":        {body("Judge Ana García ruled."), "text/html"},
	} {
		text, err := Extract([]byte(tc.page), tc.ct, u)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(text, "Ana García ruled") {
			t.Errorf("%s: text not decoded: %q", name, wirewatchClip(text))
		}
	}
}

func wirewatchClip(s string) string { return s[:min(len(s), 200)] }

func TestTidyCutsOnARune(t *testing.T) {
	s := strings.Repeat("é", MaxText) // 2 bytes each
	out := tidy(s)
	if len(out) > MaxText || !strings.HasPrefix(s, out) || len(out) < MaxText-2 {
		t.Fatalf("tidy kept %d bytes", len(out))
	}
}

// site is an httptest server the guard treats as public, counting requests.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newSite(t *testing.T, h http.HandlerFunc) *site {
	s := &site{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) port() uint16 {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	n, _ := strconv.Atoi(p)
	return uint16(n)
}

// newReader reads with the guard on; the sites given count as public.
func newReader(o Options, public ...*site) *Reader {
	g := feeds.NewGuard()
	for _, s := range public {
		g.TreatAsPublic(s.port())
	}
	o.Guard = g
	if o.Gap == 0 {
		o.Gap = time.Millisecond
	}
	return NewReader(o)
}

func html200(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}
}

func TestReadFollowsRedirectsToTheCanonicalURL(t *testing.T) {
	var s *site
	s = newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/proxy":
			http.Redirect(w, r, s.URL+"/story?utm_source=feed&id=7#top", http.StatusFound)
		default:
			html200(body("Mazzara spoke."))(w, r)
		}
	})
	r := newReader(Options{}, s)
	p, err := r.Read(context.Background(), s.URL+"/proxy", true)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.URL + "/story?id=7"; p.URL != want {
		t.Errorf("URL = %q, want %q", p.URL, want)
	}
	if !strings.Contains(p.Text, "Mazzara spoke.") {
		t.Errorf("text = %q", p.Text)
	}
	if got := r.Stats.Hosts(); len(got) != 1 || got[0].Reads != 1 || got[0].Failed != 0 {
		t.Errorf("stats = %+v", got)
	}
}

func TestReadHonoursRobotsTxt(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /admin\n\nUser-agent: wirewatch\nDisallow: /news/\n")
			return
		}
		html200(body("Mazzara spoke."))(w, r)
	})
	r := newReader(Options{}, s)
	_, err := r.Read(context.Background(), s.URL+"/news/1", true)
	if Reason(err) != "robots.txt" {
		t.Fatalf("err = %v (%s), want a robots.txt refusal", err, Reason(err))
	}
	if _, err := r.Read(context.Background(), s.URL+"/other", true); err != nil {
		t.Fatalf("a path robots.txt allows: %v", err)
	}
	if _, err := r.Read(context.Background(), s.URL+"/news/2", true); Reason(err) != "robots.txt" {
		t.Fatalf("second refused read: %v", err)
	}
	if n := s.count("/news/1") + s.count("/news/2"); n != 0 {
		t.Errorf("refused pages were requested %d times", n)
	}
	if n := s.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}
}

func TestReadRobotsUnreachableDisallows(t *testing.T) {
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		html200(body("x"))(w, r)
	})
	r := newReader(Options{}, s)
	if _, err := r.Read(context.Background(), s.URL+"/a", true); Reason(err) != "robots.txt" {
		t.Fatalf("err = %v, want robots.txt (a 5xx robots.txt disallows, RFC 9309)", err)
	}
}

func TestReadRefusesWhatIsNotAnHTMLPage(t *testing.T) {
	big := strings.Repeat("<p>filler text</p>", 3<<20/18)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/pdf":
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF-1.7")
		case "/big":
			html200(big)(w, r)
		case "/big-chunked":
			w.Header().Set("Content-Type", "text/html")
			fl := w.(http.Flusher)
			for i := 0; i < len(big); i += 64 << 10 {
				fmt.Fprint(w, big[i:min(i+64<<10, len(big))])
				fl.Flush()
			}
		case "/gone":
			http.Error(w, "forbidden", http.StatusForbidden)
		case "/empty":
			html200("<html><body><nav>Home</nav></body></html>")(w, r)
		}
	})
	r := newReader(Options{}, s)
	for path, want := range map[string]string{
		"/pdf": "not HTML", "/big": "too large", "/big-chunked": "too large", "/gone": "403", "/empty": "no text",
	} {
		_, err := r.Read(context.Background(), s.URL+path, true)
		if Reason(err) != want {
			t.Errorf("%s: err = %v (%q), want %q", path, err, Reason(err), want)
		}
	}
	hs := r.Stats.Hosts()
	if len(hs) != 1 || hs[0].Failed != 5 || hs[0].Reasons["403"] != 1 {
		t.Fatalf("stats = %+v", hs)
	}
	if line := hs[0].Line(); !strings.Contains(line, "403 for 1 of the last 5") || !strings.Contains(line, "too large for 2 of the last 5") {
		t.Errorf("status line = %q", line)
	}
}

func TestReadHangingPageIsBounded(t *testing.T) {
	release := make(chan struct{})
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>start")
		w.(http.Flusher).Flush()
		<-release // never finishes the body
	})
	defer close(release)
	r := newReader(Options{Timeout: 200 * time.Millisecond}, s)
	_, err := r.Read(context.Background(), s.URL+"/hang", true)
	if Reason(err) != "timeout" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%s), want a timeout", err, Reason(err))
	}
}

func TestReadGuardRefusesPrivateAddresses(t *testing.T) {
	inner := newSite(t, html200(body("secret admin page")))
	outer := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/to-inner":
			http.Redirect(w, r, inner.URL+"/admin", http.StatusFound)
		case "/to-localhost":
			http.Redirect(w, r, "http://localhost:"+strconv.Itoa(int(inner.port()))+"/admin", http.StatusFound)
		}
	})
	r := newReader(Options{}, outer) // inner is loopback, not public
	for _, link := range []string{
		inner.URL + "/admin", // directly
		"http://localhost:" + strconv.Itoa(int(inner.port())) + "/admin", // a name resolving to loopback
		outer.URL + "/to-inner", // by redirect
		outer.URL + "/to-localhost",
	} {
		_, err := r.Read(context.Background(), link, true)
		if !errors.Is(err, feeds.ErrPrivateAddress) || Reason(err) != "private address" {
			t.Errorf("%s: err = %v, want the guard's refusal", link, err)
		}
	}
	if n := inner.count("/admin") + inner.count("/robots.txt"); n != 0 {
		t.Errorf("the private site was reached %d times", n)
	}
	// Unguarded (allow_private_feeds), the same page is read.
	if _, err := r.Read(context.Background(), inner.URL+"/admin", false); err != nil {
		t.Errorf("unguarded read: %v", err)
	}
}

func TestReadSkipsGoogleNews(t *testing.T) {
	r := NewReader(Options{})
	_, err := r.Read(context.Background(), "https://news.google.com/rss/articles/CBMiXmh0dHBz?oc=5", true)
	if Reason(err) != "google news" {
		t.Fatalf("err = %v", err)
	}
}

// TestHostGap: two requests to one host start at least Gap apart, and a
// second one waits for the host's one slot.
func TestHostGap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &host{slot: make(chan struct{}, 1)}
		ctx := context.Background()
		start := time.Now()
		var starts []time.Duration
		for range 3 {
			h.users++
			if err := h.acquire(ctx); err != nil {
				t.Fatal(err)
			}
			if err := h.wait(ctx, 2*time.Second, time.Now); err != nil {
				t.Fatal(err)
			}
			starts = append(starts, time.Since(start))
			h.release()
		}
		for i, want := range []time.Duration{0, 2 * time.Second, 4 * time.Second} {
			if starts[i] != want {
				t.Errorf("request %d started at %s, want %s", i, starts[i], want)
			}
		}
		// The slot is held: a second reader waits until it is released.
		h.users++
		_ = h.acquire(ctx)
		got := make(chan error, 1)
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		go func() { h.users++; got <- h.acquire(cctx) }()
		synctest.Wait()
		select {
		case err := <-got:
			t.Fatalf("second acquire returned %v while the slot was held", err)
		default:
		}
		h.release()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
	})
}

// TestPoolStartsWithoutWaitingAndReadsOnce: Start returns at once, the
// hanging page's result stays pending while the fast one's comes; the same
// story linked again is not read again.
func TestPoolStartsWithoutWaitingAndReadsOnce(t *testing.T) {
	release := make(chan struct{})
	var story atomic.Int32
	fast := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			story.Add(1)
			html200(body("Mazzara spoke."))(w, r)
		}
	})
	slow := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		<-release
	})
	p := NewPool(newReader(Options{Timeout: 30 * time.Second}, fast, slow))
	defer p.Close()
	hang := p.Start(Request{Link: slow.URL + "/hang", Guarded: true})
	res := <-p.Start(Request{Link: fast.URL + "/story", Guarded: true})
	if res.Err != nil || !strings.Contains(res.Page.Text, "Mazzara") {
		t.Errorf("fast page: %+v", res)
	}
	select {
	case r := <-hang:
		t.Fatalf("hanging page gave a result before it answered: %+v", r)
	default:
	}
	// The same link again (another feed carrying the story): not read again.
	res = <-p.Start(Request{Link: fast.URL + "/story?utm_campaign=x", Guarded: true})
	if res.Err != nil || !strings.Contains(res.Page.Text, "Mazzara") {
		t.Errorf("remembered page: %+v", res)
	}
	if n := story.Load(); n != 1 {
		t.Errorf("story read %d times, want 1", n)
	}
	close(release)
	if r := <-hang; r.Err == nil {
		t.Errorf("the hanging page's empty answer read as %+v", r.Page)
	}
}

func TestPoolRefusesPastThePerHostBound(t *testing.T) {
	release := make(chan struct{})
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	p := NewPool(newReader(Options{Timeout: 30 * time.Second}, s))
	defer p.Close()
	busy := 0
	for i := range MaxPendingPerHost + 3 {
		ch := p.Start(Request{Link: fmt.Sprintf("%s/p%d", s.URL, i), Guarded: true})
		select {
		case r := <-ch:
			if errors.Is(r.Err, ErrBusy) {
				busy++
			}
		default:
		}
	}
	if busy != 3 {
		t.Errorf("%d reads refused as busy, want 3", busy)
	}
}

func TestStatsRingKeepsTheLast20(t *testing.T) {
	s := NewStats()
	now := time.Now()
	for i := range 30 {
		var err error
		if i%2 == 0 {
			err = &Error{Reason: "403", Err: errors.New("HTTP 403")}
		}
		s.add("example.com", err, now)
	}
	hs := s.Hosts()
	if len(hs) != 1 || hs[0].Reads != Ring || hs[0].Failed != 10 {
		t.Fatalf("stats = %+v", hs)
	}
	if got, want := hs[0].Line(), "article pages of example.com: 403 for 10 of the last 20"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

var _ = bytes.NewReader

// TestRead429BacksOff: a 429 with Retry-After stops reads of the host for
// that long (at least a minute), without a request; then they resume.
func TestRead429BacksOff(t *testing.T) {
	var limited atomic.Bool
	limited.Store(true)
	s := newSite(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/robots.txt":
			http.NotFound(w, r)
		case limited.Load():
			w.Header().Set("Retry-After", "120")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		default:
			html200(body("Mazzara spoke."))(w, r)
		}
	})
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r := newReader(Options{Now: clock}, s)
	if _, err := r.Read(context.Background(), s.URL+"/a", true); Reason(err) != "429" {
		t.Fatalf("err = %v", err)
	}
	limited.Store(false)
	if _, err := r.Read(context.Background(), s.URL+"/b", true); Reason(err) != "backing off" {
		t.Fatalf("during the back-off: err = %v", err)
	}
	if n := s.count("/b"); n != 0 {
		t.Errorf("the host was asked %d times during its back-off", n)
	}
	mu.Lock()
	now = now.Add(121 * time.Second)
	mu.Unlock()
	if _, err := r.Read(context.Background(), s.URL+"/b", true); err != nil {
		t.Fatalf("after the back-off: %v", err)
	}
}

// TestExtractPrefersJSONLDArticleBody: a soft paywall shows a teaser but
// ships the text in JSON-LD for search engines; the text is taken from
// there (in an @graph too), and other JSON-LD types are not.
func TestExtractPrefersJSONLDArticleBody(t *testing.T) {
	u, _ := url.Parse("https://paper.example/a")
	page := `<html><head><title>Budget</title>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"Organization","name":"Paper","articleBody":"Dana Whitfield, publisher, and a very long text about the organization that is no article at all, longer than anything else on the page by far, far, far, far, far, far, far, far, far, far, far, far, far, far."},
 {"@type":["NewsArticle"],"headline":"Budget","articleBody":"The board voted. Among those who testified was Joseph Mazzara, a retired planner."}]}</script>
</head><body><nav>Home · Dana Whitfield's column</nav><div class="paywall"><p>Subscribe to keep reading.</p></div>
<footer>Publisher: Dana Whitfield</footer></body></html>`
	text, err := Extract([]byte(page), "text/html", u)
	if err != nil {
		t.Fatal(err)
	}
	if text != "The board voted. Among those who testified was Joseph Mazzara, a retired planner." {
		t.Errorf("text = %q, want the NewsArticle's articleBody", text)
	}
	// Without JSON-LD the teaser page is no article.
	if _, err := Extract([]byte(strings.Replace(page, "application/ld+json", "text/plain", 1)), "text/html", u); !errors.Is(err, ErrNoArticle) {
		t.Errorf("teaser page without JSON-LD: err = %v, want ErrNoArticle", err)
	}
}

// TestExtractRefusesTooManyElements: a page of more than MaxElements
// elements is refused before readability scores it.
func TestExtractRefusesTooManyElements(t *testing.T) {
	u, _ := url.Parse("https://e.example/")
	page := "<html><body><article>" + strings.Repeat("<p>Joseph Mazzara</p>", MaxElements+1) + "</article></body></html>"
	if _, err := Extract([]byte(page), "text/html", u); err == nil || !strings.Contains(err.Error(), "elements") {
		t.Fatalf("err = %v, want the element cap", err)
	}
}
