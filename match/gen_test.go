package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// This file generates the seeded corpora of watches and items used by the
// property test and the benchmarks: synthetic words, person names (some
// written with accents), typographic punctuation, docket numbers, and
// queries planted in items in the forms reporters write them.

type genConfig struct {
	seed       uint64
	vocab      int     // content words
	names      int     // person names
	titleWords int     // words in a title
	textWords  int     // words in a text
	typo       float64 // share of items with typographic punctuation
	accents    float64 // share of planted names written with accents
	plant      float64 // share of items with 1–2 planted queries
	dockets    float64 // share of items mentioning some docket number
	nasty      float64 // share of items with odd runes (marks, ligatures, …)
	fuzzy      float64 // share of eligible query words written with "~"
	fields     float64 // share of queries with a party:, judge: or attorney: term, and of items with names
}

type gen struct {
	cfg   genConfig
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
	first []string
	last  []string
}

var syllables = strings.Fields("ka lo mer tan vi su ren dor pa li gro ste an el mi ra to ne bur cal fen jo wen qui zar ol ut ex ba de")

func newGen(cfg genConfig) *gen {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x5eed))}
	seen := map[string]bool{}
	word := func(min, max int) string {
		for {
			var b strings.Builder
			n := min + g.rng.IntN(max-min+1)
			for range n {
				b.WriteString(syllables[g.rng.IntN(len(syllables))])
			}
			if w := b.String(); !seen[w] {
				seen[w] = true
				return w
			}
		}
	}
	// A few short and real words, then synthetic ones.
	for _, w := range strings.Fields("the of and or in a to court judge order ice police not said") {
		seen[w] = true
		g.vocab = append(g.vocab, w)
	}
	for len(g.vocab) < cfg.vocab {
		g.vocab = append(g.vocab, word(1, 4))
	}
	g.zipf = rand.NewZipf(g.rng, 1.1, 4, uint64(len(g.vocab)-1))
	for range cfg.names {
		g.first = append(g.first, capitalize(word(2, 3)))
		g.last = append(g.last, capitalize(word(2, 4)))
	}
	return g
}

func capitalize(w string) string {
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

var accented = map[byte]string{'a': "á", 'e': "é", 'i': "í", 'o': "ó", 'u': "ú", 'n': "ñ", 'c': "ç", 'A': "Á", 'E': "É", 'O': "Ö"}

// accent writes some letters of w with accents, sometimes decomposed.
func (g *gen) accent(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if a, ok := accented[w[i]]; ok && g.rng.IntN(3) == 0 {
			if g.rng.IntN(4) == 0 {
				b.WriteByte(w[i])
				b.WriteString("\u0301")
			} else {
				b.WriteString(a)
			}
			continue
		}
		b.WriteByte(w[i])
	}
	return b.String()
}

func (g *gen) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// variant adds "~" to a query word of 5 letters or more, for a share
// cfg.fuzzy of them. With cfg.fuzzy 0 it draws no random numbers, so
// corpora without variants stay as they were.
func (g *gen) variant(w string) string {
	if g.cfg.fuzzy > 0 && len(w) >= MinVariant && g.rng.Float64() < g.cfg.fuzzy {
		return w + "~"
	}
	return w
}

// misspell writes w the way another outlet might: a letter doubled or
// undoubled, dropped, changed or swapped with its neighbour, sometimes
// twice (which is no longer a variant).
func (g *gen) misspell(w string) string {
	rs := []rune(w)
	for range 1 + g.rng.IntN(3)/2 {
		if len(rs) < 2 {
			break
		}
		i := g.rng.IntN(len(rs) - 1)
		switch g.rng.IntN(5) {
		case 0:
			rs = append(rs[:i+1], rs[i:]...) // double
		case 1:
			rs = append(rs[:i], rs[i+1:]...) // drop
		case 2:
			rs[i] = rune(syllables[g.rng.IntN(len(syllables))][0]) // change
		case 3:
			rs[i], rs[i+1] = rs[i+1], rs[i] // swap
		default:
			rs = append(rs[:i+1], append([]rune{rs[i+1], rs[i+1]}, rs[i+2:]...)...) // triple
		}
	}
	return string(rs)
}

func (g *gen) vocabWord() string { return g.vocab[g.zipf.Uint64()] }

