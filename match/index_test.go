package match

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// randomQuery builds a query of random shape from g's words.
func (g *gen) randomQuery(depth int) string {
	if depth == 0 || g.rng.IntN(3) == 0 {
		if g.cfg.fields > 0 && g.rng.IntN(8) == 0 {
			return g.fieldTerm()
		}
		switch r := g.rng.IntN(10); {
		case r < 4:
			return g.variant(g.vocabWord())
		case r < 6:
			return `"` + g.vocabWord() + " " + g.vocabWord() + `"`
		case r < 7:
			return g.pick(g.first) + " " + g.pick(g.last)
		case r < 8:
			w := g.vocabWord() + g.vocabWord()
			if len(w) < 3 {
				w += "abc"
			}
			return w[:3+g.rng.IntN(len(w)-2)] + "*"
		case r < 9:
			o, y, t, s := g.docket()
			return fmt.Sprintf("case:%s:%s-%s-%d", o, y, t, s)
		default:
			return g.vocabWord() + " " + g.vocabWord() + " " + g.vocabWord()
		}
	}
	a, b := g.randomQuery(depth-1), g.randomQuery(depth-1)
	switch g.rng.IntN(5) {
	case 0:
		return "(" + a + ") OR (" + b + ")"
	case 1:
		return "(" + a + ") AND (" + b + ")"
	case 2:
		return "(" + a + ") NOT (" + b + ")"
	case 3:
		return "(" + a + ") -(" + b + ")"
	default:
		return a + " OR " + b
	}
}

// TestIndexAgreesWithReference is the property test: on generated items
// and queries, the index, Query.Match and the reference matcher (slow
// per-rune folding, every atom tried at every word) agree exactly on which
// queries match and on every reported term.
func TestIndexAgreesWithReference(t *testing.T) {
	nItems := 2500
	if testing.Short() || os.Getenv("WIREWATCH_SLOW_TESTS") == "" {
		nItems = 500 // the full run is opt-in: about 35 s under -race
	}
	g := newGen(genConfig{seed: 7, vocab: 250, names: 12, titleWords: 6, textWords: 30,
		typo: 0.5, accents: 0.3, plant: 0.6, dockets: 0.2, nasty: 0.3, fuzzy: 0.3, fields: 0.3})
	var qs []*Query
	for len(qs) < 400 {
		var src string
		if len(qs)%2 == 0 {
			src = g.query()
		} else {
			src = g.randomQuery(3)
		}
		q, err := Parse(src)
		if err != nil {
			continue // e.g. a random NOT that leaves nothing required
		}
		if len(qs)%7 == 3 {
			// Aliases: a name or a phrase, OR-ed with the query.
			if q, err = q.WithAliases(g.pick(g.first)+" "+g.pick(g.last), g.vocabWord()); err != nil {
				t.Fatal(err)
			}
		}
		qs = append(qs, q)
	}
	// Plant docket numbers of the case: queries in the docket field and
	// in Doc.Numbers too.
	var cases []*Query
	for _, q := range qs {
		for _, a := range q.atoms {
			if a.dk != nil {
				cases = append(cases, q)
			}
		}
	}
	ix := NewIndex()
	for i, q := range qs {
		ix.Set(fmt.Sprintf("w%03d", i), q)
	}
	// The same watches loaded at once (SetMany into an empty index files
	// them from shared chunks), then some of them removed and set again,
	// which copies the chunks' leaves into the next versions.
	bulk := NewIndex()
	all := map[string]*Query{}
	for i, q := range qs {
		all[fmt.Sprintf("w%03d", i)] = q
	}
	bulk.SetMany(all)
	for i := 0; i < len(qs); i += 3 {
		id := fmt.Sprintf("w%03d", i)
		bulk.Remove(id)
		if i%2 == 0 {
			bulk.Set(id, qs[i])
		}
	}
	for i := 3; i < len(qs); i += 6 {
		bulk.Set(fmt.Sprintf("w%03d", i), qs[i])
	}
	var matched, termsSeen, pairs, variantTerms, nameTerms int
	for n := range nItems {
		d := g.item(qs)
		if n%5 == 0 && len(cases) > 0 {
			q := cases[g.rng.IntN(len(cases))]
			for _, a := range q.atoms {
				if a.dk != nil {
					if g.rng.IntN(2) == 0 {
						d.Docket = "Case " + g.render(&a) + " " + g.vocabWord()
					}
					d.Numbers = append(d.Numbers, a.dk.String())
				}
			}
		}
		rd := refPrepare(d)
		var want []Hit
		for i, q := range qs {
			if terms, ok := refMatch(q, rd); ok {
				want = append(want, Hit{ID: fmt.Sprintf("w%03d", i), Terms: terms})
			}
			if n%20 == 0 {
				terms, ok := q.Match(d)
				rterms, rok := refMatch(q, rd)
				if ok != rok || !reflect.DeepEqual(terms, rterms) {
					t.Fatalf("item %d query %q: Query.Match = %v %+v, reference %v %+v\ndoc %+v", n, q, ok, terms, rok, rterms, d)
				}
				pairs++
			}
		}
		got := ix.Match(d)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("item %d: index and reference disagree\n got %+v\nwant %+v\ndoc %+v", n, got, want, d)
		}
		if b := bulk.Match(d); !reflect.DeepEqual(b, got) {
			t.Fatalf("item %d: the index loaded by SetMany disagrees\n got %+v\nwant %+v\ndoc %+v", n, b, got, d)
		}
		matched += len(got)
		for _, h := range got {
			termsSeen += len(h.Terms)
			checkOffsets(t, d, h.Terms)
			q := qs[atoiID(h.ID)]
			for _, term := range h.Terms {
				if hasFuzzy(q) && !exactTerm(q, term.Text) {
					variantTerms++
				}
				if term.Field == "party" || term.Field == "judge" || term.Field == "attorney" {
					nameTerms++
				}
			}
		}
	}
	t.Logf("%d items × %d queries: %d hits, %d terms (%d variants, %d in names); %d Query.Match pairs", nItems, len(qs), matched, termsSeen, variantTerms, nameTerms, pairs)
	if variantTerms < nItems/50 {
		t.Errorf("only %d variant terms in %d items: the generator no longer exercises \"~\"", variantTerms, nItems)
	}
	if nameTerms < nItems/20 {
		t.Errorf("only %d terms in names in %d items: the generator no longer exercises party:, judge:, attorney:", nameTerms, nItems)
	}
	if matched < nItems/2 {
		t.Errorf("only %d hits in %d items: the generator no longer exercises the matcher", matched, nItems)
	}
}

