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
		{`(a1 OR b1) c1`, `missing AND or OR before "c1" at 12`},
		{`case:25-cv-951 Xinis`, `missing AND or OR before "Xinis" at 16`},
		{`Noem~`, `spelling variants ("~") need a word of at least 5 letters: shorter names have too many lookalikes (Noem, poem) at 5`},
		{`Judge Noem~`, `spelling variants ("~") need a word of at least 5 letters: shorter names have too many lookalikes (Noem, poem) at 11`},
		{`"Kristi Noem~"`, `spelling variants ("~") need a word of at least 5 letters: shorter names have too many lookalikes (Noem, poem) at 13`},
		{`deport*~`, `"~" does not go with a prefix: write deport* or a whole word with "~" at 8`},
		{`deport~*`, `"~" goes only at the end of a word at 7`},
		{`Maz~zara`, `"~" goes only at the end of a word at 4`},
		{`~`, `"~" must follow a word, as in Mazzara~ at 1`},
		{`Mazzara ~`, `"~" must follow a word, as in Mazzara~ at 9`},
		{`Mazzara-~`, `"~" must follow a word, as in Mazzara~ at 9`},
		{`Mazzara~~`, `"~" goes only at the end of a word at 8`},
		{strings.Repeat("m", 33) + "~", `spelling variants ("~") work on words of at most 32 letters at 34`},
		{`Aaaaa~ Bbbbb~ Ccccc~ Ddddd~ Eeeee~ Fffff~`, `a query has at most 5 words with "~" at 41`},
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
		{`party:`, `party: needs a word or a quoted phrase right after it, such as party:"Abrego Garcia" at 1`},
		{`Xinis AND judge: Xinis`, `judge: needs a word or a quoted phrase right after it, such as judge:Xinis at 11`},
		{`attorney:(Sandoval OR Ensign)`, `attorney: needs a word or a quoted phrase right after it, such as attorney:"Sandoval-Moshenberg" at 1`},
		{`party:&`, `party: needs a word or a quoted phrase right after it, such as party:"Abrego Garcia" at 1`},
		{`party:""`, `quotes with no word inside at 7`},
		{`Noem AND party:"Abrego`, `unbalanced "\"" at 16`},
		{`Xinis OR partie:Abrego`, `unknown field "partie:": the fields are party:, judge:, attorney: and case: (to search the word, put a space after the colon) at 10`},
		{`lawyer:"Ensign"`, `unknown field "lawyer:": the fields are party:, judge:, attorney: and case: (to search the word, put a space after the colon) at 1`},
		{`judge:Xinis Abrego`, `judge: takes one word or a quoted phrase: write judge:"Xinis Abrego", or AND or OR before "Abrego" at 13`},
		{`party:Noem~`, `spelling variants ("~") need a word of at least 5 letters: shorter names have too many lookalikes (Noem, poem) at 11`},
		{`-judge:Xinis`, `query matches items that contain none of its words; add a word that must appear at 1`},
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
		{`"Abrego Garcia" Xinis`, `("abrego garcia" AND "xinis")`},
		{`Xinis "Abrego Garcia"`, `("xinis" AND "abrego garcia")`},
		{`Judge Xinis "Abrego Garcia" ICE`, `("judge xinis" AND "abrego garcia" AND "ice")`},
		{`"Abrego Garcia" (Xinis OR Bukele)`, `("abrego garcia" AND ("xinis" OR "bukele"))`},
		{`"Abrego Garcia" Xinis OR Bukele`, `(("abrego garcia" AND "xinis") OR "bukele")`},
		{`Abrego -"El Salvador" Xinis`, `("abrego" AND NOT "el salvador" AND "xinis")`},
		{`"a1" "b1"`, `("a1" AND "b1")`},
		{`Mazzara~`, `"mazzara~"`},
		{`"Joseph Mazzara~"`, `"joseph mazzara~"`},
		{`Joseph Mazzara~ OR Xinis`, `("joseph mazzara~" OR "xinis")`},
		{`Ábrego~ García`, `"abrego~ garcia"`},
		{`Abrego-Garcia~`, `"abrego garcia~"`},
		{`Xinnis~`, `"xinnis~"`},
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
			if a.fuzzy[i] {
				ws[i] += "~"
			}
		}
		s := `"` + strings.Join(ws, " ") + `"`
		if a.field != anyField {
			s = nameFields[a.field] + ":" + s
		}
		return s
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
		`"Abrego Garcia" Xinis`, `"Joseph Mazzara~"`, `Mazzara~`,
		`party:"Abrego Garcia"`, `judge:Xinis`, `attorney:"Sandoval-Moshenberg"`, `party:"Abrego Garcia" judge:Xinis`,
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
	for _, q := range []string{`NOT Bukele`, `Xinis OR -Bukele`, `Abrego (Xinis)`, `Noem~`, `deport*~`, `party:`, `lawyer:Ensign`, `party:Abrego Garcia`} {
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
	for _, ex := range []struct{ query, text string }{
		{`"Joseph Mazzara~"`, "Joseph Mazarra"},
		{`Mazzara~`, "Mazara"},
		{`Bukele~`, "Bukelle"},
	} {
		if _, ok := MustParse(t, ex.query).Match(Doc{Text: ex.text}); !ok {
			t.Errorf("%s did not match %q", ex.query, ex.text)
		}
	}
	if got := strings.Count(Syntax, "\n") + 1; got > 12 {
		t.Errorf("Syntax has %d lines, want at most 12", got)
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ query, want string }{
		{`Abrego Garcia`, `"Abrego Garcia"`},
		{`"Abrego Garcia" Xinis`, `"Abrego Garcia" AND Xinis`},
		{`Xinis “Abrego  Garcia”`, `Xinis AND "Abrego Garcia"`},
		{`Abrego Garcia -Bukele`, `"Abrego Garcia" AND NOT Bukele`},
		{`Trump NOT Melania visit`, `Trump AND NOT "Melania visit"`},
		{`a1 OR b1 AND c1`, `a1 OR b1 AND c1`},
		{`(a1 OR b1) AND c1`, `(a1 OR b1) AND c1`},
		{`((a1))`, `a1`},
		{`Trump -(Melania OR Barron)`, `Trump AND NOT (Melania OR Barron)`},
		{`Trump -(Melania AND Barron)`, `Trump AND NOT (Melania AND Barron)`},
		{`NOT NOT Xinis`, `NOT NOT Xinis`},
		{`"AND" OR "or"`, `"AND" OR "or"`},
		{`Johnson & Johnson`, `"Johnson & Johnson"`},
		{`case:8:25-cv-00951-PX OR Xinis`, `case:8:25-cv-00951-PX OR Xinis`},
		{`"Joseph Mazzara~" deport*`, `"Joseph Mazzara~" AND deport*`},
		{"Abrego\nGarcia\tXinis", `"Abrego Garcia Xinis"`},
		{`Party:"Abrego  Garcia" Judge:Xinis~`, `party:"Abrego Garcia" AND judge:Xinis~`},
		{`Abrego attorney:Sandov* -party:"or"`, `Abrego AND attorney:Sandov* AND NOT party:"or"`},
		{`party:Abrego-Garcia OR judge:OR`, `party:Abrego-Garcia OR judge:OR`},
		{`Update: Xinis 12:30`, `"Update: Xinis 12:30"`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := MustParse(t, tt.query)
			got := q.Canonical()
			if got != tt.want {
				t.Errorf("Canonical() = %q, want %q", got, tt.want)
			}
			// The canonical form reads back as the same query.
			r := MustParse(t, got)
			if r.Canonical() != got || flatTree(r, r.root) != flatTree(q, q.root) {
				t.Errorf("Canonical() %q parses as %s, want %s", got, flatTree(r, r.root), flatTree(q, q.root))
			}
		})
	}
}