// rareWord is a content word from the long tail.
func (g *gen) rareWord() string { return g.vocab[len(g.vocab)/8+g.rng.IntN(len(g.vocab)*7/8)] }

func (g *gen) docket() (office, year, typ string, seq int) {
	return fmt.Sprint(1 + g.rng.IntN(9)), fmt.Sprintf("%02d", 15+g.rng.IntN(11)), g.pick([]string{"cv", "cr", "mj", "bk"}), 1 + g.rng.IntN(1200)
}

// docketForm writes a docket number as a court or a reporter might.
func (g *gen) docketForm(office, year, typ string, seq int) string {
	switch g.rng.IntN(6) {
	case 0:
		return fmt.Sprintf("%s:%s-%s-%05d", office, year, typ, seq)
	case 1:
		return fmt.Sprintf("%s:%s-%s-%05d-%s", office, year, typ, seq, g.pick([]string{"PX", "PKC-CLP", "ABC"}))
	case 2:
		return fmt.Sprintf("%s-%s-%d", year, typ, seq)
	case 3:
		return fmt.Sprintf("%s:%s%s%d", office, year, typ, seq)
	case 4:
		return fmt.Sprintf("%s–%s–%05d", year, strings.ToUpper(typ), seq)
	default:
		return fmt.Sprintf("%s-%s-%05d", year, typ, seq)
	}
}

// fieldTerm is a party:, judge: or attorney: term on a name, a last
// name (maybe with "~") or the start of a first name.
func (g *gen) fieldTerm() string {
	f := g.pick([]string{"party:", "judge:", "attorney:"})
	switch g.rng.IntN(3) {
	case 0:
		return f + `"` + g.pick(g.first) + " " + g.variant(g.pick(g.last)) + `"`
	case 1:
		return f + g.variant(g.pick(g.last))
	default:
		w := g.pick(g.first)
		return f + w[:min(len(w), 3+g.rng.IntN(3))] + "*"
	}
}

// names returns a list of 0 to 3 person names, some with accents.
func (g *gen) names() []string {
	var out []string
	for range g.rng.IntN(4) {
		n := g.pick(g.first) + " " + g.pick(g.last)
		if g.rng.Float64() < g.cfg.accents {
			n = g.accent(n)
		}
		out = append(out, n)
	}
	return out
}

// query returns one watch query from the realistic mix.
func (g *gen) query() string {
	// With cfg.fields 0 this draws no random number, so corpora without
	// fields stay as they were.
	if g.cfg.fields > 0 && g.rng.Float64() < g.cfg.fields {
		return g.fieldTerm() + g.pick([]string{"", " OR " + g.pick(g.first) + " " + g.pick(g.last), " AND " + g.pick(g.last), " -" + g.fieldTerm()})
	}
	name := func() string {
		if g.rng.IntN(4) == 0 {
			return `"` + g.pick(g.first) + " " + g.variant(g.pick(g.last)) + `"`
		}
		return g.pick(g.first) + " " + g.variant(g.pick(g.last))
	}
	phrase := func() string {
		n := 1 + g.rng.IntN(3)
		ws := make([]string, n)
		for i := range ws {
			ws[i] = g.rareWord()
		}
		if n > 1 {
			return `"` + strings.Join(ws, " ") + `"`
		}
		return ws[0]
	}
	switch r := g.rng.IntN(100); {
	case r < 38:
		return name()
	case r < 50:
		return g.pick([]string{"Judge", "Senator", "Mayor"}) + " " + g.pick(g.last)
	case r < 63:
		return phrase()
	case r < 70:
		return g.variant(g.rareWord())
	case r < 80:
		return name() + " OR " + phrase()
	case r < 87:
		return g.pick(g.last) + " AND (" + phrase() + " OR " + phrase() + ")"
	case r < 93:
		if g.rng.IntN(2) == 0 {
			return name() + " -" + g.rareWord()
		}
		return phrase() + " NOT " + name()
	case r < 97:
		// A stem, as reporters write them: negotiat*, deport*.
		w := g.rareWord()
		for len(w) < 8 {
			w = g.rareWord()
		}
		return w[:len(w)-1-g.rng.IntN(2)] + "*"
	default:
		o, y, t, s := g.docket()
		return fmt.Sprintf("case:%s:%s-%s-%05d OR %s", o, y, t, s, name())
	}
}

