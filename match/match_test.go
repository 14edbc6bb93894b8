package match

import (
	"strings"
	"testing"
)

// MustParse parses q or fails the test.
func MustParse(tb testing.TB, q string) *Query {
	tb.Helper()
	p, err := Parse(q)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", q, err)
	}
	return p
}

func TestMatchRules(t *testing.T) {
	tests := []struct {
		name  string
		query string
		doc   Doc
		want  bool
		terms []string // Term.Text of the terms, in order; nil: don't check
	}{
		// Phrases.
		{"phrase adjacent", "Abrego Garcia", Doc{Text: "Kilmar Abrego Garcia was deported"}, true, []string{"Abrego Garcia"}},
		{"phrase quoted", `"Abrego Garcia"`, Doc{Text: "Kilmar Abrego Garcia was deported"}, true, []string{"Abrego Garcia"}},
		{"phrase out of order", "Abrego Garcia", Doc{Text: "Garcia Abrego"}, false, nil},
		{"phrase not adjacent", "Abrego Garcia", Doc{Text: "Abrego and Garcia"}, false, nil},
		{"phrase across fields", "Abrego Garcia", Doc{Title: "Abrego", Text: "Garcia"}, false, nil},
		// Case and accents.
		{"upper accents", "Abrego Garcia", Doc{Text: "ÁBREGO GARCÍA"}, true, []string{"ÁBREGO GARCÍA"}},
		{"accents", "Abrego Garcia", Doc{Text: "Ábrego García"}, true, []string{"Ábrego García"}},
		{"lower", "Abrego Garcia", Doc{Text: "abrego garcia"}, true, []string{"abrego garcia"}},
		{"decomposed accents", "Abrego Garcia", Doc{Text: "A\u0301brego Garci\u0301a"}, true, []string{"A\u0301brego Garci\u0301a"}},
		{"accented query", "Ábrego García", Doc{Text: "abrego garcia"}, true, nil},
		// Whole words.
		{"possessive", "Xinis", Doc{Text: "Judge Xinis's order"}, true, []string{"Xinis"}},
		{"curly possessive", "Xinis", Doc{Text: "Judge Xinis’ order"}, true, []string{"Xinis"}},
		{"parenthesised", "Xinis", Doc{Text: "the judge (Xinis) said"}, true, []string{"Xinis"}},
		{"longer word", "Xinis", Doc{Text: "Xinisfoo"}, false, nil},
		{"ICE not police", "ICE", Doc{Text: "the police said"}, false, nil},
		{"ICE", "ICE", Doc{Text: "ICE agents"}, true, []string{"ICE"}},
		{"word inside non-ascii word", "ICE", Doc{Text: "poliçe"}, false, nil},
		// Separators.
		{"hyphen", "Abrego Garcia", Doc{Text: "Abrego-Garcia"}, true, []string{"Abrego-Garcia"}},
		{"line break", "Abrego Garcia", Doc{Text: "Abrego\nGarcia"}, true, []string{"Abrego\nGarcia"}},
		{"spaces", "Abrego Garcia", Doc{Text: "Abrego  \t Garcia"}, true, nil},
		{"em dash", "Abrego Garcia", Doc{Text: "Abrego—Garcia"}, true, nil},
		{"nbsp", "Abrego Garcia", Doc{Text: "Abrego\u00a0Garcia"}, true, nil},
		{"hyphen in query", "Abrego-Garcia", Doc{Text: "Abrego Garcia"}, true, nil},
		{"apostrophe in query", "O'Brien", Doc{Text: "O’Brien"}, true, []string{"O’Brien"}},
		{"curly quotes text", `"Abrego Garcia"`, Doc{Text: "“Abrego Garcia”"}, true, []string{"Abrego Garcia"}},
		{"curly quotes query", "“Abrego Garcia”", Doc{Text: "Abrego Garcia"}, true, nil},
		// Boolean.
		{"or left", `"Abrego Garcia" OR Xinis`, Doc{Text: "Abrego Garcia"}, true, []string{"Abrego Garcia"}},
		{"or right", `"Abrego Garcia" OR Xinis`, Doc{Title: "Xinis rules"}, true, []string{"Xinis"}},
		{"or both", `"Abrego Garcia" OR Xinis`, Doc{Title: "Xinis", Text: "Abrego Garcia"}, true, []string{"Xinis", "Abrego Garcia"}},
		{"or none", `"Abrego Garcia" OR Xinis`, Doc{Text: "Garcia"}, false, nil},
		{"and across fields", "Abrego AND Xinis", Doc{Title: "Abrego", Text: "Xinis"}, true, []string{"Abrego", "Xinis"}},
		{"and missing", "Abrego AND Xinis", Doc{Title: "Abrego"}, false, nil},
		{"not excludes", "Abrego NOT Bukele", Doc{Text: "Abrego met Bukele"}, false, nil},
		{"not allows", "Abrego NOT Bukele", Doc{Text: "Abrego met"}, true, []string{"Abrego"}},
		{"minus word", "Abrego -Bukele", Doc{Text: "Abrego, Bukele"}, false, nil},
		{"minus phrase", `Abrego -"El Salvador"`, Doc{Text: "Abrego in El Salvador"}, false, nil},
		{"minus phrase allows", `Abrego -"El Salvador"`, Doc{Text: "Abrego in Salvador"}, true, nil},
		{"and binds tighter", "a1 OR b1 AND c1", Doc{Text: "a1"}, true, nil},
		{"and binds tighter 2", "a1 OR b1 AND c1", Doc{Text: "b1"}, false, nil},
		{"parens", "(a1 OR b1) AND c1", Doc{Text: "a1"}, false, nil},
		{"parens 2", "(a1 OR b1) AND c1", Doc{Text: "b1 c1"}, true, []string{"b1", "c1"}},
		{"lower or is a word", "cats or dogs", Doc{Text: "cats or dogs"}, true, nil},
		{"lower or is a word 2", "cats or dogs", Doc{Text: "cats dogs"}, false, nil},
		{"quoted OR", `"OR"`, Doc{Text: "Portland, OR"}, true, []string{"OR"}},
		{"double not", "NOT NOT Xinis", Doc{Text: "Xinis"}, true, []string{"Xinis"}},
		// Prefix.
		{"prefix", "negotiat*", Doc{Text: "Negotiations stalled"}, true, []string{"Negotiations"}},
		{"prefix exact", "negotiat*", Doc{Text: "they negotiat"}, true, nil},
		{"prefix not inside", "negotiat*", Doc{Text: "renegotiated"}, false, nil},
		{"prefix in phrase", "judge xin*", Doc{Text: "Judge Xinis"}, true, []string{"Judge Xinis"}},
		{"prefix accented", "garc*", Doc{Text: "GARCÍA"}, true, nil},
		// Docket numbers.
		{"case full", "case:8:25-cv-00951", Doc{Text: "In 8:25-cv-00951 the court"}, true, []string{"8:25-cv-00951"}},
		{"case suffix", "case:8:25-cv-00951", Doc{Text: "No. 8:25-cv-00951-PX."}, true, []string{"8:25-cv-00951"}},
		{"case short", "case:8:25-cv-00951", Doc{Text: "case 25-cv-951"}, true, []string{"25-cv-951"}},
		{"case compact", "case:8:25-cv-00951", Doc{Text: "8:25cv951"}, true, []string{"8:25cv951"}},
		{"case no office", "case:8:25-cv-00951", Doc{Text: "(25-cv-00951)"}, true, []string{"25-cv-00951"}},
		{"case en dash", "case:8:25-cv-00951", Doc{Text: "25–cv–00951"}, true, nil},
		{"case upper", "case:8:25-cv-00951", Doc{Text: "8:25-CV-00951"}, true, nil},
		{"case other office", "case:8:25-cv-00951", Doc{Text: "1:25-cv-00951"}, false, nil},
		{"case other number", "case:8:25-cv-00951", Doc{Text: "8:25-cv-00952"}, false, nil},
		{"case other type", "case:8:25-cv-00951", Doc{Text: "8:25-cr-00951"}, false, nil},
		{"case longer number", "case:8:25-cv-00951", Doc{Text: "8:25-cv-009512"}, false, nil},
		{"case glued", "case:8:25-cv-00951", Doc{Text: "x8:25-cv-00951"}, false, nil},
		{"case query short", "case:25-cv-951", Doc{Text: "1:25-cv-00951"}, true, nil},
		{"case numbers", "case:8:25-cv-00951", Doc{Title: "Order", Numbers: []string{"8:25-cv-00951"}}, true, []string{"8:25-cv-00951"}},
		{"case numbers other", "case:8:25-cv-00951", Doc{Numbers: []string{"8:25-cv-00952"}}, false, nil},
		{"case docket field", "case:8:25-cv-00951", Doc{Docket: "Abrego Garcia v. Noem, 8:25-cv-00951", Numbers: []string{"8:25-cv-00951"}}, true, []string{"8:25-cv-00951"}},
		{"case bankruptcy", "case:18-22414", Doc{Text: "18-22414-rdd Primrose"}, true, []string{"18-22414"}},
		{"case or name", `case:8:25-cv-00951 OR "Abrego Garcia"`, Doc{Text: "Abrego Garcia"}, true, nil},
		// Spelling variants.
		{"variant exact", "Mazzara~", Doc{Text: "Joseph Mazzara said"}, true, []string{"Mazzara"}},
		{"variant doubled moved", "Mazzara~", Doc{Text: "Joseph Mazarra said"}, true, []string{"Mazarra"}},
		{"variant undoubled", "Mazzara~", Doc{Text: "MAZARA"}, true, []string{"MAZARA"}},
		{"variant tripled", "Mazzara~", Doc{Text: "Mazzzaraa"}, true, nil},
		{"variant accents", "Mazzara~", Doc{Text: "Mázárra"}, true, []string{"Mázárra"}},
		{"variant accented query", "Ábrego~", Doc{Text: "Abreggo"}, true, nil},
		{"variant doubled in query", "Xinnis~", Doc{Text: "Xinis"}, true, nil},
		{"variant insertion", "Xinis~", Doc{Text: "Xiniss and Xinias"}, true, []string{"Xiniss", "Xinias"}},
		{"variant deletion", "Bukele~", Doc{Text: "Bukle"}, true, nil},
		{"variant substitution", "Cerna~", Doc{Text: "Serna"}, true, []string{"Serna"}},
		{"variant substitution end", "Bukele~", Doc{Text: "Bukelo"}, true, nil},
		{"variant swap", "Bukele~", Doc{Text: "Bukeel"}, true, nil},
		{"variant swap first", "Mazzara~", Doc{Text: "Amzzara"}, true, nil},
		{"variant two edits", "Mazzara~", Doc{Text: "Lazzaro"}, false, nil},
		{"variant two substitutions", "Bukele~", Doc{Text: "Bokelo"}, false, nil},
		{"variant swap and change", "Bukele~", Doc{Text: "Bueklo"}, false, nil},
		{"variant two letters longer", "Xinis~", Doc{Text: "Xinisab"}, false, nil},
		{"variant whole words", "Xinis~", Doc{Text: "Xinisfoo"}, false, nil},
		{"variant not a prefix", "Mazzara~", Doc{Text: "Mazzaras"}, true, nil},
		{"variant two letters dropped", "Mazzara~", Doc{Text: "Mazr"}, false, nil},
		{"no variant without ~", "Mazzara", Doc{Text: "Mazarra"}, false, nil},
		{"variant in phrase", `"Joseph Mazzara~"`, Doc{Text: "Joseph Mazarra, the official"}, true, []string{"Joseph Mazarra"}},
		{"variant in phrase other word exact", `"Joseph Mazzara~"`, Doc{Text: "Josef Mazarra"}, false, nil},
		{"variant in phrase order", `"Joseph Mazzara~"`, Doc{Text: "Mazarra Joseph"}, false, nil},
		{"variant first of phrase", `"Mazzara~ testified"`, Doc{Text: "Mazara testified"}, true, nil},
		{"variant two in phrase", `"Kilmar~ Abrego~"`, Doc{Text: "Kilmer Abrigo"}, true, nil},
		{"variant quoted AND", `"Joseph Mazzara~" ICE`, Doc{Text: "ICE and Joseph Mazarra"}, true, []string{"ICE", "Joseph Mazarra"}},
		{"variant non-ASCII", "Гарсия~", Doc{Text: "Гарссия"}, true, nil},
		{"variant longest word", strings.Repeat("ab", 16) + "~", Doc{Text: strings.Repeat("ab", 16) + "c"}, true, nil},
		{"variant huge text word", "Mazzara~", Doc{Text: strings.Repeat("mazara", 100000)}, false, nil},
		{"variant huge collapsing word", "Mazzara~", Doc{Text: "ma" + strings.Repeat("z", 100000) + "ara"}, true, nil},
		{"variant non-ASCII swap", "Гарсия~", Doc{Text: "Гасрия"}, true, nil},
		// Fields.
		{"docket field", "Xinis", Doc{Docket: "Judge Paula Xinis"}, true, []string{"Xinis"}},
		{"empty doc", "Xinis", Doc{}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := MustParse(t, tt.query)
			terms, ok := q.Match(tt.doc)
			if ok != tt.want {
				t.Fatalf("Match(%q, %+v) = %v, want %v", tt.query, tt.doc, ok, tt.want)
			}
			if !ok && terms != nil {
				t.Errorf("no match but terms %v", terms)
			}
			if tt.terms != nil {
				var got []string
				for _, term := range terms {
					got = append(got, term.Text)
				}
				if strings.Join(got, "|") != strings.Join(tt.terms, "|") {
					t.Errorf("terms = %q, want %q", got, tt.terms)
				}
			}
			checkOffsets(t, tt.doc, terms)
			// The index must agree with the single query.
			ix := NewIndex()
			ix.Set("w", q)
			hits := ix.Match(tt.doc)
			if (len(hits) == 1) != tt.want {
				t.Fatalf("Index.Match = %v, want match %v", hits, tt.want)
			}
		})
	}
}

