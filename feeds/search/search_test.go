package search

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/match"
)

func mustParse(t *testing.T, q string, aliases ...string) *match.Query {
	t.Helper()
	p, err := match.Parse(q)
	if err == nil {
		p, err = p.WithAliases(aliases...)
	}
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	return p
}

func TestTranslateGoogleNews(t *testing.T) {
	for _, c := range []struct {
		q       string
		aliases []string
		want    string
	}{
		{`Abrego Garcia`, nil, `"Abrego Garcia"`},
		{`"Abrego Garcia" Xinis`, nil, `"Abrego Garcia" "Xinis"`},
		{`"Abrego Garcia" OR Xinis`, nil, `("Abrego Garcia" OR "Xinis")`},
		{`Abrego Garcia -Bukele`, nil, `"Abrego Garcia" -"Bukele"`},
		{`Abrego NOT ("El Salvador" OR Bukele)`, nil, `"Abrego" -"El Salvador" -"Bukele"`},
		{`(deport OR removal) AND ICE`, nil, `("deport" OR "removal") "ICE"`},
		// AND binds tighter than OR in a watch; Google reads ORs first, so
		// the query is rewritten: A OR (B AND C) = (A OR B) (A OR C).
		{`Xinis OR Abrego AND Garcia`, nil, `("Xinis" OR "Abrego") ("Xinis" OR "Garcia")`},
		{`"Joseph Mazzara"`, []string{"Mazarra"}, `("Joseph Mazzara" OR "Mazarra")`},
		{`AT&T`, nil, `"AT&T"`},
	} {
		got, err := Translate(wirewatch.SearchGoogleNews, mustParse(t, c.q, c.aliases...))
		if err != nil || got != c.want {
			t.Errorf("%s (aliases %v): got %q, %v; want %q", c.q, c.aliases, got, err, c.want)
		}
	}
}

func TestTranslateRefusesWithTheReason(t *testing.T) {
	for _, c := range []struct {
		engine, q, want string
	}{
		{wirewatch.SearchGoogleNews, `"Joseph Mazzara~"`, "spelling variants"},
		{wirewatch.SearchGoogleNews, `negotiat*`, "starting with negotiat*"},
		{wirewatch.SearchGoogleNews, `case:8:25-cv-00951`, "case:8:25-cv-00951"},
		{wirewatch.SearchGoogleNews, `Xinis NOT (Abrego AND Bukele)`, `OR NOT`},
		{wirewatch.SearchGoogleNews, `Xinis AND (Abrego OR NOT Bukele)`, `Abrego OR NOT Bukele`},
		{wirewatch.SearchGoogleNews, `(a1 OR a2 OR a3) AND (b1 OR b2 OR b3) OR (c1 AND c2 AND c3 AND c4) OR (d1 AND d2) OR (e1 AND e2)`, "more than 16 groups"},
		{wirewatch.SearchGoogleNews, strings.Repeat("word ", 33) + "end", "first 32 words"},
		{wirewatch.SearchGoogleNews, `party:"Abrego Garcia"`, `no party: field`},
		{wirewatch.SearchCourtListener, `"Joseph Mazzara~"`, "spelling variants"},
		{wirewatch.SearchCourtListener, `Abrego Garc*`, "only on a lone word"},
		{wirewatch.SearchCourtListener, `case:8:25-cv-00951`, "docket's feed"},
		{"bing", `Xinis`, "unknown search engine"},
	} {
		_, err := Translate(c.engine, mustParse(t, c.q))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: got %v, want an error saying %q", c.engine, c.q, err, c.want)
		}
	}
}

func TestTranslateCourtListener(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{`Abrego Garcia`, `"Abrego Garcia"`},
		{`"Abrego Garcia" OR Xinis`, `"Abrego Garcia" OR "Xinis"`},
		{`Abrego Garcia -Bukele`, `"Abrego Garcia" AND NOT "Bukele"`},
		{`(deport* OR removal) AND ICE`, `(deport* OR "removal") AND "ICE"`},
		{`Xinis OR Abrego AND Garcia`, `"Xinis" OR ("Abrego" AND "Garcia")`},
		{`party:"Abrego Garcia" judge:Xinis`, `party:"Abrego Garcia" AND (assignedTo:"Xinis" OR referredTo:"Xinis")`},
		{`attorney:Sandoval*`, `attorney:Sandoval*`},
	} {
		got, err := Translate(wirewatch.SearchCourtListener, mustParse(t, c.q))
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.q, got, err, c.want)
		}
	}
}

