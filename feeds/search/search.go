// Package search runs watches' queries on search engines that read what
// the feeds do not (watches[].search): Google News' RSS search, which has
// read the whole articles, and CourtListener's search API, which knows new
// dockets and filings and the parties named in them.
//
// Each engine a watch names gives it one search feed, made from the watch
// (Feeds), never stored: it comes, changes and goes with the watch. Its id
// is the watch's, the engine's and a hash of its address ("w3.google_news.
// 1a2b3c"), so a changed query (an alias added) is a new feed, seeded
// silently like any new feed rather than posting what the new query finds
// all at once. The poller polls it like a feed; the pipeline lets each new
// item alert that watch whatever the item's own text says (Item.SearchFor).
//
// A query is translated into the engine's syntax only when the engine can
// be asked the same thing (Translate); otherwise the watch is refused, with
// the reason, in the config file and in chat.
//
// Costs: a Google News search is polled every GoogleNewsInterval with the
// usual conditional GET and backoff. A CourtListener search is one API
// request an hour (CourtListenerPerDay), spent from the client's budget (5 a
// minute, 50 an hour, 125 a day); searches may plan at most
// CourtListenerShare a day in all (CheckBudget), so docket lookups keep the
// rest.
package search

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/match"
)

// Engines, in the order they are listed.
var Engines = []string{wirewatch.SearchGoogleNews, wirewatch.SearchCourtListener}

// Defaults and costs.
const (
	DefaultGoogleNewsURL = "https://news.google.com/"
	// GoogleNewsInterval: Google News search feeds change a few times an
	// hour at most, and Google publishes no limits for automated polling.
	GoogleNewsInterval = 15 * time.Minute
	// CourtListenerInterval: CourtListener caches search results for 10
	// minutes, and its free API quota is 125 requests a day.
	CourtListenerInterval = time.Hour
	CourtListenerPerDay   = int(24 * time.Hour / CourtListenerInterval)
	// CourtListenerDaily is the free API quota a day; CourtListenerShare
	// the part of it searches may plan, leaving 25 for docket lookups.
	CourtListenerDaily = 125
	CourtListenerShare = 100
)

// Options are the engines' base URLs (configurable for stand-ins in tests).
type Options struct {
	GoogleNewsURL    string // default DefaultGoogleNewsURL
	CourtListenerURL string // the CourtListener site and API base (courtlistener.api_url)
}

// Known says whether name is an engine.
func Known(name string) bool { return slices.Contains(Engines, name) }

// Translate writes the watch query q (aliases included) in engine's search
// syntax, or says why the engine cannot be asked the same thing.
func Translate(engine string, q *match.Query) (string, error) {
	switch engine {
	case wirewatch.SearchGoogleNews:
		return googleNews(q)
	case wirewatch.SearchCourtListener:
		return courtListener(q)
	}
	return "", fmt.Errorf("unknown search engine %q: want %s", engine, strings.Join(Engines, " or "))
}

// Check refuses a watch whose engines are unknown, repeated, or cannot be
// asked its query (aliases included), naming the reason.
func Check(w wirewatch.Watch) error {
	_, err := watchFeeds(w, Options{})
	return err
}

// Feeds returns the search feeds of the watches, in their order. A watch
// whose search cannot be made (an old watch whose query no longer
// translates) gets none; its error is in errs.
func Feeds(ws []wirewatch.Watch, o Options) (out []wirewatch.Feed, errs []error) {
	for _, w := range ws {
		fs, err := watchFeeds(w, o)
		if err != nil {
			errs = append(errs, fmt.Errorf("watch %s: %w", w.ID, err))
			continue
		}
		out = append(out, fs...)
	}
	return out, errs
}

