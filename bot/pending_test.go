package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/article"
)

// heldPages is a stand-in article pool whose pages come when the test
// says (answer), not before.
type heldPages struct {
	mu sync.Mutex
	ch map[string]chan article.Result
}

func (h *heldPages) Start(r article.Request) <-chan article.Result {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ch == nil {
		h.ch = map[string]chan article.Result{}
	}
	c := make(chan article.Result, 1)
	h.ch[r.Link] = c
	return c
}

func (h *heldPages) answer(link string, r article.Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ch[link] <- r
}

func titles(as []wirewatch.Alert) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title+" ["+strings.Join(a.MatchedIn, ",")+"]")
	}
	return strings.Join(out, "; ")
}

// TestFulltextLatePageAlertsOnce: pages that come after the wait. An item
// whose feed text does not match alerts when its late page names the
// watched person, once, from the article; an item that alerted on its
// title at the end of the wait is not alerted again by its late page.
func TestFulltextLatePageAlertsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		art := &heldPages{}
		p, pending := fulltextPipeline(t, art, false)
		defer p.Close()
		f := wirewatch.Feed{ID: "f1", Type: wirewatch.FeedRSS}
		items := []wirewatch.Item{
			{ID: "1", Title: "County approves transit budget", Link: "https://a.example/1", FeedID: "f1"},
			{ID: "2", Title: "Joseph Mazzara testifies", Link: "https://a.example/2", FeedID: "f1"},
		}
		if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if as := pending(); len(as) != 0 {
			t.Fatalf("alerts before the pages or the wait's end: %s", titles(as))
		}
		time.Sleep(article.DefaultWait) // the wait ends (the bubble's clock)
		synctest.Wait()
		if got := titles(pending()); got != "Joseph Mazzara testifies [title]" {
			t.Fatalf("alerts at the wait's end = %q, want the title match alone", got)
		}
		page := article.Result{Page: article.Page{URL: "https://a.example/1", Text: mazzaraBody}}
		art.answer("https://a.example/1", page)
		page.Page.URL = "https://a.example/2"
		art.answer("https://a.example/2", page)
		synctest.Wait()
		as := pending()
		if got := titles(as); got != "Joseph Mazzara testifies [title]; County approves transit budget [article]" {
			t.Errorf("alerts after the late pages = %q, want the late article's match added, nothing twice", got)
		}
		if left, _ := p.DB.PendingArticles(); len(left) != 0 {
			t.Errorf("still pending: %+v", left)
		}
		// The feed's next poll brings the same items: nothing more.
		if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := len(pending()); n != 2 {
			t.Errorf("alerts after the next poll = %d, want still 2", n)
		}
	})
}

// TestFulltextPendingSurvivesAStop: a stop while an item waits for its
// page leaves it recorded; the next start matches it on its feed text and
// alerts it once (a second start does nothing more).
func TestFulltextPendingSurvivesAStop(t *testing.T) {
	art := &heldPages{}
	p, pending := fulltextPipeline(t, art, false)
	f := wirewatch.Feed{ID: "f1", Type: wirewatch.FeedRSS}
	items := []wirewatch.Item{
		{ID: "1", Title: "Joseph Mazzara testifies", Link: "https://a.example/1", FeedID: "f1", Feed: "Ledger"},
		{ID: "2", Title: "Budget passes", Link: "https://a.example/2", FeedID: "f1", Feed: "Ledger"},
	}
	if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
		t.Fatal(err)
	}
	p.Close() // the process stops while both pages are read
	if as := pending(); len(as) != 0 {
		t.Fatalf("alerts before any page or wait's end: %s", titles(as))
	}
	if left, err := p.DB.PendingArticles(); err != nil || len(left) != 2 {
		t.Fatalf("pending after the stop = %+v, %v; want both items", left, err)
	}
	for range 2 { // two starts
		p2, _ := fulltextPipeline(t, art, false)
		p2.DB = p.DB
		if err := p2.Resume(); err != nil {
			t.Fatal(err)
		}
	}
	if got := titles(pending()); got != "Joseph Mazzara testifies [title]" {
		t.Errorf("alerts after the restarts = %q, want the title match once", got)
	}
	if left, _ := p.DB.PendingArticles(); len(left) != 0 {
		t.Errorf("still pending: %+v", left)
	}
}

// TestFulltextPendingKeepsFeedOrder: a poll's items alert oldest first (a
// feed lists the newest first), whichever page comes first.
func TestFulltextPendingKeepsFeedOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		art := &heldPages{}
		p, pending := fulltextPipeline(t, art, false)
		defer p.Close()
		f := wirewatch.Feed{ID: "f1", Type: wirewatch.FeedRSS}
		var items []wirewatch.Item
		t0 := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
		for i, n := range []string{"3", "2", "1"} { // newest first, as feeds list them
			items = append(items, wirewatch.Item{ID: n, Title: "Joseph Mazzara testifies, part " + n, Link: "https://a.example/" + n,
				FeedID: "f1", Published: t0.Add(-time.Duration(i) * time.Minute)})
		}
		if err := p.Commit(context.Background(), f, wirewatch.FeedState{}, items, false); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"2", "3", "1"} {
			art.answer("https://a.example/"+n, article.Result{Err: errors.New("HTTP 403")})
			synctest.Wait()
		}
		want := "Joseph Mazzara testifies, part 1 [title]; Joseph Mazzara testifies, part 2 [title]; Joseph Mazzara testifies, part 3 [title]"
		if got := titles(pending()); got != want {
			t.Errorf("alerts = %q, want oldest first: %q", got, want)
		}
	})
}