// flatTree is treeString with nested ANDs and ORs of the same kind merged,
// which mean the same.
func flatTree(q *Query, n *node) string {
	switch n.op {
	case opAtom:
		return treeString(q, n)
	case opNot:
		return "NOT " + flatTree(q, n.kids[0])
	}
	var parts []string
	var walk func(k *node)
	walk = func(k *node) {
		if k.op == n.op {
			for _, c := range k.kids {
				walk(c)
			}
			return
		}
		parts = append(parts, flatTree(q, k))
	}
	walk(n)
	op := " AND "
	if n.op == opOr {
		op = " OR "
	}
	return "(" + strings.Join(parts, op) + ")"
}

func TestWithAliases(t *testing.T) {
	q := MustParse(t, `"Joseph Mazzara" -Bukele`)
	qa, err := q.WithAliases("Mazarra", `Joe "Maz*zara~"`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := qa.Canonical(), `"Joseph Mazzara" AND NOT Bukele OR "Mazarra" OR "Joe Maz zara"`; got != want {
		t.Errorf("Canonical() = %q, want %q", got, want)
	}
	if qa.String() != q.String() {
		t.Errorf("String() = %q, want the query as written %q", qa.String(), q.String())
	}
	for _, tt := range []struct {
		text  string
		want  bool
		terms string
	}{
		{"Joseph Mazzara testified", true, "Joseph Mazzara"},
		{"Joseph MAZARRA testified", true, "MAZARRA"},
		{"Mazarra met Bukele", true, "Mazarra"}, // the alias is OR-ed with the whole query
		{"Joe Maz-zara", true, "Joe Maz-zara"},
		{"Mazara", false, ""}, // an alias is exact: no variants
		{"Joseph Mazzara met Bukele", false, ""},
	} {
		terms, ok := qa.Match(Doc{Text: tt.text})
		var got []string
		for _, term := range terms {
			got = append(got, term.Text)
		}
		if ok != tt.want || strings.Join(got, "|") != tt.terms {
			t.Errorf("Match(%q) = %v %q, want %v %q", tt.text, ok, got, tt.want, tt.terms)
		}
		ix := NewIndex()
		ix.Set("w", qa)
		if hits := ix.Match(Doc{Text: tt.text}); (len(hits) == 1) != tt.want {
			t.Errorf("Index.Match(%q) = %v, want %v", tt.text, hits, tt.want)
		}
	}
	if _, ok := q.Match(Doc{Text: "Mazarra"}); ok {
		t.Error("WithAliases changed the query it was called on")
	}
	many := make([]string, MaxAliases+1)
	for i := range many {
		many[i] = "alias"
	}
	for _, tt := range []struct {
		aliases []string
		want    string
	}{
		{[]string{"— ‘’"}, `alias "— ‘’" has no letters or digits`},
		{[]string{strings.Repeat("é", 101)}, `alias "éééééééééééééééééééé"… is longer than 100 characters`},
		{[]string{"ok", "\xff"}, `alias is not valid UTF-8`},
		{many, `a watch has at most 10 aliases`},
	} {
		if _, err := q.WithAliases(tt.aliases...); err == nil || err.Error() != tt.want {
			t.Errorf("WithAliases(%q) error = %v, want %q", tt.aliases, err, tt.want)
		}
	}
}