func atoiID(id string) int {
	n := 0
	fmt.Sscanf(id, "w%d", &n)
	return n
}

func hasFuzzy(q *Query) bool {
	for _, a := range q.atoms {
		if slices.Contains(a.fuzzy, true) {
			return true
		}
	}
	return false
}

// exactTerm reports whether text, folded, is one of q's phrases word for
// word (so not a spelling variant).
func exactTerm(q *Query, text string) bool {
	f := Fold(text)
	for _, a := range q.atoms {
		if strings.Join(a.words, " ") == f {
			return true
		}
	}
	return false
}

func TestIndexSetReplaceRemove(t *testing.T) {
	ix := NewIndex()
	d := Doc{Title: "Judge Xinis orders return of Abrego Garcia"}
	if hits := ix.Match(d); hits != nil {
		t.Fatalf("empty index: got %v, want nothing", hits)
	}
	ix.Set("b", MustParse(t, "Xinis"))
	ix.Set("a", MustParse(t, `"Abrego Garcia"`))
	ix.Set("c", MustParse(t, "Bukele"))
	got := ids(ix.Match(d))
	if got != "a,b" {
		t.Fatalf("got %s, want a,b", got)
	}
	ix.Set("c", MustParse(t, "orders"))
	if got := ids(ix.Match(d)); got != "a,b,c" {
		t.Fatalf("after replacing c: got %s, want a,b,c", got)
	}
	ix.Set("b", MustParse(t, "Bukele"))
	if got := ids(ix.Match(d)); got != "a,c" {
		t.Fatalf("after replacing b: got %s, want a,c", got)
	}
	ix.Remove("a")
	ix.Remove("nope")
	if got := ids(ix.Match(d)); got != "c" {
		t.Fatalf("after removing a: got %s, want c", got)
	}
	if ix.Len() != 2 {
		t.Errorf("Len = %d, want 2", ix.Len())
	}
	ix.Set("c", nil)
	if got := ids(ix.Match(d)); got != "" || ix.Len() != 1 {
		t.Fatalf("after Set(c, nil): got %q and Len %d, want nothing and 1", got, ix.Len())
	}
	ix.Set("z", &Query{})
	if got := ids(ix.Match(d)); got != "" || ix.Len() != 1 {
		t.Fatalf("after Set(z, &Query{}): got %q and Len %d, want nothing and 1", got, ix.Len())
	}
	if _, ok := (&Query{}).Match(d); ok {
		t.Error("a zero Query matched")
	}
}

