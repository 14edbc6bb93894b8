package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/wirewatch/wirewatch/match"
)

// Limits on a translated query.
const (
	// maxGoogleWords: Google reads the first 32 words of a query and drops
	// the rest, which would widen or narrow the search without a word.
	maxGoogleWords = 32
	// maxClauses bounds the AND-of-ORs form a Google query is rewritten to
	// (A OR (B AND C) becomes (A OR B) (A OR C)), which can grow fast.
	maxClauses = 16
)

// literal is one term of a Google query, maybe negated.
type literal struct {
	term match.Node
	neg  bool
}

// clause is literals OR-ed together; a Google query is clauses side by side
// (AND).
type clause []literal

// googleNews writes q in Google News' search syntax, or says why it cannot
// be written there with the same meaning. Every term is quoted, so Google
// matches it as written (no synonyms, no stems), the way wirewatch does;
// words side by side mean AND and OR binds tighter, so the query is rewritten
// as ANDs of ORs: ("A" OR "B") "C" -"D". A NOT may stand only on its own
// ("-" before a term cannot sit inside an OR).
func googleNews(q *match.Query) (string, error) {
	cls, err := cnf(q.Tree(), false)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	words := 0
	for _, c := range cls {
		if len(c) > 1 {
			pos, neg := -1, -1
			for i, l := range c {
				if l.neg && neg < 0 {
					neg = i
				} else if !l.neg && pos < 0 {
					pos = i
				}
			}
			if neg >= 0 {
				other := "NOT " + show(c[(neg+1)%len(c)].term)
				if pos >= 0 {
					other = show(c[pos].term)
				}
				return "", fmt.Errorf("Google News can't search for %s OR NOT %s: there a \"-\" term can't be one side of an OR", other, show(c[neg].term))
			}
		}
		for _, l := range c {
			if err := googleTerm(l.term); err != nil {
				return "", err
			}
			words += len(l.term.Words)
		}
		words += len(c) - 1 // the ORs
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch {
		case len(c) == 1 && c[0].neg:
			b.WriteString("-" + quote(c[0].term))
		case len(c) == 1:
			b.WriteString(quote(c[0].term))
		default:
			b.WriteByte('(')
			for i, l := range c {
				if i > 0 {
					b.WriteString(" OR ")
				}
				b.WriteString(quote(l.term))
			}
			b.WriteByte(')')
		}
	}
	if words > maxGoogleWords {
		return "", fmt.Errorf("Google News reads only the first %d words of a search and this query makes %d: shorten it", maxGoogleWords, words)
	}
	return b.String(), nil
}

// googleTerm refuses what Google's search has no way to say.
func googleTerm(t match.Node) error {
	switch {
	case t.Field != "":
		return fmt.Errorf("Google News can't search for %s: it has no %s: field (a docket's names); write the name without it, or search CourtListener", show(t), t.Field)
	case t.Case != "":
		return fmt.Errorf("Google News can't search for case:%s: the docket number's other forms (25-cv-951, 8:25cv951) can't be asked for; follow the docket's feed instead, or write the number in quotes", t.Case)
	case t.Variant:
		return fmt.Errorf("Google News can't search for the spelling variants of %s (\"~\"): add the spellings as aliases (/watch alias ID SPELLING) instead", show(t))
	case t.Prefix:
		return fmt.Errorf("Google News can't search for words starting with %s (\"*\"): write out the words, e.g. negotiate OR negotiations", show(t))
	case strings.ContainsAny(strings.Join(t.Words, " "), `"`):
		return fmt.Errorf("Google News can't search for %s: it holds a quote", show(t))
	}
	return nil
}