func watchFeeds(w wirewatch.Watch, o Options) ([]wirewatch.Feed, error) {
	if len(w.Search) == 0 {
		return nil, nil
	}
	q, err := match.Parse(w.Query)
	if err == nil {
		q, err = q.WithAliases(w.Aliases...)
	}
	if err != nil {
		return nil, err
	}
	var out []wirewatch.Feed
	for i, e := range w.Search {
		if slices.Contains(w.Search[:i], e) {
			return nil, fmt.Errorf("search names %s twice", e)
		}
		s, err := Translate(e, q)
		if err != nil {
			return nil, err
		}
		f := wirewatch.Feed{Watch: w.ID, Search: e, Fulltext: wirewatch.FulltextNever, AddedBy: w.AddedBy, AddedAt: w.AddedAt}
		switch e {
		case wirewatch.SearchGoogleNews:
			f.Type, f.Interval = wirewatch.FeedGoogleNews, GoogleNewsInterval
			f.URL = base(o.GoogleNewsURL, DefaultGoogleNewsURL) + "rss/search?" +
				url.Values{"q": {s}, "hl": {"en-US"}, "gl": {"US"}, "ceid": {"US:en"}}.Encode()
		case wirewatch.SearchCourtListener:
			// Name: the alerts' source (Google News results name their publisher).
			f.Type, f.Interval, f.Name = wirewatch.FeedCourtListener, CourtListenerInterval, "CourtListener search"
			// type=r: dockets, newest filed first, each with the filings
			// that match (up to three).
			f.URL = base(o.CourtListenerURL, "https://www.courtlistener.com/") + "api/rest/v4/search/?" +
				url.Values{"type": {"r"}, "q": {s}, "order_by": {"dateFiled desc"}}.Encode()
		}
		sum := sha256.Sum256([]byte(f.URL))
		f.ID = wirewatch.SearchFeedID(w.ID, e, hex.EncodeToString(sum[:3]))
		out = append(out, f)
	}
	return out, nil
}

func base(u, def string) string {
	if u == "" {
		u = def
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// Name is how lists and status name a search feed: "Google News search of
// watch w3".
func Name(f wirewatch.Feed) string {
	engine := "Google News"
	if f.Search == wirewatch.SearchCourtListener {
		engine = "CourtListener"
	}
	return engine + " search of watch " + f.Watch
}

// CourtListenerSearches counts the watches that search CourtListener.
func CourtListenerSearches(ws []wirewatch.Watch) int {
	n := 0
	for _, w := range ws {
		if slices.Contains(w.Search, wirewatch.SearchCourtListener) {
			n++
		}
	}
	return n
}

// Budget is the line status shows: what n CourtListener searches cost of
// the API's daily quota.
func Budget(n int) string {
	watches := "watches"
	if n == 1 {
		watches = "watch"
	}
	return fmt.Sprintf("searches: %d %s x %d/day = %d of %d/day (searches may plan %d; docket lookups share the rest)",
		n, watches, CourtListenerPerDay, n*CourtListenerPerDay, CourtListenerDaily, CourtListenerShare)
}

// CheckBudget refuses an nth CourtListener search that the daily quota
// cannot carry, saying why.
func CheckBudget(n int) error {
	if n*CourtListenerPerDay <= CourtListenerShare {
		return nil
	}
	return fmt.Errorf("a CourtListener search costs %d API requests a day (one an hour) and %d searches would cost %d, more than the %d of CourtListener's %d a day that searches may use (the rest is for docket lookups); drop another watch's courtlistener search first",
		CourtListenerPerDay, n, n*CourtListenerPerDay, CourtListenerShare, CourtListenerDaily)
}

// Split takes the search option off the end of a query typed in chat:
// `"Abrego Garcia" search:google_news,courtlistener`. Quoted, the words are
// a phrase like any other ("search:google_news").
func Split(text string) (query string, engines []string, err error) {
	query = strings.TrimSpace(text)
	for {
		i := strings.LastIndexAny(query, " \t\n")
		last := query[i+1:]
		name, list, ok := strings.Cut(last, ":")
		if !ok || !strings.EqualFold(name, "search") {
			break
		}
		if i < 0 {
			return "", nil, fmt.Errorf("search:%s needs a query before it", list)
		}
		for _, e := range strings.Split(strings.ToLower(list), ",") {
			if !Known(e) {
				return "", nil, fmt.Errorf("search:%s: %q is not a search engine; want %s", list, e, strings.Join(Engines, " or "))
			}
			if !slices.Contains(engines, e) {
				engines = append(engines, e)
			}
		}
		query = strings.TrimSpace(query[:i])
	}
	// Elsewhere the option would be read as words to match.
	quoted, start := false, 0
	for i, r := range query + " " {
		switch {
		case r == '"' || r == '“' || r == '”' || r == '„':
			quoted = !quoted
			start = i + len(string(r))
		case !quoted && (r == ' ' || r == '\t' || r == '\n' || r == '('):
			if w := query[start:min(i, len(query))]; len(w) > 7 && strings.EqualFold(w[:7], "search:") {
				return "", nil, fmt.Errorf("%s: the search option goes at the end, after the query", w)
			}
			start = i + len(string(r))
		}
	}
	return query, engines, nil
}
