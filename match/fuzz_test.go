package match

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fuzzQueries = []string{
	`"Abrego Garcia" OR Xinis`,
	`Abrego Garcia`,
	`(deport* OR removal) AND ICE -"El Salvador"`,
	`case:8:25-cv-00951 OR Xinis`,
	`Trump NOT (Melania OR "Barron Trump")`,
	`unbalanced (paren`,
	`NOT`,
	`"`,
	`a*`,
	`-`,
	`((((x))))`,
	`Ábrego  García’s`,
	"\xff\xfe",
	`case:`,
	`x AND AND y`,
	`"Joseph Mazzara~"`,
	`Mazzara~ OR (Xinnis~ -Bukele~)`,
	`"Abrego Garcia" Xinis -"El Salvador" ICE`,
	`deport*~`,
	`Noem~`,
	`~`,
	`Maz~zara`,
	`Гарсия~ “Mazarra”`,
	`party:"Abrego Garcia" judge:Xinis`,
	`judge:Xinnis~ OR attorney:Sandov* -party:Noem`,
	`party:`,
	`judge:Xinis Abrego`,
	`lawyer:"Ensign"`,
	`Update: party:“Ábrego-García” 12:30`,
}

func FuzzParse(f *testing.F) {
	for _, q := range fuzzQueries {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): error %T is not *Error", s, err)
			}
			n := utf8.RuneCountInString(s)
			if pe.Pos < 1 || pe.Pos > n+1 || pe.Msg == "" {
				t.Fatalf("Parse(%q): error %q has position %d outside 1..%d", s, err, pe.Pos, n+1)
			}
			if !strings.HasSuffix(err.Error(), " at "+itoa(pe.Pos)) {
				t.Fatalf("Parse(%q): error %q does not end with its position", s, err)
			}
			return
		}
		if q.String() != s {
			t.Fatalf("String() = %q, want %q", q.String(), s)
		}
		if len(q.atoms) == 0 || len(q.atoms) > MaxTerms {
			t.Fatalf("Parse(%q): %d terms", s, len(q.atoms))
		}
		if q.root.eval(0) {
			t.Fatalf("Parse(%q) accepted a query that matches an empty item", s)
		}
		// The canonical form reads back as itself (when it fits).
		c := q.Canonical()
		if utf8.RuneCountInString(c) <= MaxQueryChars {
			r, err := Parse(c)
			if err != nil {
				t.Fatalf("Parse(%q).Canonical() = %q, which does not parse: %v", s, c, err)
			}
			if r.Canonical() != c || len(r.atoms) != len(q.atoms) {
				t.Fatalf("Parse(%q).Canonical() = %q, which reads back as %q", s, c, r.Canonical())
			}
		}
	})
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

