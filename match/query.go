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
	// The names a docket item's source gives, one name each: plain terms
	// match them like any other field, a party:, judge: or attorney: term
	// only them. A phrase never runs from one name into the next. Only
	// the first MaxNames of each list are searched.
	Parties, Judges, Attorneys []string
}

// Term is one matched term as written in the document.
type Term struct {
	Text string // as written in the document, e.g. "Ábrego García"
	// Field is "title", "text", "docket" or "article", or "party",
	// "judge" or "attorney" for a name of Doc.Parties, Judges or
	// Attorneys.
	Field string
	// Start and End are byte offsets in that field of the original string;
	// for a name, in that name.
	Start, End int
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
	MaxNames      = 64      // names of each list (Doc.Parties…) searched
	MaxNameBytes  = 1000    // bytes of a name searched
)

var fieldNames = [4]string{"title", "text", "docket", "article"}

// The lists of names a term can be limited to; an atom's field, and a
// word's kind, is one of these, or anyField (0) for every other field.
const (
	anyField uint8 = iota
	partyField
	judgeField
	attorneyField
)

// nameFields are the query's field names (party:…), by field.
var nameFields = [...]string{"", "party", "judge", "attorney"}

// docText is a Doc's searchable text in segments: its four fields, cut
// to MaxFieldBytes on a rune boundary (docket stays third: segment 2 is
// the docket's), then one segment per name. A word's field is its
// segment, so a phrase, which lies within one segment, never spans two
// names.
type docText struct {
	segs  []string
	kinds []uint8 // kinds[i] is the list of segment i: anyField, partyField…
}

// text fills t with d's segments, reusing t's slices.
func (d *Doc) text(t *docText) {
	t.segs, t.kinds = t.segs[:0], t.kinds[:0]
	for _, s := range [4]string{d.Title, d.Text, d.Docket, d.Article} {
		t.segs = append(t.segs, wirewatch.Clip(s, MaxFieldBytes))
		t.kinds = append(t.kinds, anyField)
	}
	for k, names := range [...][]string{partyField: d.Parties, judgeField: d.Judges, attorneyField: d.Attorneys} {
		for _, n := range names[:min(len(names), MaxNames)] {
			t.segs = append(t.segs, wirewatch.Clip(n, MaxNameBytes))
			t.kinds = append(t.kinds, uint8(k))
		}
	}
}

// tokenize runs tk over every segment, marking the words of names with
// their list.
func (t *docText) tokenize(tk *tokenizer) {
	for f, s := range t.segs {
		n := len(tk.words)
		tk.run(s, uint8(f))
		if k := t.kinds[f]; k != anyField {
			for i := n; i < len(tk.words); i++ {
				tk.words[i].kind = k
			}
		}
	}
}

// fieldName is Term.Field of segment f.
func (t *docText) fieldName(f int) string {
	if k := t.kinds[f]; k != anyField {
		return nameFields[k]
	}
	return fieldNames[f]
}

// span is one place an atom matched.
type span struct {
	atom   int
	field  int
	os, oe int
	number string // for a match in Doc.Numbers (field docket, no offsets)
}

// terms turns the spans of positive atoms into Terms: one per place,
// ordered by segment and offset, at most MaxHitTerms. It sorts spans.
func terms(q *Query, doc *docText, spans []span) []Term {
	var out []Term
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.os, b.os), cmp.Compare(a.oe, b.oe), cmp.Compare(a.number, b.number))
	})
	for _, s := range spans {
		if q.atoms[s.atom].neg {
			continue
		}
		if s.number != "" {
			out = append(out, Term{Text: s.number, Field: "docket"})
			continue
		}
		out = append(out, Term{Text: doc.segs[s.field][s.os:s.oe], Field: doc.fieldName(s.field), Start: s.os, End: s.oe})
	}
	out = slices.Compact(out)
	if len(out) > MaxHitTerms {
		out = out[:MaxHitTerms:MaxHitTerms]
	}
	return out
}

// Match reports whether d matches q and which of q's terms matched where.
func (q *Query) Match(d Doc) ([]Term, bool) {
	if q == nil || q.root == nil {
		return nil, false // not made by Parse
	}
	var doc docText
	d.text(&doc)
	var tk tokenizer
	doc.tokenize(&tk)
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
			s := doc.segs[w.field]
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
	return terms(q, &doc, spans), true
}
