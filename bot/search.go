package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/search"
	"github.com/wirewatch/wirewatch/match"
)

// searchOf takes the search option off an added query ("… search:google_news"
// in Slack and the shell; Discord's search option arrives in c.Search) and
// checks that the engines can be asked the query and, for CourtListener,
// that the API budget carries one search more.
func (s *Commands) searchOf(c wirewatch.Command) (query string, engines []string, err error) {
	query, engines, err = search.Split(c.Arg)
	if err != nil {
		return "", nil, fmt.Errorf("can't add that watch: %v", err)
	}
	for _, e := range strings.Split(c.Search, ",") {
		if strings.TrimSpace(e) == "" {
			continue
		}
		e = strings.ToLower(strings.TrimSpace(e))
		if !search.Known(e) {
			return "", nil, fmt.Errorf("can't add that watch: %q is not a search engine; want %s", e, strings.Join(search.Engines, " or "))
		}
		if !slices.Contains(engines, e) {
			engines = append(engines, e)
		}
	}
	if len(engines) == 0 {
		return query, nil, nil
	}
	if err := search.Check(wirewatch.Watch{Query: query, Search: engines}); err != nil {
		return "", nil, fmt.Errorf("can't add that watch with its search: %v", err)
	}
	if slices.Contains(engines, wirewatch.SearchCourtListener) {
		if err := search.CheckBudget(search.CourtListenerSearches(s.List.All()) + 1); err != nil {
			return "", nil, fmt.Errorf("can't add that watch with its search: %v", err)
		}
	}
	return query, engines, nil
}

// searchesChanged tells the poller that w's search feeds came, changed or
// went with it.
func (s *Commands) searchesChanged(w wirewatch.Watch) {
	if len(w.Search) > 0 && s.FeedsChanged != nil {
		s.FeedsChanged()
	}
}

// searchSaid is what a reply adds about a watch's searches.
func searchSaid(engines []string) string {
	if len(engines) == 0 {
		return ""
	}
	var names []string
	for _, e := range engines {
		switch e {
		case wirewatch.SearchGoogleNews:
			names = append(names, fmt.Sprintf("Google News (every %s)", search.GoogleNewsInterval))
		case wirewatch.SearchCourtListener:
			names = append(names, fmt.Sprintf("CourtListener (hourly, %d of the API's %d requests a day)", search.CourtListenerPerDay, search.CourtListenerDaily))
		}
	}
	return " Also searched on " + strings.Join(names, " and ") + ": its new results are posted here even when the headline does not match; the first search only records what is there."
}

// searchFeeds are the search feeds of the watches listed.
func (s *Commands) searchFeeds() []wirewatch.Feed {
	fs, _ := search.Feeds(s.List.All(), s.Search)
	return fs
}

// searchAsked says, for /watch test, what each engine would be asked for q,
// or why it cannot be.
func searchAsked(q *match.Query, engines []string) string {
	var b strings.Builder
	for _, e := range engines {
		if s, err := search.Translate(e, q); err != nil {
			fmt.Fprintf(&b, "search %s: refused: %v\n", e, err)
		} else {
			fmt.Fprintf(&b, "search %s would be asked: %s\n", e, s)
		}
	}
	return b.String()
}
