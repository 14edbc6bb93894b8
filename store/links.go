package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// Linked dockets (issue 11): two dockets are one matter when each one's
// own source names the other (a district entry's "USCA Case Number 25-1345"
// and the appeal's "Originating case number 8:25-cv-00951"), when a
// docket's source fields name its origin (CourtListener's
// original_court_info), or when a person linked them. One docket's text
// alone never links (it could be forged), and an unlink undoes any link.
//
// Keys of the links bucket, parts joined by 0x00, cases by CaseRef.Key:
//
//	n case                    → caseRecord (cases taking part, first noted)
//	c case court number       → "" (case's text points to court/number; either may be "")
//	r court number case       → "" (the same claim, indexed by what it names)
//	o case                    → origin case (the source's docket fields)
//	p origin case             → ""
//	m a b, m b a              → linkRecord (linked by hand)
//	u a b, u b a              → linkRecord (unlinked by hand: no link from texts or fields)

var bLinks = []byte("links")

// maxFamily bounds the dockets one matter gathers.
const maxFamily = 32

// CaseRef names a docket.
type CaseRef struct {
	Court    string    `json:"court"`
	Number   string    `json:"number"` // as the court writes it
	CaseName string    `json:"case_name,omitempty"`
	Noted    time.Time `json:"noted"`
}

// Key is the case compared across sources: court and canonical number.
func (c CaseRef) Key() string {
	return strings.ToLower(c.Court) + " " + court.Canon(c.Number)
}

// CaseNote is what one docket item says about other dockets.
type CaseNote struct {
	Docket   wirewatch.Docket
	Mentions []court.Mention
	// Origin is the case the source's docket fields name as this docket's
	// origin, if any.
	Origin *CaseRef
}

type linkRecord struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

func lk(parts ...string) []byte { return []byte(strings.Join(parts, "\x00")) }

func ref(d wirewatch.Docket) CaseRef {
	return CaseRef{Court: strings.ToLower(d.Court), Number: d.Number, CaseName: wirewatch.Clip(d.CaseName, 300)}
}

