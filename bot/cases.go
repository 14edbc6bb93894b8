package bot

import (
	"log/slog"
	"strings"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
	"github.com/wirewatch/wirewatch/store"
)

// Cases is the store of linked dockets (store.DB): one matter followed
// across courts is threaded as one, and a case: watch on any of its dockets
// alerts for all of them.
type Cases interface {
	NoteCases([]store.CaseNote) error
	Family(wirewatch.Docket) (store.Family, error)
}

// SetCases makes the watch list thread linked dockets together (nil: every
// docket is its own thread).
func (l *Watchlist) SetCases(c Cases, log *slog.Logger) {
	l.mu.Lock()
	l.cases, l.casesLog = c, log
	l.mu.Unlock()
}

func (l *Watchlist) caseStore() (Cases, *slog.Logger) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	log := l.casesLog
	if log == nil {
		log = slog.Default()
	}
	return l.cases, log
}

// NoteCases records what new docket items say about other dockets (their
// text's mentions, their source's origin fields), before they are matched,
// so that the entry that completes a link is already threaded with the
// family. A store error is logged: it costs a link, never an item.
func (l *Watchlist) NoteCases(items []wirewatch.Item) {
	cs, log := l.caseStore()
	if cs == nil {
		return
	}
	var notes []store.CaseNote
	for _, it := range items {
		d := it.Docket
		if d == nil || d.Number == "" || d.Court == "" {
			continue
		}
		n := store.CaseNote{Docket: *d, Mentions: court.Mentions(*d, d.ShortDescription+"\n"+it.Summary)}
		if c, num, ok := strings.Cut(d.Origin, " "); ok && c != "" && num != "" {
			n.Origin = &store.CaseRef{Court: c, Number: num}
		}
		if len(n.Mentions) > 0 || n.Origin != nil {
			notes = append(notes, n)
		}
	}
	if err := cs.NoteCases(notes); err != nil {
		log.Warn("record linked dockets; these entries link nothing", "err", err)
	}
}

// family is the matter of a docket item: the numbers of every linked
// docket (for case: terms) and the thread key of its root. ok is false for
// news and for a docket linked to nothing.
func (l *Watchlist) family(it wirewatch.Item) (numbers []string, thread string, ok bool) {
	cs, log := l.caseStore()
	if cs == nil || it.Docket == nil || it.Docket.Number == "" {
		return nil, "", false
	}
	f, err := cs.Family(*it.Docket)
	if err != nil {
		log.Warn("look up linked dockets; the entry is threaded alone", "court", it.Docket.Court, "number", it.Docket.Number, "err", err)
		return nil, "", false
	}
	if len(f.Members) < 2 {
		return nil, "", false
	}
	for _, m := range f.Members {
		numbers = append(numbers, m.Number)
	}
	return numbers, "case:" + strings.ToLower(f.Root.Court) + ":" + f.Root.Number, true
}