// FuzzMatch matches arbitrary text against a query: it must never panic,
// the fast matchers must agree with the reference, every term must point at
// its text, and snippets must stay within their budget.
func FuzzMatch(f *testing.F) {
	texts := []string{
		"Judge Xinis’s order on Ábrego-García, 8:25-cv-00951-PX",
		"ÁBREGO\nGARCÍA (Xinis) — “ICE” police",
		"A\u0301brego Garci\u0301a\xff\xfe 25cv951",
		"",
		"ﬁnal İstanbul ß ½ 東京",
		"Joseph Mazarra and Joseph Mazara met Xinnis, Bukelle",
		"Гарссия MAZZZARA Mázarra",
	}
	for i, q := range fuzzQueries {
		f.Add(q, texts[i%len(texts)], "8:25-cv-00951")
	}
	f.Fuzz(func(t *testing.T, query, text, number string) {
		if len(text) > 4096 || len(number) > 256 {
			// The reference folds rune by rune through x/text, about a
			// microsecond each: long inputs only slow the fuzzer down.
			t.Skip()
		}
		// The names: the text's lines, split three ways.
		d := Doc{Title: text, Text: strings.ToUpper(text) + " " + text, Docket: number, Numbers: []string{number}}
		for i, line := range strings.Split(text, "\n") {
			switch i % 3 {
			case 0:
				d.Parties = append(d.Parties, line)
			case 1:
				d.Judges = append(d.Judges, line)
			default:
				d.Attorneys = append(d.Attorneys, line)
			}
		}
		if got, want := Fold(text), foldByTokens(text); got != want {
			t.Fatalf("Fold(%q) = %q, but its words are %q", text, got, want)
		}
		checkHashes(t, text)
		q, err := Parse(query)
		if err != nil {
			return
		}
		terms, ok := q.Match(d)
		rterms, rok := simpleMatch(q, d)
		if ok != rok || !reflect.DeepEqual(terms, rterms) {
			t.Fatalf("Query.Match = %v %+v, reference %v %+v", ok, terms, rok, rterms)
		}
		ix := NewIndex()
		ix.Set("q", q)
		hits := ix.Match(d)
		if (len(hits) == 1) != ok || ok && !reflect.DeepEqual(hits[0].Terms, terms) {
			t.Fatalf("Index.Match = %+v, Query.Match %v %+v", hits, ok, terms)
		}
		checkOffsets(t, d, terms)
		for _, s := range q.Suggest(d) {
			if !strings.Contains(d.Title+d.Text+d.Docket, s) || ok {
				t.Fatalf("Suggest = %q: not in the item, or the item matched already (%v)", s, ok)
			}
		}
		for _, term := range terms {
			for _, limit := range []int{1, 10, 40, 200} {
				s := Snippet(d.Text, term, limit)
				if len(s) > limit {
					t.Fatalf("Snippet(%d) = %q: %d bytes", limit, s, len(s))
				}
				if utf8.ValidString(d.Text) && !utf8.ValidString(s) {
					t.Fatalf("Snippet(%d) = %q: cut inside a rune", limit, s)
				}
			}
		}
	})
}

// TestParseGolden parses every query in testdata/queries.txt and compares
// the parsed form or error with testdata/queries.golden (-update rewrites it).
func TestParseGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "queries.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(in), "\n"), "\n") {
		out.WriteString(line + "\n\t=> ")
		q, err := Parse(line)
		if err != nil {
			out.WriteString("error: " + err.Error() + "\n")
			continue
		}
		out.WriteString(treeString(q, q.root) + "\n")
	}
	golden := filepath.Join("testdata", "queries.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("parse results differ from %s (run go test -run TestParseGolden -update and review the diff):\n%s", golden, out.String())
	}
}

// foldByTokens is Fold by way of the tokenizer: the words joined by spaces.
func foldByTokens(s string) string {
	var tk tokenizer
	tk.run(s, 0)
	ws := make([]string, len(tk.words))
	for i := range tk.words {
		ws[i] = string(tk.text(&tk.words[i]))
	}
	return strings.Join(ws, " ")
}

func TestFoldAgreesWithTokens(t *testing.T) {
	g := newGen(genConfig{seed: 11, vocab: 300, names: 20, titleWords: 5, textWords: 40, typo: 0.5, accents: 0.5, nasty: 1})
	for range 2000 {
		d := g.item(nil)
		for _, s := range []string{d.Title, d.Text, " " + d.Text + " — "} {
			if got, want := Fold(s), foldByTokens(s); got != want {
				t.Fatalf("Fold(%q) = %q, but its words are %q", s, got, want)
			}
			checkHashes(t, s)
		}
	}
}

// checkHashes checks that the tokenizer hashes each word as hashString does
// (the index finds words by these hashes).
func checkHashes(t *testing.T, s string) {
	t.Helper()
	var tk tokenizer
	tk.run(s, 0)
	tk.run(s, 1) // a second run into the same buffers
	for i := range tk.words {
		w := &tk.words[i]
		if want := hashString(string(tk.text(w))); w.h != want {
			t.Fatalf("word %q of %q: hash %x, want %x", tk.text(w), s, w.h, want)
		}
	}
}