// NoteCases records what docket items say about other dockets. Items
// without mentions or origin cost one read.
func (db *DB) NoteCases(notes []CaseNote) error {
	var todo []CaseNote
	for _, n := range notes {
		if n.Docket.Number != "" && n.Docket.Court != "" && (len(n.Mentions) > 0 || n.Origin != nil) {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	now := db.now().UTC()
	return db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bLinks) // made by Open
		for _, n := range todo {
			from := ref(n.Docket)
			if err := noteSourceCase(b, from, now); err != nil {
				return err
			}
			k := from.Key()
			for _, m := range n.Mentions {
				if err := b.Put(lk("c", k, m.Court, m.Number), nil); err != nil {
					return err
				}
				if err := b.Put(lk("r", m.Court, m.Number, k), nil); err != nil {
					return err
				}
			}
			if o := n.Origin; o != nil && o.Court != "" && o.Number != "" && o.Key() != k {
				if err := noteCase(b, *o, now); err != nil {
					return err
				}
				if err := b.Put(lk("o", k), []byte(o.Key())); err != nil {
					return err
				}
				if err := b.Put(lk("p", o.Key(), k), nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// noteSourceCase records c as its source writes it: the number and name a
// person typed in a link give way to the court's own (the thread key is
// made of them).
func noteSourceCase(b *bolt.Bucket, c CaseRef, now time.Time) error {
	if old, ok := caseAt(b, c.Key()); ok {
		if old.Number == c.Number && (old.CaseName == c.CaseName || c.CaseName == "") {
			return nil
		}
		c.Noted = old.Noted
		return putJSON(b, lk("n", c.Key()), c)
	}
	return noteCase(b, c, now)
}

func noteCase(b *bolt.Bucket, c CaseRef, now time.Time) error {
	if b.Get(lk("n", c.Key())) != nil {
		return nil
	}
	c.Noted = now
	return putJSON(b, lk("n", c.Key()), c)
}

// Family is the matter a docket belongs to: Root is the docket its thread
// is keyed by (the trial court's, else the first noted), Members every
// linked docket, Root first. A docket linked to nothing is its own family.
type Family struct {
	Root    CaseRef
	Members []CaseRef
}

// Family returns the family of docket d.
func (db *DB) Family(d wirewatch.Docket) (Family, error) {
	self := ref(d)
	f := Family{Root: self, Members: []CaseRef{self}}
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bLinks)
		if b == nil {
			return nil
		}
		// Every way of linking records both dockets (n), so a docket
		// without a record is linked to nothing: one read for most items.
		if b.Get(lk("n", self.Key())) == nil {
			return nil
		}
		f = family(b, self)
		return nil
	})
	return f, err
}

func family(b *bolt.Bucket, self CaseRef) Family {
	seen := map[string]CaseRef{self.Key(): caseOf(b, self)}
	queue := []string{self.Key()}
	for len(queue) > 0 && len(seen) < maxFamily {
		x := queue[0]
		queue = queue[1:]
		for _, y := range neighbours(b, x) {
			if _, ok := seen[y]; ok || len(seen) >= maxFamily {
				continue
			}
			c, ok := caseAt(b, y)
			if !ok {
				continue
			}
			seen[y] = c
			queue = append(queue, y)
		}
	}
	members := make([]CaseRef, 0, len(seen))
	for _, c := range seen {
		members = append(members, c)
	}
	sort.Slice(members, func(i, j int) bool {
		a, c := members[i], members[j]
		if la, lc := court.Level(a.Court), court.Level(c.Court); la != lc {
			return la < lc
		}
		if !a.Noted.Equal(c.Noted) {
			return a.Noted.Before(c.Noted)
		}
		return a.Key() < c.Key()
	})
	return Family{Root: members[0], Members: members}
}

// caseOf is self as recorded (with its first noted time), else self.
func caseOf(b *bolt.Bucket, self CaseRef) CaseRef {
	if c, ok := caseAt(b, self.Key()); ok {
		if c.CaseName == "" {
			c.CaseName = self.CaseName
		}
		return c
	}
	return self
}

func caseAt(b *bolt.Bucket, key string) (CaseRef, bool) {
	v := b.Get(lk("n", key))
	if v == nil {
		return CaseRef{}, false
	}
	var c CaseRef
	return c, json.Unmarshal(v, &c) == nil
}

func splitKey(key string) (courtID, number string) {
	courtID, number, _ = strings.Cut(key, " ")
	return courtID, number
}

// scan calls fn with the remaining parts of every key starting with parts.
func scan(b *bolt.Bucket, fn func(rest []string), parts ...string) {
	prefix := append(lk(parts...), 0)
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		fn(strings.Split(string(k[len(prefix):]), "\x00"))
	}
}

// neighbours are the dockets linked to x directly.
func neighbours(b *bolt.Bucket, x string) []string {
	xc, xn := splitKey(x)
	cand := map[string]bool{}
	scan(b, func(r []string) {
		if len(r) == 2 && r[0] != "" && r[1] != "" {
			cand[r[0]+" "+r[1]] = true
		}
	}, "c", x)
	for _, c := range []string{xc, ""} {
		scan(b, func(r []string) { cand[r[0]] = true }, "r", c, xn)
	}
	scan(b, func(r []string) { cand[r[0]] = true }, "m", x)
	scan(b, func(r []string) { cand[r[0]] = true }, "p", x)
	if o := b.Get(lk("o", x)); o != nil {
		cand[string(o)] = true
	}
	var out []string
	for y := range cand {
		if y != x && linked(b, x, y) {
			out = append(out, y)
		}
	}
	sort.Strings(out)
	return out
}

// linked tells whether x and y are one matter, and how ("" if not).
func how(b *bolt.Bucket, x, y string) string {
	switch {
	case b.Get(lk("m", x, y)) != nil:
		return "by hand"
	case b.Get(lk("u", x, y)) != nil:
		return ""
	case string(b.Get(lk("o", x))) == y || string(b.Get(lk("o", y))) == x:
		return "docket fields"
	case claims(b, x, y) && claims(b, y, x):
		return "docket texts"
	}
	return ""
}

func linked(b *bolt.Bucket, x, y string) bool { return how(b, x, y) != "" }

// claims tells whether x's text points to y: by court and number, by
// court alone, or (an appellate docket naming its origin) by number alone.
func claims(b *bolt.Bucket, x, y string) bool {
	yc, yn := splitKey(y)
	return b.Get(lk("c", x, yc, yn)) != nil || b.Get(lk("c", x, yc, "")) != nil || b.Get(lk("c", x, "", yn)) != nil
}

// LinkCases links two dockets by hand (chat's link), with an audit entry.
func (db *DB) LinkCases(a, b CaseRef, by string) error {
	return db.setLink(a, b, by, "m", "u", "case link")
}

// LinkCasesOnce links two dockets for the config file's links: only when
// no one linked or unlinked them by hand, so that an unlink from chat
// stays and a restart adds nothing to the audit trail. It tells whether it
// linked them.
func (db *DB) LinkCasesOnce(a, c CaseRef, by string) (bool, error) {
	if a.Key() == c.Key() {
		return false, fmt.Errorf("case link: a docket is always linked to itself")
	}
	done := false
	err := db.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bLinks); b != nil {
			done = b.Get(lk("m", a.Key(), c.Key())) != nil || b.Get(lk("u", a.Key(), c.Key())) != nil
		}
		return nil
	})
	if err != nil || done {
		return false, err
	}
	return true, db.LinkCases(a, c, by)
}