// cnf rewrites n (negated when neg) as clauses: NOT pushed down to the terms
// (De Morgan), OR distributed over AND.
func cnf(n match.Node, neg bool) ([]clause, error) {
	switch n.Op {
	case match.OpTerm:
		return []clause{{{term: n, neg: neg}}}, nil
	case match.OpNot:
		return cnf(n.Kids[0], !neg)
	}
	and := n.Op == match.OpAnd
	if neg {
		and = !and // NOT (A AND B) = NOT A OR NOT B
	}
	if and {
		var out []clause
		for _, k := range n.Kids {
			cs, err := cnf(k, neg)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
			if len(out) > maxClauses {
				return nil, errTooComplex
			}
		}
		return out, nil
	}
	// OR: every clause of the product of the kids' clause lists.
	out := []clause{{}}
	for _, k := range n.Kids {
		cs, err := cnf(k, neg)
		if err != nil {
			return nil, err
		}
		var next []clause
		for _, a := range out {
			for _, c := range cs {
				next = append(next, append(append(clause{}, a...), c...))
				if len(next) > maxClauses {
					return nil, errTooComplex
				}
			}
		}
		out = next
	}
	return out, nil
}

var errTooComplex = errors.New("Google News can't be asked this query as it is: rewritten with its ORs inside its ANDs, the way Google reads a search, it takes more than 16 groups; simplify it")

// quote writes a term as a quoted phrase.
func quote(t match.Node) string { return `"` + strings.Join(t.Words, " ") + `"` }

// show names a term for a message, as the query wrote it.
func show(t match.Node) string {
	if t.Case != "" {
		return "case:" + t.Case
	}
	s := strings.Join(t.Words, " ")
	if t.Prefix {
		s += "*"
	}
	if len(t.Words) > 1 {
		s = `"` + s + `"`
	}
	if t.Field != "" {
		s = t.Field + ":" + s
	}
	return s
}

// courtListener writes q in CourtListener's search syntax (its front end's
// q=, Elasticsearch's query string): phrases in quotes, AND, OR, NOT and
// parentheses as in the watch, a lone word's prefix as word*, party: and
// attorney: as its fields of the same names, judge: as assignedTo: or
// referredTo: (the judges wirewatch's docket items carry). Variants, docket
// numbers and prefixes inside a phrase have no faithful form there.
func courtListener(q *match.Query) (string, error) {
	var b strings.Builder
	if err := clWrite(&b, q.Tree(), true); err != nil {
		return "", err
	}
	return b.String(), nil
}

func clWrite(b *strings.Builder, n match.Node, top bool) error {
	switch n.Op {
	case match.OpTerm:
		return clTerm(b, n)
	case match.OpNot:
		b.WriteString("NOT ")
		return clWrite(b, n.Kids[0], false)
	}
	if !top {
		b.WriteByte('(')
	}
	sep := " AND "
	if n.Op == match.OpOr {
		sep = " OR "
	}
	for i, k := range n.Kids {
		if i > 0 {
			b.WriteString(sep)
		}
		if err := clWrite(b, k, false); err != nil {
			return err
		}
	}
	if !top {
		b.WriteByte(')')
	}
	return nil
}

func clTerm(b *strings.Builder, t match.Node) error {
	switch t.Field {
	case "":
	case "judge":
		t.Field = ""
		for i, f := range []string{"(assignedTo:", " OR referredTo:"} {
			b.WriteString(f)
			if err := clTerm(b, t); err != nil {
				return err
			}
			if i == 1 {
				b.WriteByte(')')
			}
		}
		return nil
	case "party", "attorney":
		b.WriteString(t.Field + ":")
		t.Field = ""
	default:
		return fmt.Errorf("CourtListener's search has no field for %s", show(t))
	}
	switch {
	case t.Case != "":
		return fmt.Errorf("CourtListener's search can't be asked for case:%s in all its forms (25-cv-951, 8:25cv951); follow the docket's feed instead (a search finds new cases)", t.Case)
	case t.Variant:
		return fmt.Errorf("CourtListener's search can't be asked for the spelling variants of %s: its \"~\" counts edits differently (Mazarra is two from Mazzara there); add the spellings as aliases instead", show(t))
	case t.Prefix && len(t.Words) > 1:
		return fmt.Errorf("CourtListener's search can't be asked for %s: a prefix (\"*\") works there only on a lone word", show(t))
	case t.Prefix:
		w := t.Words[0]
		for _, r := range w {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return fmt.Errorf("CourtListener's search can't be asked for %s: a prefix there must be letters and digits only", show(t))
			}
		}
		b.WriteString(w + "*")
		return nil
	}
	// Inside quotes only the quote and the backslash are special.
	b.WriteByte('"')
	for i, w := range t.Words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w))
	}
	b.WriteByte('"')
	return nil
}