// checkOffsets checks that every term's offsets point at its text.
func checkOffsets(t *testing.T, d Doc, terms []Term) {
	t.Helper()
	for _, term := range terms {
		var f string
		switch term.Field {
		case "title":
			f = d.Title
		case "text":
			f = d.Text
		case "docket":
			f = d.Docket
			if term.Start == 0 && term.End == 0 {
				continue // from Doc.Numbers
			}
		case "party", "judge", "attorney":
			// In one of the names: some name of the list holds it there.
			names := map[string][]string{"party": d.Parties, "judge": d.Judges, "attorney": d.Attorneys}[term.Field]
			for _, n := range names {
				if term.End <= len(n) && n[term.Start:term.End] == term.Text {
					f = n
				}
			}
		default:
			t.Fatalf("term %+v: unknown field", term)
		}
		if term.Start < 0 || term.End > len(f) || term.Start > term.End || f[term.Start:term.End] != term.Text {
			t.Errorf("term %+v does not point at its text in %q", term, f)
		}
	}
}

func TestMatchTermsEveryPlace(t *testing.T) {
	q := MustParse(t, "Xinis OR (Abrego NOT Bukele)")
	d := Doc{Title: "Xinis orders return", Text: "Judge Xinis said Abrego... Xinis’s order"}
	terms, ok := q.Match(d)
	if !ok {
		t.Fatal("no match")
	}
	want := []Term{
		{Text: "Xinis", Field: "title", Start: 0, End: 5},
		{Text: "Xinis", Field: "text", Start: 6, End: 11},
		{Text: "Abrego", Field: "text", Start: 17, End: 23},
		{Text: "Xinis", Field: "text", Start: 27, End: 32},
	}
	if len(terms) != len(want) {
		t.Fatalf("terms = %+v, want %+v", terms, want)
	}
	for i := range want {
		if terms[i] != want[i] {
			t.Errorf("term %d = %+v, want %+v", i, terms[i], want[i])
		}
	}
}

func TestMatchNegatedTermsNotReported(t *testing.T) {
	q := MustParse(t, "Abrego AND NOT (Bukele AND Trump)")
	terms, ok := q.Match(Doc{Text: "Abrego and Bukele"})
	if !ok {
		t.Fatal("no match")
	}
	if len(terms) != 1 || terms[0].Text != "Abrego" {
		t.Errorf("terms = %+v, want only Abrego", terms)
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ábrego-García’s", "abrego garcia s"},
		{"ÁBREGO GARCÍA", "abrego garcia"},
		{"  Abrego\n\tGarcia  ", "abrego garcia"},
		{"“quoted” — dash – en", "quoted dash en"},
		{"Straße", "straße"},
		{"ﬁnal Ａｂｃ", "final abc"},
		{"İstanbul", "istanbul"},
		{"Ελληνικά Κόσμος", "ελληνικα κοσμος"},
		{"Новости", "новости"},
		{"東京 news", "東京 news"},
		{"8:25-cv-00951", "8 25 cv 00951"},
		{"\xff\xfeabc", "abc"},
		{"", ""},
		{"—", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
