// Package bot is wirewatch's core between the feeds and the chat platforms:
// the watch list and the alerts it makes of new items (Alerts), the
// dispatcher that drains the outbox to the platforms (Dispatcher), and the
// chat commands (Commands). The platform adapters live in bot/slack and
// bot/discord and know only the root package's types.
package bot

import (
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/match"
)

// Watchlist holds the active watches (the config file's and the store's)
// and matches items against them. It is safe for concurrent use: a watch
// added or dropped while items are matched takes effect for the next item.
type Watchlist struct {
	ix *match.Index

	mu       sync.RWMutex
	watches  map[string]wirewatch.Watch
	cases    Cases // linked dockets (cases.go); nil: none
	casesLog *slog.Logger
}

// NewWatchlist returns an empty watch list.
func NewWatchlist() *Watchlist {
	return &Watchlist{ix: match.NewIndex(), watches: map[string]wirewatch.Watch{}}
}

// Compile parses a watch's query and adds its aliases.
func Compile(w wirewatch.Watch) (*match.Query, error) {
	q, err := match.Parse(w.Query)
	if err != nil {
		return nil, err
	}
	return q.WithAliases(w.Aliases...)
}

// Set adds or replaces a watch; a query that does not parse is refused.
func (l *Watchlist) Set(w wirewatch.Watch) error {
	q, err := Compile(w)
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.ID, err)
	}
	l.mu.Lock()
	l.watches[w.ID] = w
	l.mu.Unlock()
	l.ix.Set(w.ID, q)
	return nil
}

// SetAll adds many watches in one update of the index (start-up); it
// returns the errors of those whose query does not parse, which are left out.
func (l *Watchlist) SetAll(ws []wirewatch.Watch) []error {
	var errs []error
	qs := make(map[string]*match.Query, len(ws))
	for _, w := range ws {
		q, err := Compile(w)
		if err != nil {
			errs = append(errs, fmt.Errorf("watch %s: %w", w.ID, err))
			continue
		}
		qs[w.ID] = q
	}
	l.mu.Lock()
	for _, w := range ws {
		if qs[w.ID] != nil {
			l.watches[w.ID] = w
		}
	}
	l.mu.Unlock()
	l.ix.SetMany(qs)
	return errs
}

// Remove drops a watch.
func (l *Watchlist) Remove(id string) {
	l.ix.Remove(id)
	l.mu.Lock()
	delete(l.watches, id)
	l.mu.Unlock()
}

// Get returns the watch with this id.
func (l *Watchlist) Get(id string) (wirewatch.Watch, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	w, ok := l.watches[id]
	return w, ok
}

// All returns the watches, those of the config file first, then by age.
func (l *Watchlist) All() []wirewatch.Watch {
	l.mu.RLock()
	out := make([]wirewatch.Watch, 0, len(l.watches))
	for _, w := range l.watches {
		out = append(out, w)
	}
	l.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return wirewatch.IDLess(out[i].ID, out[j].ID) })
	return out
}

// Doc is what an item is matched on: title, text, the linked article's text
// when it was read and, for docket items, the caption, description and
// docket number, and the parties, judges and attorneys the source names.
func Doc(it wirewatch.Item) match.Doc {
	d := match.Doc{Title: it.Title, Text: it.Summary, Article: it.Article}
	if k := it.Docket; k != nil {
		d.Docket = strings.Join([]string{k.CaseName, k.ShortDescription, k.Number}, " \n ")
		// Xinis, or judge:Xinis, finds the case's entries though no
		// entry's text names her.
		d.Parties, d.Judges, d.Attorneys = k.Parties, k.Judges, k.Attorneys
		if k.Number != "" {
			d.Numbers = []string{k.Number}
		}
	}
	return d
}

// ThreadKey is the thread an alert belongs to (CONTRACT.md): the court and
// core docket number for docket items, else the first matched watch and the
// calendar day in loc.
func ThreadKey(it wirewatch.Item, w wirewatch.Watch, day time.Time, loc *time.Location) string {
	if it.Docket != nil && it.Docket.Number != "" {
		return wirewatch.CaseThreadKey(it.Docket.Court, it.Docket.Number)
	}
	return "watch:" + w.ID + ":" + day.In(loc).Format(time.DateOnly)
}