func TestIndexSharedAnchors(t *testing.T) {
	// Many queries filed under the same word, some removed again.
	ix := NewIndex()
	for i := range 50 {
		ix.Set(fmt.Sprintf("q%02d", i), MustParse(t, fmt.Sprintf(`"garcia w%d" OR garcia`, i)))
	}
	for i := 0; i < 50; i += 2 {
		ix.Remove(fmt.Sprintf("q%02d", i))
	}
	hits := ix.Match(Doc{Text: "Garcia w3"})
	if len(hits) != 25 {
		t.Fatalf("got %d hits, want 25", len(hits))
	}
	for _, h := range hits {
		want := 1
		if h.ID == "q03" {
			want = 2 // "garcia w3" and "garcia"
		}
		if len(h.Terms) != want {
			t.Errorf("%s: terms %+v, want %d", h.ID, h.Terms, want)
		}
	}
}

func ids(hits []Hit) string {
	var s []string
	for _, h := range hits {
		s = append(s, h.ID)
	}
	return strings.Join(s, ",")
}

// TestIndexConcurrentUpdates changes watches while other goroutines match:
// a watch present throughout must match every item, and a watch must match
// every item matched after its Set returned (run with -race).
func TestIndexConcurrentUpdates(t *testing.T) {
	g := newGen(genConfig{seed: 3, vocab: 2000, names: 200, titleWords: 8, textWords: 80, typo: 0.3, plant: 0.05})
	ix := NewIndex()
	for i := range 2000 {
		ix.Set(fmt.Sprintf("g%04d", i), MustParse(t, g.query()))
	}
	ix.Set("always", MustParse(t, "sentinel"))
	var docs []Doc
	for range 200 {
		d := g.item(nil)
		d.Text += " sentinel"
		docs = append(docs, d)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var missed, matches atomic.Int64
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; !stop.Load(); i++ {
				hits := ix.Match(docs[i%len(docs)])
				ok := false
				for _, h := range hits {
					ok = ok || h.ID == "always"
				}
				if !ok {
					missed.Add(1)
				}
				matches.Add(1)
			}
		}()
	}
	for i := range 300 {
		id := fmt.Sprintf("new%03d", i)
		word := fmt.Sprintf("fresh%d", i)
		ix.Set(id, MustParse(t, word))
		d := Doc{Text: "a " + word + " item"}
		if got := ids(ix.Match(d)); got != id {
			t.Fatalf("right after Set(%s): got %q", id, got)
		}
		ix.Set(fmt.Sprintf("g%04d", i), MustParse(t, g.query())) // replace
		ix.Remove(id)
		if got := ids(ix.Match(d)); got != "" {
			t.Fatalf("right after Remove(%s): got %q", id, got)
		}
	}
	stop.Store(true)
	wg.Wait()
	if missed.Load() != 0 {
		t.Errorf("%d of %d concurrent matches missed the watch that never changed", missed.Load(), matches.Load())
	}
}

func TestIndexSetMany(t *testing.T) {
	ix := NewIndex()
	ix.Set("old", MustParse(t, "Bukele"))
	ix.SetMany(map[string]*Query{
		"a":    MustParse(t, "Xinis"),
		"b":    MustParse(t, `"Abrego Garcia"`),
		"old":  MustParse(t, "orders"),
		"gone": nil,
	})
	d := Doc{Title: "Judge Xinis orders return of Abrego Garcia; Bukele"}
	if got := ids(ix.Match(d)); got != "a,b,old" {
		t.Fatalf("got %s, want a,b,old", got)
	}
	if ix.Len() != 3 {
		t.Errorf("Len = %d, want 3", ix.Len())
	}
}

