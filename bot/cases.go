package bot

import (
	"fmt"
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
	root := f.Root.Number
	if self := (store.CaseRef{Court: it.Docket.Court, Number: it.Docket.Number}); self.Key() == f.Root.Key() {
		root = it.Docket.Number // as the court writes it, like an unlinked docket's key
	}
	return numbers, wirewatch.CaseThreadKey(f.Root.Court, root), true
}

// parseCase reads a case as chat writes it (court.ParseCase).
func parseCase(s string) (store.CaseRef, error) {
	c, n, err := court.ParseCase(s)
	return store.CaseRef{Court: c, Number: n}, err
}

// link carries out link and unlink: linking is global (every channel's
// threads of the two dockets), so it takes the feed managers' permission.
func (s *Commands) link(c wirewatch.Command) (string, error) {
	if !c.MayManageFeeds {
		return "", fmt.Errorf("%s changes threads in every channel: only the bot's admins may do it", c.Verb)
	}
	a, err := parseCase(c.Arg)
	if err != nil {
		return "", err
	}
	b, err := parseCase(c.Other)
	if err != nil {
		return "", err
	}
	if a.Key() == b.Key() {
		return "", fmt.Errorf("%s needs two different cases", c.Verb)
	}
	cite := func(r store.CaseRef) string {
		return court.Cite(wirewatch.Docket{Court: r.Court, Number: r.Number})
	}
	if c.Verb == wirewatch.CmdUnlink {
		if err := s.DB.UnlinkCases(a, b, c.User); err != nil {
			return "", err
		}
		return fmt.Sprintf("Unlinked %s and %s: their new entries are threaded apart, whatever their texts say (link them again to undo).", cite(a), cite(b)), nil
	}
	if err := s.DB.LinkCases(a, b, c.User); err != nil {
		return "", err
	}
	f, err := s.DB.Family(wirewatch.Docket{Court: a.Court, Number: a.Number})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Linked %s and %s: new entries of the %d dockets of this matter go to the thread of %s.", cite(a), cite(b), len(f.Members), cite(f.Root)), nil
}
