package match

import (
	"cmp"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"
)

// Doc is what a query is matched against.
type Doc struct {
	Title   string
	Text    string
	Docket  string   // caption, description and number of a docket item
	Numbers []string // core docket numbers of a docket item, for case: terms
}

// Term is one matched term as written in the document.
type Term struct {
	Text       string // as written in the document, e.g. "Ábrego García"
	Field      string // "title", "text" or "docket"
	Start, End int    // byte offsets in that field of the original string
}

// Hit is a watch that matched and the terms that made it match.
type Hit struct {
	ID    string
	Terms []Term
}

// Limits on what is matched.
const (
	MaxFieldBytes = 1 << 20 // text of a field past this is not searched
	MaxHitTerms   = 100     // terms reported per hit
)

var fieldNames = [3]string{"title", "text", "docket"}

// fields returns the three searchable fields of d, each cut to
// MaxFieldBytes on a rune boundary.
func (d *Doc) fields() [3]string {
	f := [3]string{d.Title, d.Text, d.Docket}
	for i, s := range f {
		if len(s) > MaxFieldBytes {
			n := MaxFieldBytes
			for n > 0 && !utf8.RuneStart(s[n]) {
				n--
			}
			f[i] = s[:n]
		}
	}
	return f
}

// span is one place an atom matched.
type span struct {
	atom   int
	field  int
	os, oe int
	number string // for a match in Doc.Numbers (field docket, no offsets)
}

// terms turns the spans of positive atoms into Terms: one per place,
// ordered by field and offset, at most MaxHitTerms.
func terms(q *Query, doc [3]string, spans []span) []Term {
	var out []Term
	for _, s := range spans {
		if q.atoms[s.atom].neg {
			continue
		}
		if s.number != "" {
			out = append(out, Term{Text: s.number, Field: "docket"})
			continue
		}
		out = append(out, Term{Text: doc[s.field][s.os:s.oe], Field: fieldNames[s.field], Start: s.os, End: s.oe})
	}
	slices.SortFunc(out, func(a, b Term) int {
		return cmp.Or(cmp.Compare(fieldRank(a.Field), fieldRank(b.Field)),
			cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), cmp.Compare(a.Text, b.Text))
	})
	out = slices.Compact(out)
	if len(out) > MaxHitTerms {
		out = out[:MaxHitTerms:MaxHitTerms]
	}
	return out
}

func fieldRank(f string) int {
	for i, n := range fieldNames {
		if n == f {
			return i
		}
	}
	return len(fieldNames)
}

// Match reports whether d matches q and which of q's terms matched where.
func (q *Query) Match(d Doc) ([]Term, bool) {
	return simpleMatch(q, d)
}

// simpleMatch is the plain matcher: fold every rune the slow way, then try
// every atom at every word.
func simpleMatch(q *Query, d Doc) ([]Term, bool) {
	doc := d.fields()
	var spans []span
	var bits uint64
	for f, s := range doc {
		words := simpleWords(s)
		for ai := range q.atoms {
			a := &q.atoms[ai]
			if a.dk != nil {
				for _, w := range words {
					if !docketStart(s, w.os) {
						continue
					}
					if t, end, ok := parseDocketAt(s, w.os); ok && a.dk.matches(t) {
						spans = append(spans, span{atom: ai, field: f, os: w.os, oe: end})
						bits |= 1 << uint(ai)
					}
				}
				continue
			}
			for i := 0; i+len(a.words) <= len(words); i++ {
				ok := true
				for j, aw := range a.words {
					tw := words[i+j].text
					if a.prefix[j] && !(len(tw) >= len(aw) && tw[:len(aw)] == aw) || !a.prefix[j] && tw != aw {
						ok = false
						break
					}
				}
				if ok {
					spans = append(spans, span{atom: ai, field: f, os: words[i].os, oe: words[i+len(a.words)-1].oe})
					bits |= 1 << uint(ai)
				}
			}
		}
	}
	for ai := range q.atoms {
		a := &q.atoms[ai]
		if a.dk == nil {
			continue
		}
		for _, n := range d.Numbers {
			if t, ok := parseDocket(n); ok && a.dk.matches(t) && !hasDocketSpan(spans, ai) {
				spans = append(spans, span{atom: ai, field: 2, number: n})
				bits |= 1 << uint(ai)
			}
		}
	}
	if !q.root.eval(bits) {
		return nil, false
	}
	return terms(q, doc, spans), true
}

func hasDocketSpan(spans []span, ai int) bool {
	for _, s := range spans {
		if s.atom == ai && s.field == 2 {
			return true
		}
	}
	return false
}

type simpleWord struct {
	text   string
	os, oe int
}

// simpleWords splits s into folded words, folding each rune with
// foldRuneSlow and no tables.
func simpleWords(s string) []simpleWord {
	var out []simpleWord
	var cur []byte
	in := false
	var os, oe int
	flush := func() {
		if in {
			out = append(out, simpleWord{text: string(cur), os: os, oe: oe})
			in = false
			cur = cur[:0]
		}
	}
	for i, r := range s {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		f := foldRuneSlow(r)
		if f == "" {
			if in {
				oe = i + size
			}
			continue
		}
		for _, c := range f {
			if c == ' ' {
				flush()
				continue
			}
			if !in {
				in, os = true, i
			}
			cur = utf8.AppendRune(cur, c)
			oe = i + size
		}
	}
	flush()
	return out
}

// Index matches documents against many queries; safe for concurrent use.
type Index struct {
	mu sync.RWMutex
	qs map[string]*Query
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{qs: map[string]*Query{}} }

// Set adds or replaces the query with this id.
func (ix *Index) Set(id string, q *Query) {
	ix.mu.Lock()
	ix.qs[id] = q
	ix.mu.Unlock()
}

// Remove drops the query with this id.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	delete(ix.qs, id)
	ix.mu.Unlock()
}

// Match returns the queries d matches, sorted by id.
func (ix *Index) Match(d Doc) []Hit {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var hits []Hit
	for id, q := range ix.qs {
		if t, ok := q.Match(d); ok {
			hits = append(hits, Hit{ID: id, Terms: t})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].ID < hits[j].ID })
	return hits
}