// UnlinkCases undoes any link between two dockets (chat's unlink): a link
// by hand is dropped, and texts or fields no longer link them.
func (db *DB) UnlinkCases(a, b CaseRef, by string) error {
	return db.setLink(a, b, by, "u", "m", "case unlink")
}

func (db *DB) setLink(a, c CaseRef, by, set, clear, action string) error {
	if a.Key() == c.Key() {
		return fmt.Errorf("%s: a docket is always linked to itself", action)
	}
	now := db.now().UTC()
	return db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bLinks) // made by Open
		for _, x := range []CaseRef{a, c} {
			if err := noteCase(b, x, now); err != nil {
				return err
			}
		}
		rec := linkRecord{By: by, At: now}
		for _, pair := range [][2]string{{a.Key(), c.Key()}, {c.Key(), a.Key()}} {
			if err := b.Delete(lk(clear, pair[0], pair[1])); err != nil {
				return err
			}
			if err := putJSON(b, lk(set, pair[0], pair[1]), rec); err != nil {
				return err
			}
		}
		return audit(tx, AuditEntry{At: now, User: by, Action: action, ID: a.Key(), Detail: c.Key()})
	})
}

// CaseLink is one link between two dockets, for status.
type CaseLink struct {
	A, B CaseRef
	How  string // "by hand", "docket fields", "docket texts"
}

// CaseLinks lists the links (at most limit), for status.
func (db *DB) CaseLinks(limit int) ([]CaseLink, error) {
	var out []CaseLink
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bLinks)
		if b == nil {
			return nil
		}
		done := map[string]bool{}
		scan(b, func(r []string) {
			x := r[0]
			if len(out) >= limit || done[x] {
				return
			}
			done[x] = true
			for _, y := range neighbours(b, x) {
				if x < y && len(out) < limit {
					xa, _ := caseAt(b, x)
					yb, _ := caseAt(b, y)
					if court.Level(xa.Court) > court.Level(yb.Court) {
						xa, yb = yb, xa // the lower court first, as the matter went
					}
					out = append(out, CaseLink{A: xa, B: yb, How: how(b, x, y)})
				}
			}
		}, "n")
		return nil
	})
	return out, err
}
