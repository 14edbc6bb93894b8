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
	doc   [3]string
	words [3][]simpleWord
}

func refPrepare(d Doc) *refDoc {
	r := &refDoc{d: d, doc: d.fields()}
	for f, s := range r.doc {
		r.words[f] = simpleWords(s)
	}
	return r
}

func refMatch(q *Query, r *refDoc) ([]Term, bool) {
	d, doc := r.d, r.doc
	var spans []span
	var bits uint64
	for f, s := range doc {
		words := r.words[f]
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
