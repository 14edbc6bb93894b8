package match

import (
	"cmp"
	"slices"

	"github.com/wirewatch/wirewatch"
)

// Doc is what a query is matched against.
type Doc struct {
	Title   string
	Text    string
	Docket  string   // caption, description and number of a docket item
	Numbers []string // core docket numbers of a docket item, for case: terms
	Article string   // the text of the page the item links to, when it was read
}

// Term is one matched term as written in the document.
type Term struct {
	Text       string // as written in the document, e.g. "Ábrego García"
	Field      string // "title", "text", "docket" or "article"
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

var fieldNames = [4]string{"title", "text", "docket", "article"}

// fields returns the searchable fields of d, each cut to MaxFieldBytes on
// a rune boundary. Docket stays third: field 2 is the docket's.
func (d *Doc) fields() [4]string {
	return [4]string{
		wirewatch.Clip(d.Title, MaxFieldBytes),
		wirewatch.Clip(d.Text, MaxFieldBytes),
		wirewatch.Clip(d.Docket, MaxFieldBytes),
		wirewatch.Clip(d.Article, MaxFieldBytes),
	}
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
func terms(q *Query, doc [4]string, spans []span) []Term {
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
	if q == nil || q.root == nil {
		return nil, false // not made by Parse
	}
	doc := d.fields()
	var tk tokenizer
	for f, s := range doc {
		tk.run(s, uint8(f))
	}
	var spans []span
	var bits uint64
	for ai := range q.atoms {
		a := &q.atoms[ai]
		inDocket := false
		places := 0
		for wi := range tk.words {
			if places == MaxHitTerms {
				break // no more of its places could be reported
			}
			w := &tk.words[wi]
			if a.dk == nil {
				if os, oe, ok := verify(&tk, wi, a, 0); ok {
					spans = append(spans, span{atom: ai, field: int(w.field), os: os, oe: oe})
					bits |= 1 << uint(ai)
					places++
				}
				continue
			}
			s := doc[w.field]
			if !docketStart(s, int(w.os)) {
				continue
			}
			if num, end, ok := parseDocketAt(s, int(w.os)); ok && a.dk.matches(num) {
				spans = append(spans, span{atom: ai, field: int(w.field), os: int(w.os), oe: end})
				bits |= 1 << uint(ai)
				inDocket = inDocket || w.field == 2
				places++
			}
		}
		if a.dk != nil && !inDocket {
			for _, n := range d.Numbers {
				if num, ok := parseDocket(n); ok && a.dk.matches(num) {
					spans = append(spans, span{atom: ai, field: 2, number: n})
					bits |= 1 << uint(ai)
					break
				}
			}
		}
	}
	if !q.root.eval(bits) {
		return nil, false
	}
	return terms(q, doc, spans), true
}
