package match

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{"", "query has no words at 1"},
		{"   ", "query has no words at 1"},
		{"&& —", "query has no words at 1"},
		{`Abrego AND (Garcia OR Xinis`, `unbalanced "(" at 12`},
		{`"Abrego Garcia" AND (Xinis OR`, `OR needs a term on each side at 28`},
		{`Abrego Garcia) OR Xinis`, `unbalanced ")" at 14`},
		{`(Abrego Garcia))`, `unbalanced ")" at 16`},
		{`Abrego AND Garcia AND NOT`, `NOT needs something to negate at 23`},
		{`Abrego NOT`, `NOT needs something to negate at 8`},
		{`Abrego NOT OR Garcia`, `NOT needs something to negate at 8`},
		{`Abrego - Garcia`, `"-" needs a word, quoted phrase or "(" right after it at 8`},
		{`Abrego -`, `"-" needs a word, quoted phrase or "(" right after it at 8`},
		{`OR Xinis`, `OR needs a term on each side at 1`},
		{`Xinis OR`, `OR needs a term on each side at 7`},
		{`Xinis AND`, `AND needs a term on each side at 7`},
		{`Xinis AND OR Garcia`, `AND needs a term on each side at 7`},
		{`"Abrego Garcia`, `unbalanced "\"" at 1`},
		{`Abrego “Garcia`, `unbalanced "“" at 8`},
		{`""`, `quotes with no word inside at 1`},
		{`"Abrego Garcia" Xinis`, `missing AND or OR before "Xinis" at 17`},
		{`Xinis "Abrego Garcia"`, `missing AND or OR before "Abrego Garcia" at 7`},
		{`(a1 OR b1) c1`, `missing AND or OR before "c1" at 12`},
		{`Xinis ()`, `missing AND or OR before "(" at 7`},
		{`()`, `empty parentheses at 1`},
		{`ne*`, `a prefix needs at least 3 letters before "*" at 3`},
		{`é*`, `a prefix needs at least 3 letters before "*" at 2`},
		{`neg*ot`, `"*" goes only at the end of a word at 4`},
		{`*`, `"*" must follow a word, as in negotiat* at 1`},
		{`abc-*`, `"*" must follow a word, as in negotiat* at 5`},
		{`NOT Xinis`, `query matches items that contain none of its words; add a word that must appear at 1`},
		{`-Xinis`, `query matches items that contain none of its words; add a word that must appear at 1`},
		{`Abrego OR NOT Xinis`, `query matches items that contain none of its words; add a word that must appear at 11`},
		{`case:`, `case: needs a docket number right after it, such as case:8:25-cv-00951 at 1`},
		{`Xinis OR case:abc`, `"abc" is not a docket number such as 8:25-cv-00951 at 15`},
		{`case:8:25-cv-00951x`, `"8:25-cv-00951x" is not a docket number such as 8:25-cv-00951 at 6`},
		{`Abrego -Garcia Xinis`, `missing AND or OR before "Xinis" at 16`},
		{`Abrego --Garcia`, `"-" needs a word, quoted phrase or "(" right after it at 8`},
		{`Abrego -NOT Garcia`, `"-" needs something to negate at 8`},
		{"Xinis \xff", `invalid UTF-8 at 7`},
		{strings.Repeat("a", 501), `query is longer than 500 characters at 501`},
		{strings.Repeat("é", 501), `query is longer than 500 characters at 501`},
		{strings.TrimSuffix(strings.Repeat("w OR ", 51), " OR "), `query has more than 50 terms at 251`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error %q", tt.query, q.atoms, tt.want)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.query, err.Error(), tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		query string
		tree  string // the parsed form
	}{
		{`Abrego Garcia`, `"abrego garcia"`},
		{`"Abrego Garcia" OR Xinis`, `("abrego garcia" OR "xinis")`},
		{`a1 OR b1 AND c1`, `("a1" OR ("b1" AND "c1"))`},
		{`(a1 OR b1) AND c1`, `(("a1" OR "b1") AND "c1")`},
		{`Trump -Melania`, `("trump" AND NOT "melania")`},
		{`Trump NOT Melania visit`, `("trump" AND NOT "melania visit")`},
		{`Trump -"Melania visit"`, `("trump" AND NOT "melania visit")`},
		{`Trump -(Melania OR Barron)`, `("trump" AND NOT ("melania" OR "barron"))`},
		{`cats or dogs`, `"cats or dogs"`},
		{`"AND" OR "NOT"`, `("and" OR "not")`},
		{`Johnson & Johnson`, `"johnson johnson"`},
		{`AT&T`, `"at t"`},
		{`judge xin* OR deport*`, `("judge xin*" OR "deport*")`},
		{`case:8:25-cv-00951`, `case:8:25-cv-951`},
		{`case:8:25-cv-00951-PX OR case:18-22414`, `(case:8:25-cv-951 OR case:18-22414)`},
		{`CASE:25cv951`, `case:25-cv-951`},
		{`  Xinis  `, `"xinis"`},
		{strings.TrimSuffix(strings.Repeat("w OR ", 50), " OR "), ""},
		{strings.Repeat("a", 500), ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := MustParse(t, tt.query)
			if q.String() != tt.query {
				t.Errorf("String() = %q, want %q", q.String(), tt.query)
			}
			if tt.tree == "" {
				return
			}
			if got := treeString(q, q.root); got != tt.tree {
				t.Errorf("parsed as %s, want %s", got, tt.tree)
			}
		})
	}
}

// treeString prints the parsed query with every group in parentheses.
func treeString(q *Query, n *node) string {
	switch n.op {
	case opAtom:
		a := q.atoms[n.atom]
		if a.dk != nil {
			return "case:" + a.dk.String()
		}
		ws := make([]string, len(a.words))
		for i, w := range a.words {
			ws[i] = w
			if a.prefix[i] {
				ws[i] += "*"
			}
		}
		return `"` + strings.Join(ws, " ") + `"`
	case opNot:
		return "NOT " + treeString(q, n.kids[0])
	}
	op := " AND "
	if n.op == opOr {
		op = " OR "
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = treeString(q, k)
	}
	return "(" + strings.Join(parts, op) + ")"
}

// TestDocExamples keeps the package documentation honest.
func TestDocExamples(t *testing.T) {
	for _, q := range []string{
		`"Abrego Garcia" OR Xinis`, `Abrego Garcia AND Xinis`, `Abrego Garcia NOT Bukele`,
		`Abrego Garcia -Bukele`, `Abrego -"El Salvador"`, `Abrego -(Bukele OR Noem)`,
		`(deport* OR removal) AND ICE`, `negotiat*`, `case:8:25-cv-00951`, `"or"`, `AT&T`,
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
	for _, q := range []string{`NOT Bukele`, `Xinis OR -Bukele`, `"Abrego Garcia" Xinis`} {
		if _, err := Parse(q); err == nil {
			t.Errorf("Parse(%q) succeeded; the documentation says it is refused", q)
		}
	}
	d := Doc{Text: "Abrego Garcia was not returned", Docket: "Abrego Garcia v. Noem, 1:25-cv-00951"}
	if _, ok := MustParse(t, "case:8:25-cv-00951").Match(d); ok {
		t.Error("case:8:25-cv-00951 matched 1:25-cv-00951")
	}
	if _, ok := MustParse(t, "case:25-cv-951").Match(d); !ok {
		t.Error("case:25-cv-951 did not match 1:25-cv-00951")
	}
	if got := strings.Count(Syntax, "\n") + 1; got > 10 {
		t.Errorf("Syntax has %d lines, want at most 10", got)
	}
}
