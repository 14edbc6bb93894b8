package match

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a query.
const (
	MaxQueryChars = 500 // characters (runes)
	MaxTerms      = 50  // phrases (a lone word is one) and case: numbers
	MinPrefix     = 3   // letters before a "*"
	MinVariant    = 5   // letters of a word before a "~"
	MaxVariant    = 32  // letters of a word before a "~": each costs the index a few keys
	MaxVariants   = 5   // words with "~" in a query
)

// Error is a query the parser refused; Pos is the 1-based character (rune)
// position in the query where the problem is.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at %d", e.Msg, e.Pos) }

func errAt(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Query is a parsed watch query.
type Query struct {
	src   string
	root  *node // the query is true when root.eval(bits of the atoms that matched)
	atoms []atom
}

// atom is one term of a query: a phrase of folded words (the last ones may
// be prefixes, any may ask for spelling variants) or a case: docket number.
type atom struct {
	words  []string // folded
	prefix []bool   // words[i] matches words that start with it
	fuzzy  []bool   // words[i] matches its spelling variants ("Mazzara~")
	coll   [][]rune // for a fuzzy word, collapse(words[i]); else nil
	hashes []uint64 // hashString(words[i]), or prefixHash for a prefix
	dk     *docketNum
	field  uint8  // anyField, or the list of names it matches in (party:…)
	pos    int    // 1-based rune position in the query
	src    string // as written in the query (without its "party:")
	neg    bool   // under an odd number of NOTs: never reported as a term
}

// node is the query's expression tree.
type node struct {
	op   byte // opAtom, opAnd, opOr, opNot
	atom int
	kids []*node
}

const (
	opAtom byte = iota
	opAnd
	opOr
	opNot
)

// eval says whether the query is true when exactly the atoms in bits matched.
func (n *node) eval(bits uint64) bool {
	switch n.op {
	case opAtom:
		return bits&(1<<uint(n.atom)) != 0
	case opNot:
		return !n.kids[0].eval(bits)
	case opAnd:
		for _, k := range n.kids {
			if !k.eval(bits) {
				return false
			}
		}
		return true
	default:
		for _, k := range n.kids {
			if k.eval(bits) {
				return true
			}
		}
		return false
	}
}

// String returns the query as written.
func (q *Query) String() string {
	if q == nil {
		return ""
	}
	return q.src
}

// Canonical returns the query as it was read, with every operator written
// out and parentheses only where they are needed: Abrego Garcia Xinis
// -Bukele reads as "Abrego Garcia Xinis" AND NOT Bukele, and "Abrego
// Garcia" Xinis as "Abrego Garcia" AND Xinis. Words keep their spelling,
// "*" and "~"; a phrase of several words is quoted. Parsing the canonical
// form gives the same query.
func (q *Query) Canonical() string {
	if q == nil || q.root == nil {
		return ""
	}
	var b strings.Builder
	q.canon(&b, q.root, opOr)
	return b.String()
}

// canon writes n; ctx is the operator it appears under, which decides
// whether it needs parentheses (NOT binds tightest, then AND, then OR).
func (q *Query) canon(b *strings.Builder, n *node, ctx byte) {
	switch n.op {
	case opAtom:
		b.WriteString(q.atoms[n.atom].canonical())
	case opNot:
		b.WriteString("NOT ")
		q.canon(b, n.kids[0], opNot)
	default:
		paren := ctx == opNot || ctx == opAnd && n.op == opOr
		if paren {
			b.WriteByte('(')
		}
		sep := " OR "
		if n.op == opAnd {
			sep = " AND "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			q.canon(b, k, n.op)
		}
		if paren {
			b.WriteByte(')')
		}
	}
}

// canonical writes one term: a docket number as written, a phrase as its
// words were written, quoted when it has several or was quoted.
func (a *atom) canonical() string {
	if a.dk != nil {
		return a.src
	}
	src, quoted := a.src, false
	if r := firstRune(src); isQuote(r) {
		_, size := utf8.DecodeRuneInString(src)
		last, lsize := utf8.DecodeLastRuneInString(src)
		if isQuote(last) && len(src) >= size+lsize {
			src, quoted = src[size:len(src)-lsize], true
		}
	}
	words := strings.FieldsFunc(src, isQuerySpace)
	s := strings.Join(words, " ")
	if quoted || len(words) > 1 {
		s = `"` + s + `"`
	}
	if a.field != anyField {
		s = nameFields[a.field] + ":" + s
	}
	return s
}

type tokKind byte

const (
	tWord tokKind = iota
	tQuote
	tCase
	tField // party:Xinis, judge:"…": a word or quoted phrase in one field
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tNeg // "-" right before a term
	tEOF
)

type token struct {
	kind   tokKind
	pos    int // 1-based rune position
	bs, be int // bytes of the query it covers
	ws, we int // its words: lexer.tk.words[ws:we]
	src    string
	dk     *docketNum
	field  uint8 // of a tField
	vs     int   // of a tField: the byte where its value starts
	quoted bool  // of a tField: its value is a quoted phrase
}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

func isQuerySpace(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// lexer walks the query by bytes and counts runes for positions. It folds
// the words of every token into one tokenizer, so that a query's words cost
// a few allocations in all rather than a few each.
type lexer struct {
	q      string
	i      int // byte offset
	pos    int // 1-based rune position of q[i:]
	tk     tokenizer
	prefix []bool // per word of tk: a prefix ("negotiat*")
	fuzzy  []bool // per word of tk: spelling variants ("Mazzara~")
	nfuzzy int    // words with "~" so far
}

func (l *lexer) peek() (rune, int) {
	if l.i >= len(l.q) {
		return -1, 0
	}
	if c := l.q[l.i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(l.q[l.i:])
}

// peek2 returns the rune after the next one.
func (l *lexer) peek2() rune {
	_, n := l.peek()
	if l.i+n >= len(l.q) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(l.q[l.i+n:])
	return r
}

func (l *lexer) advance(size int) {
	l.i += size
	l.pos++
}

// lex splits the query into tokens.
func lex(l *lexer) ([]token, error) {
	q := l.q
	toks := make([]token, 0, 8)
	for {
		r, size := l.peek()
		if size == 0 {
			return toks, nil
		}
		pos, bs := l.pos, l.i
		switch {
		case isQuerySpace(r):
			l.advance(size)
		case r == '(':
			l.advance(size)
			toks = append(toks, token{kind: tLParen, pos: pos, bs: bs, be: l.i, src: "("})
		case r == ')':
			l.advance(size)
			toks = append(toks, token{kind: tRParen, pos: pos, bs: bs, be: l.i, src: ")"})
		case isQuote(r):
			t := token{kind: tQuote, pos: pos, bs: bs}
			var err error
			if t.ws, t.we, err = l.quote(); err != nil {
				return nil, err
			}
			t.be, t.src = l.i, q[bs:l.i]
			toks = append(toks, t)
		case r == '-':
			if n := l.peek2(); n == -1 || isQuerySpace(n) || n == ')' || n == '-' {
				return nil, errAt(pos, `"-" needs a word, quoted phrase or "(" right after it`)
			}
			l.advance(size)
			toks = append(toks, token{kind: tNeg, pos: pos, bs: bs, be: l.i, src: "-"})
		default:
			for {
				r, size := l.peek()
				if size == 0 || isQuerySpace(r) || r == '(' || r == ')' || isQuote(r) {
					break
				}
				l.advance(size)
			}
			s := q[bs:l.i]
			switch {
			case s == "AND":
				toks = append(toks, token{kind: tAnd, pos: pos, bs: bs, be: l.i, src: s})
			case s == "OR":
				toks = append(toks, token{kind: tOr, pos: pos, bs: bs, be: l.i, src: s})
			case s == "NOT":
				toks = append(toks, token{kind: tNot, pos: pos, bs: bs, be: l.i, src: s})
			case len(s) >= 5 && strings.EqualFold(s[:5], "case:"):
				num := s[5:]
				d, ok := parseDocket(num)
				if !ok {
					if num == "" {
						return nil, errAt(pos, "case: needs a docket number right after it, such as case:8:25-cv-00951")
					}
					return nil, errAt(pos+5, "%q is not a docket number such as 8:25-cv-00951", num)
				}
				toks = append(toks, token{kind: tCase, pos: pos, bs: bs, be: l.i, src: s, dk: &d})
			default:
				if strings.IndexByte(s, ':') > 0 {
					t, ok, err := l.field(s, pos, bs)
					if err != nil {
						return nil, err
					}
					if ok {
						toks = append(toks, t)
						continue
					}
				}
				t := token{kind: tWord, pos: pos, bs: bs, be: l.i, src: s, ws: len(l.tk.words)}
				if err := l.addWords(s, pos); err != nil {
					return nil, err
				}
				if t.we = len(l.tk.words); t.we > t.ws {
					toks = append(toks, t)
				}
				// A token of punctuation only ("&", "—") separates words
				// like it does in a text, so it adds nothing.
			}
		}
	}
}

// quote reads a quoted phrase that starts at the lexer's position (an
// opening quote) and returns the range of its words in l.tk.
func (l *lexer) quote() (ws, we int, err error) {
	open, size := l.peek()
	pos := l.pos
	l.advance(size)
	ws = len(l.tk.words)
	for {
		r, size := l.peek()
		if size == 0 {
			return 0, 0, errAt(pos, "unbalanced %q", string(open))
		}
		if isQuote(r) {
			l.advance(size)
			break
		}
		if isQuerySpace(r) {
			l.advance(size)
			continue
		}
		ps, ppos := l.i, l.pos
		for {
			r, size := l.peek()
			if size == 0 || isQuote(r) || isQuerySpace(r) {
				break
			}
			l.advance(size)
		}
		if err := l.addWords(l.q[ps:l.i], ppos); err != nil {
			return 0, 0, err
		}
	}
	if we = len(l.tk.words); we == ws {
		return 0, 0, errAt(pos, "quotes with no word inside")
	}
	return ws, we, nil
}

// fieldExample shows each field in use, for error messages.
var fieldExample = [...]string{partyField: `party:"Abrego Garcia"`, judgeField: "judge:Xinis", attorneyField: `attorney:"Sandoval-Moshenberg"`}

// field lexes s, a piece of the query with a ":" after its first
// character that the lexer has just read (at rune position pos, byte bs).
// A field name (party:, judge:, attorney:) makes a tField of the word
// after the colon or of the quoted phrase right after it. A name of
// letters that is no field, followed by a word or a quote, is an error
// (a misspelt field would otherwise search its name as a word); anything
// else is plain words, as before fields existed ("Update: …", "12:30",
// "http://…"), which field leaves to the caller (ok false).
func (l *lexer) field(s string, pos, bs int) (t token, ok bool, err error) {
	name, value, _ := strings.Cut(s, ":")
	next, _ := l.peek()
	valued := value != "" || isQuote(next)
	var k uint8
	for i, n := range nameFields {
		if i > 0 && strings.EqualFold(name, n) {
			k = uint8(i)
		}
	}
	empty := func() error {
		return errAt(pos, "%s: needs a word or a quoted phrase right after it, such as %s", nameFields[k], fieldExample[k])
	}
	switch {
	case k == anyField && valued && isFieldName(name) && (value == "" || unicode.IsLetter(firstRune(value)) || unicode.IsDigit(firstRune(value))):
		return t, false, errAt(pos, `unknown field "%s:": the fields are party:, judge:, attorney: and case: (to search the word, put a space after the colon)`, name)
	case k == anyField:
		return t, false, nil
	case !valued:
		return t, false, empty()
	}
	t = token{kind: tField, pos: pos, bs: bs, vs: bs + len(name) + 1, field: k, ws: len(l.tk.words)}
	if value == "" {
		if t.ws, t.we, err = l.quote(); err != nil {
			return t, false, err
		}
		t.quoted = true
	} else {
		if err := l.addWords(value, pos+utf8.RuneCountInString(name)+1); err != nil {
			return t, false, err
		}
		if t.we = len(l.tk.words); t.we == t.ws {
			return t, false, empty()
		}
	}
	t.be, t.src = l.i, l.q[bs:l.i]
	return t, true, nil
}

// isFieldName reports whether s could be meant as a field's name: 2 to 20
// ASCII letters.
func isFieldName(s string) bool {
	if len(s) < 2 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

// addWords folds one space-free piece of a query (at 1-based position pos)
// and appends its words to l.tk. A "*" may end the piece: the last word is
// then a prefix; or a "~": the last word then matches its spelling variants.
func (l *lexer) addWords(piece string, pos int) error {
	star, tilde := false, false
	if k := strings.IndexAny(piece, "*~"); k >= 0 {
		kpos := pos + utf8.RuneCountInString(piece[:k])
		mark := piece[k]
		switch {
		case mark == '*' && strings.HasSuffix(piece, "*~") && k == len(piece)-2:
			return errAt(kpos+1, `"~" does not go with a prefix: write deport* or a whole word with "~"`)
		case k != len(piece)-1:
			return errAt(kpos, "%q goes only at the end of a word", string(mark))
		}
		piece = piece[:k]
		last, _ := utf8.DecodeLastRuneInString(piece)
		lf := defaultFolder().foldOf(last)
		if Fold(piece) == "" || lf != "" && lf[len(lf)-1] == ' ' {
			if mark == '~' {
				return errAt(kpos, `"~" must follow a word, as in Mazzara~`)
			}
			return errAt(kpos, `"*" must follow a word, as in negotiat*`)
		}
		star, tilde = mark == '*', mark == '~'
	}
	n := len(l.tk.words)
	l.tk.run(piece, 0)
	for range l.tk.words[n:] {
		l.prefix = append(l.prefix, false)
		l.fuzzy = append(l.fuzzy, false)
	}
	if star || tilde {
		w := &l.tk.words[len(l.tk.words)-1]
		letters := utf8.RuneCount(l.tk.text(w))
		at := pos + utf8.RuneCountInString(piece)
		if star && letters < MinPrefix {
			return errAt(at, `a prefix needs at least %d letters before "*"`, MinPrefix)
		}
		if tilde && letters < MinVariant {
			return errAt(at, `spelling variants ("~") need a word of at least %d letters: shorter names have too many lookalikes (Noem, poem)`, MinVariant)
		}
		if tilde && letters > MaxVariant {
			return errAt(at, `spelling variants ("~") work on words of at most %d letters`, MaxVariant)
		}
		if tilde {
			if l.nfuzzy++; l.nfuzzy > MaxVariants {
				return errAt(at, `a query has at most %d words with "~"`, MaxVariants)
			}
		}
		l.prefix[len(l.prefix)-1] = star
		l.fuzzy[len(l.fuzzy)-1] = tilde
	}
	return nil
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// Parse parses a watch query. Errors are *Error, whose message says what is
// wrong and at which character.
func Parse(q string) (*Query, error) {
	if !utf8.ValidString(q) {
		n := 0
		for i := 0; i < len(q); {
			r, size := utf8.DecodeRuneInString(q[i:])
			n++
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return nil, errAt(n, "invalid UTF-8")
	}
	nr := utf8.RuneCountInString(q)
	if nr > MaxQueryChars {
		return nil, errAt(MaxQueryChars+1, "query is longer than %d characters", MaxQueryChars)
	}
	l := &lexer{q: q, pos: 1}
	nw := min(len(q)/3+1, 16) // room for the words of most queries
	l.tk.buf = make([]byte, 0, len(q)+8)
	l.tk.words = make([]word, 0, nw)
	l.prefix = make([]bool, 0, nw)
	l.fuzzy = make([]bool, 0, nw)
	toks, err := lex(l)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, errAt(1, "query has no words")
	}
	p := &parser{toks: toks, q: &Query{src: q}, end: nr + 1, prefix: l.prefix, fuzzy: l.fuzzy}
	// All the query's words in one string, one slice of strings and one of
	// hashes; atoms take sub-slices.
	folded := string(l.tk.buf)
	p.words = make([]string, len(l.tk.words))
	p.hashes = make([]uint64, len(l.tk.words))
	for i := range l.tk.words {
		w := &l.tk.words[i]
		p.words[i] = folded[w.fs:w.fe]
		p.hashes[i] = w.h
		if l.prefix[i] {
			p.hashes[i] = prefixHash(p.words[i])
		}
	}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, errAt(t.pos, `unbalanced ")"`)
		}
		return nil, errAt(t.pos, "unexpected %s", show(t.src))
	}
	p.q.root = root
	setPolarity(p.q, root, false)
	if root.eval(0) {
		return nil, errAt(p.firstNeg, "query matches items that contain none of its words; add a word that must appear")
	}
	return p.q, nil
}

func setPolarity(q *Query, n *node, neg bool) {
	switch n.op {
	case opAtom:
		q.atoms[n.atom].neg = neg
	case opNot:
		setPolarity(q, n.kids[0], !neg)
	default:
		for _, k := range n.kids {
			setPolarity(q, k, neg)
		}
	}
}

type parser struct {
	words    []string // every word of the query, folded
	prefix   []bool
	fuzzy    []bool
	hashes   []uint64
	toks     []token
	i        int
	q        *Query
	end      int // position just past the query
	firstNeg int
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tEOF, pos: p.end}
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func startsOperand(k tokKind) bool {
	return k == tWord || k == tQuote || k == tCase || k == tField || k == tLParen || k == tNot || k == tNeg
}

func (p *parser) or() (*node, error) {
	first, err := p.and()
	if err != nil || p.peek().kind != tOr {
		return first, err
	}
	n := &node{op: opOr, kids: []*node{first}}
	for p.peek().kind == tOr {
		op := p.next()
		if !startsOperand(p.peek().kind) {
			return nil, errAt(op.pos, "OR needs a term on each side")
		}
		k, err := p.and()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

func (p *parser) and() (*node, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	var n *node
	for {
		t := p.peek()
		switch t.kind {
		case tAnd:
			p.next()
			if !startsOperand(p.peek().kind) {
				return nil, errAt(t.pos, "AND needs a term on each side")
			}
		case tNot, tNeg:
			// "Trump -Melania", "Trump NOT Melania": an implicit AND.
		case tWord, tQuote, tCase, tField, tLParen:
			// A quoted phrase ends a term: "Abrego Garcia" Xinis and
			// Xinis "Abrego Garcia" mean AND, the way search boxes read
			// them; so does a field term (judge:Xinis "Abrego Garcia").
			// Other terms side by side need an operator.
			prev := p.toks[p.i-1]
			if prev.kind == tField && !prev.quoted && t.kind == tWord {
				return nil, errAt(t.pos, "%s: takes one word or a quoted phrase: write %s:\"%s %s\", or AND or OR before %s",
					nameFields[prev.field], nameFields[prev.field], p.q.src[prev.vs:prev.be], t.src, show(t.src))
			}
			if t.kind != tQuote && t.kind != tField && prev.kind != tQuote && prev.kind != tField {
				return nil, errAt(t.pos, "missing AND or OR before %s", show(t.src))
			}
		default:
			if n == nil {
				return first, nil
			}
			return n, nil
		}
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		if n == nil {
			n = &node{op: opAnd, kids: []*node{first}}
		}
		n.kids = append(n.kids, k)
	}
}

func (p *parser) unary() (*node, error) {
	t := p.peek()
	switch t.kind {
	case tNot, tNeg:
		p.next()
		if p.firstNeg == 0 {
			p.firstNeg = t.pos
		}
		nk := p.peek().kind
		if !startsOperand(nk) || (t.kind == tNeg && (nk == tNot || nk == tNeg)) {
			if t.kind == tNot {
				return nil, errAt(t.pos, "NOT needs something to negate")
			}
			return nil, errAt(t.pos, `"-" needs something to negate`)
		}
		var k *node
		var err error
		if t.kind == tNeg {
			k, err = p.primary(false)
		} else {
			k, err = p.unary()
		}
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	}
	return p.primary(true)
}

// primary reads a parenthesised query or one term. With merge, adjacent
// words form one phrase; after "-" only the next word is negated.
func (p *parser) primary(merge bool) (*node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		if p.peek().kind == tRParen {
			return nil, errAt(t.pos, "empty parentheses")
		}
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tRParen {
			if u := p.peek(); u.kind != tEOF {
				return nil, errAt(u.pos, "unexpected %s", show(u.src))
			}
			return nil, errAt(t.pos, `unbalanced "("`)
		}
		p.next()
		return n, nil
	case tWord:
		// Adjacent words are adjacent in p.words too.
		last := t
		for merge && p.peek().kind == tWord {
			last = p.next()
		}
		return p.addAtom(p.phrase(t, last))
	case tQuote:
		return p.addAtom(p.phrase(t, t))
	case tField:
		a := p.phrase(t, t)
		a.field, a.src = t.field, p.q.src[t.vs:t.be]
		return p.addAtom(a)
	case tCase:
		return p.addAtom(atom{pos: t.pos, src: t.src, dk: t.dk})
	case tRParen:
		return nil, errAt(t.pos, `unbalanced ")"`)
	case tEOF:
		return nil, errAt(t.pos, "query ends where a term should be")
	default:
		return nil, errAt(t.pos, "%s needs a term on each side", t.src)
	}
}

// phrase is the atom of the words of tokens first to last.
func (p *parser) phrase(first, last token) atom {
	ws, we := first.ws, last.we
	a := atom{pos: first.pos, src: p.q.src[first.bs:last.be],
		words: p.words[ws:we:we], prefix: p.prefix[ws:we:we], fuzzy: p.fuzzy[ws:we:we], hashes: p.hashes[ws:we:we]}
	for i, f := range a.fuzzy {
		if f {
			if a.coll == nil {
				a.coll = make([][]rune, len(a.words))
			}
			a.coll[i] = collapse(nil, []byte(a.words[i]))
		}
	}
	return a
}

func (p *parser) addAtom(a atom) (*node, error) {
	if len(p.q.atoms) == MaxTerms {
		return nil, errAt(a.pos, "query has more than %d terms", MaxTerms)
	}
	p.q.atoms = append(p.q.atoms, a)
	return &node{op: opAtom, atom: len(p.q.atoms) - 1}, nil
}

// show quotes a piece of the query for an error message, unless it is a
// quoted phrase already.
func show(s string) string {
	if r := firstRune(s); isQuote(r) {
		return s
	}
	return `"` + s + `"`
}