func TestIndexLongPhraseAndBigDoc(t *testing.T) {
	// A phrase of 230 words whose longest word, the anchor, comes last,
	// 229 words after the second longest.
	words := "bb " + strings.Repeat("a ", 228) + "anchorword"
	q := MustParse(t, words)
	ix := NewIndex()
	ix.Set("long", q)
	d := Doc{Text: "x " + strings.ToUpper(words) + " y"}
	if got := ids(ix.Match(d)); got != "long" {
		t.Fatalf("long phrase: got %q, want long", got)
	}
	if _, ok := q.Match(d); !ok {
		t.Fatal("long phrase: Query.Match found nothing")
	}
	// Text past MaxFieldBytes is not searched; before it, it is.
	ix.Set("x", MustParse(t, "needle"))
	big := strings.Repeat("hay ", MaxFieldBytes/4)
	if got := ids(ix.Match(Doc{Text: "needle " + big})); got != "x" {
		t.Errorf("needle at the start of a big text: got %q, want x", got)
	}
	if got := ids(ix.Match(Doc{Text: big + " needle"})); got != "" {
		t.Errorf("needle past MaxFieldBytes: got %q, want nothing", got)
	}
}

func TestIndexFilterRebuild(t *testing.T) {
	// Enough replacements to rebuild the filter several times; every
	// watch must still match afterwards and dropped ones must not.
	ix := NewIndex()
	first := ix.cur.Load().filter
	for round := range 12 {
		for i := range 8000 {
			ix.Set(fmt.Sprintf("w%d", i), MustParse(t, fmt.Sprintf("word%dr%d", i, round)))
		}
	}
	if ix.cur.Load().filter == first {
		t.Fatalf("filter never rebuilt after 96,000 adds for %d keys", ix.keys)
	}
	for _, i := range []int{0, 4321, 7999} {
		if got, want := ids(ix.Match(Doc{Text: fmt.Sprintf("a word%dr11 b", i)})), fmt.Sprintf("w%d", i); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		if got := ids(ix.Match(Doc{Text: fmt.Sprintf("a word%dr10 b", i)})); got != "" {
			t.Errorf("replaced query still matches: %q", got)
		}
	}
}

// TestIndexManyPlaces matches texts where terms occur thousands of times:
// both matchers stop collecting an atom's places once it has MaxHitTerms of
// them, and must still report exactly the reference's first terms.
func TestIndexManyPlaces(t *testing.T) {
	qs := map[string]string{
		"p":   "aaa* OR (bbb AND NOT zzz)",
		"ph":  `"aaaa bbb" OR ccc`,
		"c":   "case:8:25-cv-00951 OR ddd",
		"few": "eee",
	}
	ix := NewIndex()
	parsed := map[string]*Query{}
	for id, s := range qs {
		parsed[id] = MustParse(t, s)
		ix.Set(id, parsed[id])
	}
	d := Doc{
		Title:   strings.Repeat("aaaa bbb ", 3000) + "eee",
		Text:    strings.Repeat("ccc 8:25-cv-00951 ", 2000),
		Docket:  strings.Repeat("25cv951 ddd ", 500),
		Numbers: []string{"8:25-cv-00951"},
	}
	got := ix.Match(d)
	rd := refPrepare(d)
	var want []Hit
	for _, id := range []string{"c", "few", "p", "ph"} {
		if terms, ok := refMatch(parsed[id], rd); ok {
			want = append(want, Hit{ID: id, Terms: terms})
		}
		terms, _ := parsed[id].Match(d)
		rterms, _ := refMatch(parsed[id], rd)
		if !reflect.DeepEqual(terms, rterms) {
			t.Errorf("%s: Query.Match terms differ from the reference", id)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("index and reference disagree:\n got %+v\nwant %+v", got, want)
	}
	for _, h := range got {
		if len(h.Terms) > MaxHitTerms {
			t.Errorf("%s: %d terms, more than %d", h.ID, len(h.Terms), MaxHitTerms)
		}
	}
}