func TestFeedsFollowTheWatch(t *testing.T) {
	w := wirewatch.Watch{ID: "w3", Query: `"Abrego Garcia"`, Search: []string{wirewatch.SearchGoogleNews, wirewatch.SearchCourtListener}}
	o := Options{GoogleNewsURL: "http://127.0.0.1:9/gn", CourtListenerURL: "http://127.0.0.1:9/cl/"}
	fs, errs := Feeds([]wirewatch.Watch{w, {ID: "w4", Query: "Xinis"}}, o)
	if len(errs) > 0 || len(fs) != 2 {
		t.Fatalf("feeds %+v, errors %v", fs, errs)
	}
	gn, cl := fs[0], fs[1]
	if gn.Watch != "w3" || gn.Type != wirewatch.FeedGoogleNews || gn.Interval < 10*60e9 || !strings.HasPrefix(gn.ID, "w3.google_news.") {
		t.Errorf("google news feed %+v", gn)
	}
	u, _ := url.Parse(gn.URL)
	if u.Path != "/gn/rss/search" || u.Query().Get("q") != `"Abrego Garcia"` || u.Query().Get("ceid") != "US:en" {
		t.Errorf("google news URL %s", gn.URL)
	}
	u, _ = url.Parse(cl.URL)
	if u.Path != "/cl/api/rest/v4/search/" || u.Query().Get("type") != "r" || u.Query().Get("q") != `"Abrego Garcia"` || cl.Type != wirewatch.FeedCourtListener {
		t.Errorf("courtlistener feed %+v", cl)
	}
	if !gn.Trusted() {
		t.Error("a search feed's address is the operator's: it must not go through the SSRF guard")
	}
	// An alias changes the search: a new feed (seeded afresh), not the old
	// one with a new address.
	w.Aliases = []string{"Kilmar Abrego"}
	again, _ := Feeds([]wirewatch.Watch{w}, o)
	if again[0].ID == gn.ID || !strings.Contains(again[0].URL, "Kilmar") {
		t.Errorf("after an alias: %+v (before %s)", again[0], gn.ID)
	}
	w.Query = "deport*"
	if _, errs := Feeds([]wirewatch.Watch{w}, o); len(errs) != 1 || !strings.Contains(errs[0].Error(), "w3") {
		t.Errorf("untranslatable watch: %v", errs)
	}
}

func TestSplit(t *testing.T) {
	q, es, err := Split(`"Abrego Garcia" OR Xinis search:google_news,courtlistener`)
	if err != nil || q != `"Abrego Garcia" OR Xinis` || strings.Join(es, " ") != "google_news courtlistener" {
		t.Errorf("got %q %v %v", q, es, err)
	}
	q, es, err = Split(`"search:google_news" Xinis`)
	if err != nil || q != `"search:google_news" Xinis` || es != nil {
		t.Errorf("quoted: got %q %v %v", q, es, err)
	}
	for _, in := range []string{`Xinis search:bing`, `search:google_news Xinis`, `search:google_news`, `Xinis search:`} {
		if _, _, err := Split(in); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestCheckBudget(t *testing.T) {
	if err := CheckBudget(4); err != nil {
		t.Errorf("4 hourly searches (96/day) fit: %v", err)
	}
	err := CheckBudget(5)
	if err == nil || !strings.Contains(err.Error(), "120") {
		t.Errorf("5 searches: %v", err)
	}
	if got := Budget(3); !strings.HasPrefix(got, "searches: 3 watches x 24/day = 72 of 125/day") {
		t.Errorf("budget line %q", got)
	}
}

func TestReadGoogleNews(t *testing.T) {
	body, err := os.ReadFile("testdata/google-news-search.xml")
	if err != nil {
		t.Fatal(err)
	}
	items, err := GoogleNews{}.Read(context.Background(), body, wirewatch.Feed{URL: "https://news.google.com/rss/search?q=x"})
	if err != nil || len(items) != 2 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	it := items[0]
	if it.Title != "Judge weighs contempt in deportation case" || it.Site != "example-times.com" ||
		it.Feed != "The Example Times via Google News" || it.ID != "CBMiAAAexample1" || it.Published.IsZero() {
		t.Errorf("item %+v", it)
	}
	// The publisher's own item of the story has the same headline key.
	own := wirewatch.Item{Title: "Judge Weighs Contempt in Deportation Case", Link: "https://www.example-times.com/2026/12/07/us/judge.html"}
	if own.HeadlineKey() != it.HeadlineKey() || it.HeadlineKey() == "" {
		t.Errorf("headline keys differ: %q, %q", own.HeadlineKey(), it.HeadlineKey())
	}
}
