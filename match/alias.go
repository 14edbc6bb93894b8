package match

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on a watch's aliases.
const (
	MaxAliases     = 10  // per watch
	MaxAliasChars  = 100 // characters (runes) of one alias
	maxAliasDigest = 20  // characters of an alias quoted in an error
)

// CheckAlias says whether s can be an alias: an exact phrase of at least
// one word, at most MaxAliasChars long. Quotes, operators, "*" and "~" in
// it are plain characters, folded away like any punctuation.
func CheckAlias(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("alias is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > MaxAliasChars {
		return fmt.Errorf("alias %q… is longer than %d characters", clipRunes(s, maxAliasDigest), MaxAliasChars)
	}
	if Fold(s) == "" {
		return fmt.Errorf("alias %q has no letters or digits", s)
	}
	return nil
}

func clipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// WithAliases returns q with aliases OR-ed with the whole query: each alias
// is an exact phrase (folded, no operators, no variants), matched and
// reported like any other term. q itself is not changed.
func (q *Query) WithAliases(aliases ...string) (*Query, error) {
	if q == nil || q.root == nil {
		return nil, fmt.Errorf("aliases need a parsed query")
	}
	if len(aliases) == 0 {
		return q, nil
	}
	if len(aliases) > MaxAliases {
		return nil, fmt.Errorf("a watch has at most %d aliases", MaxAliases)
	}
	if len(q.atoms)+len(aliases) > MaxTerms {
		return nil, fmt.Errorf("query and aliases have more than %d terms", MaxTerms)
	}
	out := &Query{src: q.src, atoms: slices.Clip(slices.Clone(q.atoms))}
	or := &node{op: opOr, kids: []*node{q.root}}
	for _, s := range aliases {
		if err := CheckAlias(s); err != nil {
			return nil, err
		}
		out.atoms = append(out.atoms, literal(s))
		or.kids = append(or.kids, &node{op: opAtom, atom: len(out.atoms) - 1})
	}
	out.root = or
	return out, nil
}

// literal is the atom of s taken as an exact phrase: its folded words, none
// a prefix or a variant. Its src is s quoted, with the characters that the
// query syntax would read differently (quotes, "*", "~") written as spaces.
func literal(s string) atom {
	var tk tokenizer
	tk.run(s, 0)
	folded := string(tk.buf)
	a := atom{pos: 1, words: make([]string, len(tk.words)), prefix: make([]bool, len(tk.words)),
		fuzzy: make([]bool, len(tk.words)), hashes: make([]uint64, len(tk.words))}
	for i := range tk.words {
		w := &tk.words[i]
		a.words[i] = folded[w.fs:w.fe]
		a.hashes[i] = w.h
	}
	a.src = `"` + strings.Map(func(r rune) rune {
		if isQuote(r) || r == '*' || r == '~' || isQuerySpace(r) {
			return ' '
		}
		return r
	}, s) + `"`
	return a
}