// render writes a query's phrase or docket atom as it might appear in text.
func (g *gen) render(a *atom) string {
	if a.dk != nil {
		seq := 0
		fmt.Sscan(a.dk.seq, &seq)
		office := a.dk.office
		if office == "" {
			office = "1"
		}
		return g.docketForm(office, a.dk.year, a.dk.typ, seq)
	}
	var b strings.Builder
	for i, w := range a.words {
		if i > 0 {
			b.WriteString(g.pick([]string{" ", " ", " ", "-", "\n", "  ", " — ", "’"}))
		}
		if a.prefix[i] {
			w += g.pick([]string{"", "s", "ation", "ed"})
		}
		if a.fuzzy[i] && g.rng.IntN(2) == 0 {
			w = g.misspell(w)
		}
		switch g.rng.IntN(4) {
		case 0:
			w = strings.ToUpper(w)
		case 1, 2:
			w = capitalize(w)
		}
		if g.rng.Float64() < g.cfg.accents {
			w = g.accent(w)
		}
		b.WriteString(w)
	}
	return b.String()
}

var nastyBits = []string{"ß", "ﬁ", "\u0301", "İ", "’", "–", "—", "“", "”", "\u00a0", "Ａ", "½", "東京", "\xff", "e\u0301", "ǅ", "x", "1", "-", ":"}

// item returns one document; plant lists queries that may be written into it.
func (g *gen) item(plant []*Query) Doc {
	typo := g.rng.Float64() < g.cfg.typo
	words := func(n int) []string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = g.vocabWord()
			if g.rng.IntN(20) == 0 {
				ws[i] = g.pick(g.first) + " " + g.pick(g.last)
				if g.rng.Float64() < g.cfg.accents {
					ws[i] = g.accent(ws[i])
				}
			}
		}
		return ws
	}
	title := words(g.cfg.titleWords)
	text := words(g.cfg.textWords)
	var lists [4][]string // by field: the names of an item of a docket source
	if g.cfg.fields > 0 && g.rng.Float64() < g.cfg.fields {
		lists = [4][]string{nil, g.names(), g.names(), g.names()}
	}
	if len(plant) > 0 && g.rng.Float64() < g.cfg.plant {
		for range 1 + g.rng.IntN(2) {
			q := plant[g.rng.IntN(len(plant))]
			a := &q.atoms[g.rng.IntN(len(q.atoms))]
			if g.cfg.fields > 0 && (a.field != anyField || g.rng.IntN(8) == 0) {
				// Into its list, or a plain term into any list: alone
				// or within a longer name.
				f := a.field
				if f == anyField {
					f = uint8(1 + g.rng.IntN(3))
				}
				n := g.render(a)
				if g.rng.IntN(2) == 0 {
					n = g.pick(g.first) + " " + n + g.pick([]string{"", " Jr.", ", Esq."})
				}
				lists[f] = append(lists[f], n)
				continue
			}
			if g.rng.IntN(4) == 0 {
				title[g.rng.IntN(len(title))] = g.render(a)
			} else {
				text[g.rng.IntN(len(text))] = g.render(a)
			}
		}
	}
	if g.rng.Float64() < g.cfg.dockets {
		text[g.rng.IntN(len(text))] = g.docketForm(g.docket())
	}
	if g.rng.Float64() < g.cfg.nasty {
		for range 1 + g.rng.IntN(4) {
			i := g.rng.IntN(len(text))
			text[i] += g.pick(nastyBits)
		}
	}
	return Doc{Title: capitalize(strings.Join(title, " ")), Text: g.join(text, typo),
		Parties: lists[partyField], Judges: lists[judgeField], Attorneys: lists[attorneyField]}
}

// join writes words as sentences with ASCII or typographic punctuation.
func (g *gen) join(ws []string, typo bool) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch r := g.rng.IntN(30); {
		case r == 0 && typo:
			b.WriteString("“" + w + "”")
		case r == 1 && typo:
			b.WriteString(w + "’s")
		case r == 2 && typo:
			b.WriteString(w + " —")
		case r == 3:
			b.WriteString(w + ",")
		case r == 4:
			b.WriteString(w + ".")
		case r == 5:
			b.WriteString("(" + w + ")")
		case r == 6:
			b.WriteString(w + "'s")
		default:
			b.WriteString(w)
		}
	}
	return b.String()
}