// Alerts returns the alerts a new item makes: one per destination, naming
// every watch that matched for it. now is when the item was first seen; a
// news item's thread is that calendar day's.
func (l *Watchlist) Alerts(it wirewatch.Item, now time.Time, loc *time.Location) []wirewatch.Alert {
	doc := Doc(it)
	famNumbers, famThread, linked := l.family(it)
	doc.Numbers = append(doc.Numbers, famNumbers...) // a case: watch on one docket of a matter alerts for all
	hits := l.ix.Match(doc)
	if it.SearchFor != "" && !slices.ContainsFunc(hits, func(h match.Hit) bool { return h.ID == it.SearchFor }) {
		// Found by the watch's search, which read what the item does not
		// say here: it alerts that watch all the same.
		hits = append(hits, match.Hit{ID: it.SearchFor})
	}
	if len(hits) == 0 {
		return nil
	}
	l.mu.RLock()
	type dest struct {
		watches []wirewatch.Watch
		terms   []match.Term
		search  bool // a watch's search found the item
	}
	byDest := map[wirewatch.Destination]*dest{}
	var order []wirewatch.Destination
	sort.Slice(hits, func(i, j int) bool { return wirewatch.IDLess(hits[i].ID, hits[j].ID) })
	for _, h := range hits {
		w, ok := l.watches[h.ID]
		if !ok {
			continue // dropped while matching
		}
		for _, to := range w.To {
			d := byDest[to]
			if d == nil {
				d = &dest{}
				byDest[to] = d
				order = append(order, to)
			}
			d.watches = append(d.watches, w)
			d.terms = append(d.terms, h.Terms...)
			d.search = d.search || w.ID == it.SearchFor
		}
	}
	l.mu.RUnlock()

	mentions := ""
	if it.Docket == nil {
		// A news item naming a case: its alert offers to follow it.
		if mentions = match.FirstDocketNumber(it.Title); mentions == "" {
			mentions = match.FirstDocketNumber(wirewatch.Clip(it.Summary, 16<<10))
		}
	}
	out := make([]wirewatch.Alert, 0, len(order))
	for _, to := range order {
		d := byDest[to]
		a := wirewatch.Alert{
			To:        to,
			Thread:    ThreadKey(it, d.watches[0], now, loc),
			Title:     it.Title,
			Link:      it.Link,
			Source:    it.Feed,
			FeedID:    it.FeedID,
			Published: it.Published,
			Summary:   summaryOf(it, d.terms),
			Terms:     TermTexts(d.terms),
			MatchedIn: matchedIn(d.terms),
			Docket:    it.Docket,
		}
		if d.search {
			a.MatchedIn = append(a.MatchedIn, "search")
		}
		if linked {
			a.Thread = famThread // the matter's thread: its root docket's
		}
		for _, w := range d.watches {
			a.Watches = append(a.Watches, w.Label())
			a.WatchIDs = append(a.WatchIDs, w.ID)
		}
		if it.Docket == nil {
			a.Mentions = mentions
		}
		a.Broadcast = broadcastOf(d.watches)
		if it.Docket != nil && it.Docket.Procedural {
			a.Quiet, a.Routine = true, true
			for _, w := range d.watches {
				a.Quiet = a.Quiet && !w.Procedural
			}
		}
		out = append(out, a)
	}
	return out
}

// broadcastOf combines the Broadcast settings of the watches one alert
// names: always if any says always (someone asked to see every reply in
// the channel, and one message serves them all), never only if every one
// says never (one watch's never does not silence another's auto), else
// auto.
func broadcastOf(ws []wirewatch.Watch) string {
	never := len(ws) > 0
	for _, w := range ws {
		switch w.Broadcast {
		case wirewatch.BroadcastAlways:
			return wirewatch.BroadcastAlways
		case wirewatch.BroadcastNever:
		default:
			never = false
		}
	}
	if never {
		return wirewatch.BroadcastNever
	}
	return wirewatch.BroadcastAuto
}

// TermTexts lists the matched terms as written, each once (compared folded).
func TermTexts(ts []match.Term) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range ts {
		k := match.Fold(t.Text)
		if t.Text == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t.Text)
	}
	return out
}
