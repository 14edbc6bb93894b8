package match

import "unicode/utf8"

// This file is the reference matcher the property test holds the fast one
// to: it folds every rune the slow way (no tables) and tries every atom at
// every word of every field.

// simpleMatch is the plain matcher: fold every rune the slow way, then try
// every atom at every word.
func simpleMatch(q *Query, d Doc) ([]Term, bool) {
	return refMatch(q, refPrepare(d))
}

// refDoc is a document split into words by the reference folding.
type refDoc struct {
	d     Doc
	doc   docText
	words [][]simpleWord // per segment
}

func refPrepare(d Doc) *refDoc {
	r := &refDoc{d: d}
	d.text(&r.doc)
	for _, s := range r.doc.segs {
		r.words = append(r.words, simpleWords(s))
	}
	return r
}

func refMatch(q *Query, r *refDoc) ([]Term, bool) {
	d, doc := r.d, &r.doc
	var spans []span
	var bits uint64
	for f, s := range doc.segs {
		words := r.words[f]
		for ai := range q.atoms {
			a := &q.atoms[ai]
			if a.field != anyField && a.field != doc.kinds[f] {
				continue // a party:, judge: or attorney: term looks in those names only
			}
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
					var same bool
					switch {
					case a.prefix[j]:
						same = len(tw) >= len(aw) && tw[:len(aw)] == aw
					case a.fuzzy[j]:
						same = refVariant(tw, aw)
					default:
						same = tw == aw
					}
					if !same {
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

// refVariant is the spelling-variant rule the plain way: both words with
// doubled letters written once, then the optimal-string-alignment
// (restricted Damerau-Levenshtein) distance by dynamic programming.
func refVariant(text, query string) bool {
	return osaDistance(dedouble(text), dedouble(query)) <= 1
}

func dedouble(s string) []rune {
	var out []rune
	for _, r := range s {
		if len(out) == 0 || out[len(out)-1] != r {
			out = append(out, r)
		}
	}
	return out
}

func osaDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
