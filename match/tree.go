package match

import (
	"strings"
	"unicode/utf8"
)

// Op is the kind of a Node.
type Op byte

// Kinds of Node.
const (
	OpTerm Op = iota // a phrase, a lone word or a case: number
	OpAnd
	OpOr
	OpNot
)

// Node is a read-only view of a parsed query's expression tree, for
// translating the query into another engine's search language
// (feeds/search).
type Node struct {
	Op   Op
	Kids []Node // OpAnd, OpOr: two or more; OpNot: one
	// OpTerm only:
	Words   []string // the words as written, "*" and "~" taken off
	Prefix  bool     // the last word stands for the words that start with it (negotiat*)
	Variant bool     // a word asks for its spelling variants (Mazzara~)
	Case    string   // a case: term's docket number as written ("8:25-cv-00951"); Words is then empty
	// Field limits the term to one list of a docket's names: "party",
	// "judge" or "attorney" (party:"Abrego Garcia"); "" for every field.
	Field string
}

// Tree returns q's expression tree, aliases included (WithAliases).
func (q *Query) Tree() Node {
	if q == nil || q.root == nil {
		return Node{}
	}
	return q.tree(q.root)
}

func (q *Query) tree(n *node) Node {
	if n.op == opAtom {
		return q.atoms[n.atom].node()
	}
	out := Node{Op: OpAnd, Kids: make([]Node, len(n.kids))}
	switch n.op {
	case opOr:
		out.Op = OpOr
	case opNot:
		out.Op = OpNot
	}
	for i, k := range n.kids {
		out.Kids[i] = q.tree(k)
	}
	return out
}

// node is the term a as written: its source without quotes, split at
// spaces, the marks "*" and "~" told by the atom's flags.
func (a *atom) node() Node {
	if a.dk != nil {
		_, num, _ := strings.Cut(a.src, ":")
		return Node{Op: OpTerm, Case: num}
	}
	src := a.src
	if r := firstRune(src); isQuote(r) {
		_, size := utf8.DecodeRuneInString(src)
		last, lsize := utf8.DecodeLastRuneInString(src)
		if isQuote(last) && len(src) >= size+lsize {
			src = src[size : len(src)-lsize]
		}
	}
	n := Node{Op: OpTerm, Field: nameFields[a.field]}
	for _, w := range strings.FieldsFunc(src, isQuerySpace) {
		if w = strings.TrimRight(w, "*~"); w != "" {
			n.Words = append(n.Words, w)
		}
	}
	n.Prefix = len(a.prefix) > 0 && a.prefix[len(a.prefix)-1]
	for _, f := range a.fuzzy {
		n.Variant = n.Variant || f
	}
	return n
}
