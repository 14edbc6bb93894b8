package match

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Index matches documents against many queries; safe for concurrent use.
//
// Each phrase of each query is filed under one of its words, its anchor (the
// longest whole word; a prefix only if the phrase has nothing else), in a
// hash table keyed by the word's hash. Matching folds the document once,
// looks every word up (most are turned away by a Bloom filter in front of
// the table), verifies the phrases found around it, and evaluates only the
// queries that have a matching term. The table is a two-level tree of small
// leaves published through an atomic pointer: Set and Remove copy the few
// nodes they change and publish a new version, so matches in progress never
// wait and always see a complete version.
type Index struct {
	mu   sync.Mutex // serialises writers
	byID map[string]*compiled
	gen  uint64 // version being written
	seq  uint64
	adds int // keys added since the filter was built
	keys int // keys in the table
	cur  atomic.Pointer[table]
	pool sync.Pool // *scratch
	kbuf []uint64  // the keys of one atom, reused by writers (see keys)
}

// compiled is a query in the index.
type compiled struct {
	id  string
	seq uint64 // orders candidates; unique per Set
	q   *Query
}

// anchor files one atom of a query under one of its words.
type anchor struct {
	c    *compiled
	a    *atom
	atom uint8  // < MaxTerms
	pos  uint16 // which word of the phrase the key is (< MaxQueryChars)
	// chkOff (if not 0) is the offset from the anchor word of another
	// whole word of the phrase, whose hash is chk: a cheap first test
	// before the full verification.
	chkOff int16
	// del is, for a variant key, the letter of the collapsed word the key
	// leaves out (-1: none; see variantKeys).
	del int8
	chk uint64
}

// newAnchor files atom ai of c under its word pos.
func newAnchor(c *compiled, ai, pos int) anchor {
	a := &c.q.atoms[ai]
	an := anchor{c: c, a: a, atom: uint8(ai), pos: uint16(pos)}
	if a.dk != nil {
		return an
	}
	// The longest other whole word, preferring one that differs from the
	// anchor word ("a a a … b" is checked on its "b").
	best := -1
	for j := range a.words {
		if j == pos || a.prefix[j] || a.fuzzy[j] {
			continue
		}
		differs := a.words[j] != a.words[pos]
		if best < 0 || differs && a.words[best] == a.words[pos] ||
			differs == (a.words[best] != a.words[pos]) && len(a.words[j]) > len(a.words[best]) {
			best = j
		}
	}
	if best >= 0 {
		an.chkOff = int16(best - pos)
		an.chk = a.hashes[best]
	}
	return an
}

// Keys of the three kinds of anchors live in one table; these salts keep a
// prefix or docket key from landing on a word's key (a collision would cost
// only a failed verification).
const (
	saltPrefix = 0x9e3779b97f4a7c15
	saltCase   = 0xc2b2ae3d27d4eb4f
)

const (
	topBits  = 6
	leafBits = 6
)

type table struct {
	filter  *filter          // every word, prefix and case key in the table has its bit set
	vfilter *vfilter         // every variant key has its bit set
	top     tree             // word, prefix and case keys
	vtop    tree             // variant keys, apart so that they do not lengthen the leaves words are looked up in
	nPrefix [prefixKinds]int // prefix anchors by key length
	lens    uint8            // key lengths in use: bit n-minPrefixKey
	nCase   int              // case anchors: look for docket numbers only if any
	// Variant anchors by the rune length of their collapsed word (the
	// last slot counts every longer one): a text word is looked up for
	// variants only when its collapsed length is within one of a length
	// in use (bit n of vlens), and at least vmin-1 bytes long.
	nVariant [maxVariantLen + 1]int
	vlens    uint64
	vmin     int
	n        int    // queries
	ver      uint64 // the version: Index.gen when it was published
}

// maxVariantLen is the last slot of table.nVariant (and bit of vlens).
const maxVariantLen = 63

// tree is a two-level tree of leaves of buckets, by key.
type tree [1 << topBits]*mid

type mid struct {
	gen    uint64
	leaves [1 << leafBits]*leaf
}

type leaf struct {
	gen     uint64
	buckets []bucket
}

type bucket struct {
	key     uint64
	anchors []anchor // never appended to in place once published
}

// slot spreads a key over the tree.
func slot(key uint64) (int, int) {
	m := key * 0xff51afd7ed558ccd
	m ^= m >> 29
	return int(m >> (64 - topBits)), int(m>>(64-topBits-leafBits)) & (1<<leafBits - 1)
}

func (t *tree) lookup(key uint64) []anchor {
	i, j := slot(key)
	m := t[i]
	if m == nil {
		return nil
	}
	l := m.leaves[j]
	if l == nil {
		return nil
	}
	for k := range l.buckets {
		if l.buckets[k].key == key {
			return l.buckets[k].anchors
		}
	}
	return nil
}

// writable returns the leaf for key, copied into this version if it was
// published by an earlier one.
func (t *tree) writable(key, gen uint64, sl *slab) *leaf {
	i, j := slot(key)
	m := t[i]
	if m == nil || m.gen != gen {
		nm := &mid{gen: gen}
		if m != nil {
			nm.leaves = m.leaves
		}
		t[i], m = nm, nm
	}
	l := m.leaves[j]
	if l == nil || l.gen != gen {
		nl := sl.leaf()
		nl.gen = gen
		if l != nil {
			nl.buckets = slices.Clone(l.buckets)
		}
		m.leaves[j], l = nl, nl
	}
	return l
}

// slab hands out new leaves, the first anchor of a new bucket and the
// buckets of a new leaf from larger chunks, so that loading thousands of
// watches (SetMany) costs a few hundred allocations instead of two or
// three per key. Each piece is handed out once, with its capacity capped, so that
// appending to it never writes into another's. A chunk lives as long as
// one of its pieces is in the table: small chunks keep what replaced
// watches leave behind in them small.
type slab struct {
	anchors []anchor
	buckets []bucket
	leaves  []leaf
}

const (
	slabAnchors = 64
	leafCap     = 4 // buckets per new leaf; a leaf holds 2-3 keys on average with 10,000 watches
	slabBuckets = 16 * leafCap
	slabLeaves  = 64
)

// leaf returns a new leaf.
func (s *slab) leaf() *leaf {
	if s == nil {
		return new(leaf)
	}
	if len(s.leaves) == cap(s.leaves) {
		s.leaves = make([]leaf, 0, slabLeaves)
	}
	s.leaves = s.leaves[:len(s.leaves)+1]
	return &s.leaves[len(s.leaves)-1]
}

// anchor returns a slice holding a alone.
func (s *slab) anchor(a anchor) []anchor {
	if s == nil {
		return []anchor{a}
	}
	if len(s.anchors) == cap(s.anchors) {
		s.anchors = make([]anchor, 0, slabAnchors)
	}
	s.anchors = append(s.anchors, a)
	n := len(s.anchors)
	return s.anchors[n-1 : n : n]
}

// leafBuckets returns an empty slice with room for a leaf's buckets.
func (s *slab) leafBuckets() []bucket {
	if s == nil {
		return nil
	}
	if cap(s.buckets)-len(s.buckets) < leafCap {
		s.buckets = make([]bucket, 0, slabBuckets)
	}
	n := len(s.buckets)
	s.buckets = s.buckets[:n+leafCap]
	return s.buckets[n : n : n+leafCap]
}

func (t *table) add(key, gen uint64, a anchor, variant bool, sl *slab) {
	tr := &t.top
	if variant {
		t.vfilter.setVariant(key, int(a.del), len(a.a.coll[a.pos]))
		tr = &t.vtop
	} else {
		t.filter.set(key)
	}
	l := tr.writable(key, gen, sl)
	for k := range l.buckets {
		if l.buckets[k].key == key {
			as := l.buckets[k].anchors
			l.buckets[k].anchors = append(as[:len(as):len(as)], a)
			return
		}
	}
	if l.buckets == nil {
		l.buckets = sl.leafBuckets()
	}
	l.buckets = append(l.buckets, bucket{key: key, anchors: sl.anchor(a)})
}

func (t *table) remove(key, gen uint64, c *compiled, variant bool) {
	tr := &t.top
	if variant {
		tr = &t.vtop
	}
	l := tr.writable(key, gen, nil)
	for k := range l.buckets {
		if l.buckets[k].key != key {
			continue
		}
		var keep []anchor
		for _, a := range l.buckets[k].anchors {
			if a.c != c {
				keep = append(keep, a)
			}
		}
		if len(keep) == 0 {
			l.buckets = slices.Delete(l.buckets, k, k+1)
		} else {
			l.buckets[k].anchors = keep
		}
		return
	}
}

// anchorKey picks the word a phrase is filed under and its key: the longest
// whole word (long words are rare words) or word with variants, else the
// longest prefix. A word with variants has a key per letter and one more
// (see variant.go), which keys returns; anchorKey returns 0 for it.
func anchorKey(a *atom) (key uint64, pos int, kind int) {
	if a.dk != nil {
		return hashString(a.dk.key()) ^ saltCase, 0, kindCase
	}
	best, bestFuzzy, bestPrefix := -1, -1, -1
	for i, w := range a.words {
		switch {
		case a.prefix[i]:
			if bestPrefix < 0 || len(w) > len(a.words[bestPrefix]) {
				bestPrefix = i
			}
		case a.fuzzy[i]:
			if bestFuzzy < 0 || len(w) > len(a.words[bestFuzzy]) {
				bestFuzzy = i
			}
		default:
			if best < 0 || len(w) > len(a.words[best]) {
				best = i
			}
		}
	}
	// A word with variants costs a key per letter, and its deletions are
	// keys it shares with lookalikes: it is the anchor only when it is
	// longer than every whole word ("Judge Mazzara~" is filed under the
	// keys of mazara, not under the common "judge", which would be
	// verified in most items).
	switch {
	case best >= 0 && (bestFuzzy < 0 || len(a.words[best]) >= len(a.words[bestFuzzy])):
		return a.hashes[best], best, kindWord
	case bestFuzzy >= 0:
		return 0, bestFuzzy, kindVariant
	}
	return a.hashes[bestPrefix] ^ saltPrefix, bestPrefix, kindPrefix
}

// keys returns every key atom a is filed under, appended to dst[:0]
// (a buffer reused across calls), its anchor word and kind.
func keys(dst []uint64, a *atom) ([]uint64, int, int) {
	key, pos, kind := anchorKey(a)
	if kind != kindVariant {
		return append(dst[:0], key), pos, kind
	}
	return variantKeys(dst[:0], a.coll[pos]), pos, kind
}

const (
	kindWord = iota
	kindPrefix
	kindCase
	kindVariant
)

// NewIndex returns an empty index.
func NewIndex() *Index {
	ix := &Index{byID: map[string]*compiled{}}
	ix.cur.Store(&table{filter: newFilter(), vfilter: new(vfilter)})
	ix.pool.New = func() any { return new(scratch) }
	return ix
}

// Set adds or replaces the query with this id. A nil query (or one not made
// by Parse) removes it.
func (ix *Index) Set(id string, q *Query) {
	ix.update(func(t *table) { ix.set(t, id, q, nil) })
}

// SetMany adds or replaces many queries at once and publishes them
// together: the way to load the watches at start.
func (ix *Index) SetMany(qs map[string]*Query) {
	ix.update(func(t *table) {
		if len(ix.byID) == 0 {
			// Loading an empty index: no id to drop first, and the map
			// made to size at once.
			ix.byID = make(map[string]*compiled, len(qs))
			sl := new(slab)
			for id, q := range qs {
				ix.add(t, id, q, sl)
			}
			return
		}
		for id, q := range qs {
			ix.set(t, id, q, nil)
		}
	})
}

// set replaces the query with this id in t; sl (may be nil) is where new
// buckets come from.
func (ix *Index) set(t *table, id string, q *Query, sl *slab) {
	ix.drop(t, id)
	ix.add(t, id, q, sl)
}

// add files q under id in t, where id is not.
func (ix *Index) add(t *table, id string, q *Query, sl *slab) {
	if q == nil || q.root == nil {
		return
	}
	ix.seq++
	c := &compiled{id: id, seq: ix.seq, q: q}
	ix.byID[id] = c
	t.n++
	for ai := range q.atoms {
		ks, pos, kind := keys(ix.kbuf, &q.atoms[ai])
		ix.kbuf = ks
		an := newAnchor(c, ai, pos)
		for ki, key := range ks {
			if kind == kindVariant {
				an.del = int8(ki - 1)
			}
			t.add(key, ix.gen, an, kind == kindVariant, sl)
		}
		t.count(&q.atoms[ai], pos, kind, 1)
		ix.adds += len(ks)
		ix.keys += len(ks)
	}
}

// Remove drops the query with this id.
func (ix *Index) Remove(id string) {
	ix.update(func(t *table) { ix.drop(t, id) })
}

// Len returns the number of queries in the index.
func (ix *Index) Len() int { return ix.cur.Load().n }

func (ix *Index) drop(t *table, id string) {
	c, ok := ix.byID[id]
	if !ok {
		return
	}
	delete(ix.byID, id)
	t.n--
	for ai := range c.q.atoms {
		ks, pos, kind := keys(ix.kbuf, &c.q.atoms[ai])
		ix.kbuf = ks
		for _, key := range ks {
			t.remove(key, ix.gen, c, kind == kindVariant)
		}
		t.count(&c.q.atoms[ai], pos, kind, -1)
		ix.keys -= len(ks)
	}
}

// count adds delta to the table's count of prefix or case anchors of a's
// kind, which tell Match what to look for.
func (t *table) count(a *atom, pos, kind, delta int) {
	switch kind {
	case kindPrefix:
		t.nPrefix[prefixKeyLen(a.words[pos])-minPrefixKey] += delta
	case kindCase:
		t.nCase += delta
	case kindVariant:
		t.nVariant[min(len(a.coll[pos]), maxVariantLen)] += delta
	}
}

// update runs f on a new version of the table and publishes it.
func (ix *Index) update(f func(t *table)) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.gen++
	t := *ix.cur.Load()
	t.ver = ix.gen
	f(&t)
	t.lens = 0
	for i, n := range t.nPrefix {
		if n > 0 {
			t.lens |= 1 << i
		}
	}
	t.vlens, t.vmin = 0, 0
	for i := len(t.nVariant) - 1; i >= 0; i-- {
		if t.nVariant[i] > 0 {
			t.vlens |= 1 << i
			t.vmin = i
		}
	}
	if ix.adds > 2*ix.keys+filterBits/32 {
		// Removed keys leave their bits set; rebuild the filter before
		// the stale bits make it useless.
		t.filter, t.vfilter = newFilter(), new(vfilter)
		ix.adds = 0
		for _, c := range ix.byID {
			for ai := range c.q.atoms {
				ks, pos, kind := keys(ix.kbuf, &c.q.atoms[ai])
				ix.kbuf = ks
				for ki, key := range ks {
					if kind == kindVariant {
						t.vfilter.setVariant(key, ki-1, len(c.q.atoms[ai].coll[pos]))
					} else {
						t.filter.set(key)
					}
				}
				ix.adds += len(ks)
			}
		}
	}
	ix.cur.Store(&t)
}

// scratch is the per-call working memory of Match, pooled.
type scratch struct {
	doc   docText
	tok   tokenizer
	cands []cand
	spans []span
	// full holds the atoms that have MaxHitTerms places already: more
	// could not be reported, so they are not verified again. It is only
	// filled once cands grows past compactAt.
	full      map[*atom]bool
	compactAt int
	// The variant anchors of recent words, by word hash, for the table of
	// version vfor (see table.variants): vnone holds words with none,
	// vsome the anchors of words with some.
	vfor  uint64
	vnone *[vnoneSets]noneSet
	vsome *[vsomeSets][2]vsomeEntry
	vtmp  []anchor
	// vmaybe[i] says that word i may have variants (markVariants).
	vmaybe []bool
}

// vsomeEntry is the variant anchors of the word whose hash is h (0: an
// empty entry).
type vsomeEntry struct {
	h  uint64
	as []anchor
}

// noneSet is a set of scratch.vnone: the hashes of up to eight words with
// no variants (0: an empty entry), in one cache line. Eight ways rather
// than one slot per hash: with a slot per hash, words sharing one evicted
// each other, and in the benchmark's items 94% of the memo's misses were
// of words it had held before (520,000 misses for 30,000 distinct words).
type noneSet [8]uint64

func (s *noneSet) has(h uint64) bool {
	// Without branches, which would be mispredicted: (x-1) &^ x has its
	// top bit set only for x = 0. h = 0 is never added.
	z := (s[0]^h-1)&^(s[0]^h) | (s[1]^h-1)&^(s[1]^h) | (s[2]^h-1)&^(s[2]^h) | (s[3]^h-1)&^(s[3]^h) |
		(s[4]^h-1)&^(s[4]^h) | (s[5]^h-1)&^(s[5]^h) | (s[6]^h-1)&^(s[6]^h) | (s[7]^h-1)&^(s[7]^h)
	return h != 0 && z>>63 != 0
}

// add puts h first, dropping the entry added longest ago.
func (s *noneSet) add(h uint64) {
	copy(s[1:], s[:len(s)-1])
	s[0] = h
}

// Sizes of scratch.vnone (8,192 sets of 8 words, 512 KB, allocated on its
// own so that a set is one aligned cache line) and vsome (4,096 sets of 2
// entries, 256 KB; a set is chosen by the top bits of the word hash). Text
// is mostly the same words, but a long tail of them: in the benchmark's
// items the 2,000 most frequent words are 70% of the words, the 16,000
// most frequent 93%, 30,000 distinct words in all. Smaller memos measured
// slower, their misses costing more than the cache misses of these (a
// vnone of 256 KB: as many second-level cache misses in a simulation,
// more instructions).
const (
	vnoneSetsLog = 13
	vnoneSets    = 1 << vnoneSetsLog
	vsomeSetsLog = 12
	vsomeSets    = 1 << vsomeSetsLog
)

// maxPooledBytes bounds the folded text whose buffers are kept for reuse.
const maxPooledBytes = 64 << 10

// compactMin is how many candidates Match collects before it first drops
// the places it could not report.
const compactMin = 4096

// compact keeps the first MaxHitTerms places of every atom (in document
// order, which is the order of the reported terms) and marks the atoms that
// reached it as full. The terms reported stay exactly the same: a place of
// an atom that has MaxHitTerms earlier places is never among the first
// MaxHitTerms terms.
func (sc *scratch) compact(cands []cand) []cand {
	sortCands(cands)
	if sc.full == nil {
		sc.full = map[*atom]bool{}
	}
	out := cands[:0]
	for i := 0; i < len(cands); {
		j := i
		for j < len(cands) && cands[j].c == cands[i].c && cands[j].atom == cands[i].atom {
			j++
		}
		n := min(j-i, MaxHitTerms)
		out = append(out, cands[i:i+n]...)
		if n == MaxHitTerms {
			sc.full[&cands[i].c.q.atoms[cands[i].atom]] = true
		}
		i = j
	}
	sc.compactAt = 2*len(out) + compactMin
	return out
}

// cand is an atom of a query that matched somewhere.
type cand struct {
	c    *compiled
	atom int
	span span
}

// sortCands orders candidates by query and atom, each atom's places staying
// in document order.
func sortCands(cands []cand) {
	slices.SortStableFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.c.seq, b.c.seq), cmp.Compare(a.atom, b.atom))
	})
}

// Match returns the queries d matches, sorted by id.
func (ix *Index) Match(d Doc) []Hit {
	t := ix.cur.Load()
	if t.n == 0 {
		return nil
	}
	sc := ix.pool.Get().(*scratch)
	defer func() {
		clear(sc.doc.segs) // not to keep the document alive in the pool
		if cap(sc.tok.buf) <= maxPooledBytes {
			ix.pool.Put(sc) // a huge document's buffers are left to the GC
		}
	}()
	doc := &sc.doc
	d.text(doc)
	tk := &sc.tok
	tk.reset()
	doc.tokenize(tk)
	cands := sc.cands[:0]
	clear(sc.full)
	sc.compactAt = compactMin
	words := tk.words
	if t.vlens != 0 {
		sc.markVariants(t)
	}
	for wi := range words {
		if len(cands) >= sc.compactAt {
			cands = sc.compact(cands)
		}
		w := &words[wi]
		if t.filter.has(w.h) {
			cands = t.verifyAll(cands, sc, wi, w.h)
		}
		if t.lens != 0 {
			wb := tk.buf[w.fs:w.fe]
			for l := t.lens; l != 0; l &= l - 1 {
				n := bits.TrailingZeros8(l) + minPrefixKey
				if n > len(wb) {
					break
				}
				if k := hashBytes(wb[:n]) ^ saltPrefix; t.filter.has(k) {
					cands = t.verifyAll(cands, sc, wi, k)
				}
			}
		}
		if t.vlens != 0 && sc.vmaybe[wi] {
			cands = t.variants(cands, sc, wi)
		}
		if t.nCase > 0 {
			s := doc.segs[w.field]
			if !docketStart(s, int(w.os)) {
				continue
			}
			num, end, ok := parseDocketAt(s, int(w.os))
			if !ok {
				continue
			}
			for _, a := range t.top.lookup(hashString(num.key()) ^ saltCase) {
				if a.a.dk != nil && a.a.dk.matches(num) && !sc.full[a.a] {
					cands = append(cands, cand{c: a.c, atom: int(a.atom), span: span{atom: int(a.atom), field: int(w.field), os: int(w.os), oe: end}})
				}
			}
		}
	}
	if t.nCase > 0 {
		for _, n := range d.Numbers {
			num, ok := parseDocket(n)
			if !ok {
				continue
			}
			for _, a := range t.top.lookup(hashString(num.key()) ^ saltCase) {
				if a.a.dk != nil && a.a.dk.matches(num) {
					cands = append(cands, cand{c: a.c, atom: int(a.atom), span: span{atom: int(a.atom), field: 2, number: n}})
				}
			}
		}
	}
	sc.cands = cands
	if len(cands) == 0 {
		return nil
	}
	sortCands(cands)
	var hits []Hit
	for i := 0; i < len(cands); {
		j := i
		var bits uint64
		for j < len(cands) && cands[j].c == cands[i].c {
			bits |= 1 << uint(cands[j].atom)
			j++
		}
		c := cands[i].c
		if c.q.root.eval(bits) {
			sc.spans = groupSpans(sc.spans[:0], cands[i:j])
			hits = append(hits, Hit{ID: c.id, Terms: terms(c.q, doc, sc.spans)})
		}
		i = j
	}
	slices.SortFunc(hits, func(a, b Hit) int { return strings.Compare(a.ID, b.ID) })
	return hits
}

// verifyAll verifies the phrases filed under key around word wi and adds
// those that match to cands.
func (t *table) verifyAll(cands []cand, sc *scratch, wi int, key uint64) []cand {
	tk := &sc.tok
	words := tk.words
	as := t.top.lookup(key)
	for i := range as {
		a := &as[i]
		if a.chkOff != 0 {
			j := wi + int(a.chkOff)
			if j < 0 || j >= len(words) || words[j].h != a.chk {
				continue
			}
		}
		if len(sc.full) > 0 && sc.full[a.a] {
			continue
		}
		if os, oe, ok := verify(tk, wi, a.a, int(a.pos)); ok {
			cands = append(cands, cand{c: a.c, atom: int(a.atom), span: span{atom: int(a.atom), field: int(words[wi].field), os: os, oe: oe}})
		}
	}
	return cands
}

// markVariants sets sc.vmaybe for the words of the document: false for
// a word too short to be a variant or remembered to have none (vnone).
// Most words are the latter, but the memo is larger than a core's cache,
// so its look-up is a cache miss for many words: done here, in a loop of
// independent loads, the misses overlap instead of stalling the match
// loop one by one.
func (sc *scratch) markVariants(t *table) {
	if sc.vfor != t.ver {
		if sc.vnone == nil {
			sc.vnone = new([vnoneSets]noneSet)
		}
		clear(sc.vnone[:])
		if sc.vsome == nil {
			sc.vsome = new([vsomeSets][2]vsomeEntry)
		}
		for i := range sc.vsome {
			sc.vsome[i][0].h, sc.vsome[i][1].h = 0, 0
		}
		sc.vfor = t.ver
	}
	words := sc.tok.words
	sc.vmaybe = slices.Grow(sc.vmaybe[:0], len(words))[:len(words)]
	maybe := sc.vmaybe
	vmin := int32(t.vmin - 1)
	for i := range words {
		w := &words[i]
		// 0 marks an empty slot: a word of hash 0 is looked up every time.
		maybe[i] = w.fe-w.fs >= vmin && !sc.vnone[w.h>>(64-vnoneSetsLog)].has(w.h)
	}
}

// variants verifies the phrases filed under the variant keys of word wi
// (see variant.go) and adds those that match to cands, each once.
//
// Which anchors a word is a variant of depends on the word alone, and text
// is mostly the same few thousand words, so the answer is remembered per
// word hash: most words then cost one comparison instead of their probes.
func (t *table) variants(cands []cand, sc *scratch, wi int) []cand {
	w := &sc.tok.words[wi]
	var as []anchor
	if w.h == 0 {
		// 0 marks an empty slot: such a word is looked up every time.
		as = t.variantsOf(sc, wi, nil)
	} else {
		none := &sc.vnone[w.h>>(64-vnoneSetsLog)]
		if none.has(w.h) {
			return cands
		}
		set := &sc.vsome[w.h>>(64-vsomeSetsLog)]
		switch w.h {
		case set[0].h:
			as = set[0].as
		case set[1].h:
			as = set[1].as
		default:
			// Found into vtmp first: a word with none (most) goes to vnone
			// and must not evict a word with some.
			sc.vtmp = t.variantsOf(sc, wi, sc.vtmp[:0])
			if len(sc.vtmp) == 0 {
				none.add(w.h)
				return cands
			}
			// The newer entry first; the older one's anchors make room.
			set[0], set[1] = set[1], set[0]
			set[0].h, set[0].as = w.h, append(set[0].as[:0], sc.vtmp...)
			as = set[0].as
		}
	}
	for i := range as {
		cands = verifyAnchor(cands, sc, wi, &as[i])
	}
	return cands
}

// variantsOf appends to as the variant anchors whose word text word wi is
// a variant of.
func (t *table) variantsOf(sc *scratch, wi int, as []anchor) []anchor {
	w := &sc.tok.words[wi]
	// MaxVariant+1: the longest variant of the longest "~" word.
	var buf [MaxVariant + 1]rune
	c, fits := collapseAtMost(buf[:0], sc.tok.buf[w.fs:w.fe], len(buf))
	n := len(c)
	// Lengths n-1, n and n+1 of "~" words (the last slot of vlens stands
	// for every longer one, and MaxVariant keeps "~" words below it).
	if !fits || n == 0 || t.vlens>>max(n-1, 0)&7 == 0 {
		return as
	}
	h := variantHash(c)
	if k := mixVariant(h, n); t.vfilter.has(k) {
		as = t.variantAnchors(as, c, k, -1)
	}
	var pre, pw uint64 = 0, 1
	for i, r := range c {
		var del uint64
		del, pre = deletionHash(h, pre, pw, r)
		pw *= variantBase
		if k := mixVariant(del, n-1); t.vfilter.hasAt(k, i) {
			as = t.variantAnchors(as, c, k, i)
		}
	}
	return as
}

// variantAnchors appends to as the anchors filed under variant key key
// whose word text word c (collapsed) is a variant of and finds under this
// probe (see variantProbe): so each once.
func (t *table) variantAnchors(as []anchor, c []rune, key uint64, probe int) []anchor {
	found := t.vtop.lookup(key)
	for i := range found {
		a := &found[i]
		// key(t minus i) = key(c minus j) is one edit only for j = i
		// (a letter changed) or j = i+1 (swapped): the filter's position
		// turned most others down, and the rest are here, before their
		// word is read.
		if probe >= 0 && a.del >= 0 && int(a.del) != probe && int(a.del) != probe+1 {
			continue
		}
		cw := a.a.coll[a.pos]
		if withinOneEdit(c, cw) && variantProbe(c, cw) == probe {
			as = append(as, *a)
		}
	}
	return as
}

// verifyAnchor verifies the phrase of anchor a around word wi and adds it
// to cands if it matches.
func verifyAnchor(cands []cand, sc *scratch, wi int, a *anchor) []cand {
	words := sc.tok.words
	if a.chkOff != 0 {
		j := wi + int(a.chkOff)
		if j < 0 || j >= len(words) || words[j].h != a.chk {
			return cands
		}
	}
	if len(sc.full) > 0 && sc.full[a.a] {
		return cands
	}
	if os, oe, ok := verify(&sc.tok, wi, a.a, int(a.pos)); ok {
		cands = append(cands, cand{c: a.c, atom: int(a.atom), span: span{atom: int(a.atom), field: int(words[wi].field), os: os, oe: oe}})
	}
	return cands
}

// groupSpans collects the spans of one query's candidates (sorted by atom,
// stable in document order), keeping a Doc.Numbers match only when the atom
// matched nowhere in the docket field, and then only the first.
func groupSpans(out []span, cs []cand) []span {
	for i := 0; i < len(cs); {
		j := i
		inDocket := false
		for j < len(cs) && cs[j].atom == cs[i].atom {
			if cs[j].span.field == 2 && cs[j].span.number == "" {
				inDocket = true
			}
			j++
		}
		numberDone := inDocket
		for _, c := range cs[i:j] {
			if c.span.number != "" {
				if numberDone {
					continue
				}
				numberDone = true
			}
			out = append(out, c.span)
		}
		i = j
	}
	return out
}

// verify checks whether phrase atom a matches the words around word wi,
// which matched a's word number pos. It returns the span in the original
// field.
func verify(tk *tokenizer, wi int, a *atom, pos int) (int, int, bool) {
	start := wi - pos
	end := start + len(a.words)
	if start < 0 || end > len(tk.words) {
		return 0, 0, false
	}
	if tk.words[start].field != tk.words[end-1].field {
		return 0, 0, false
	}
	if a.field != anyField && tk.words[start].kind != a.field {
		return 0, 0, false // party:, judge:, attorney: look in those names only
	}
	// The last word first: a cheap way out for long phrases.
	if last := len(a.words) - 1; last > 0 && !wordIs(tk, &tk.words[start+last], a, last) {
		return 0, 0, false
	}
	for j := range a.words {
		if !wordIs(tk, &tk.words[start+j], a, j) {
			return 0, 0, false
		}
	}
	return int(tk.words[start].os), int(tk.words[end-1].oe), true
}

// wordIs reports whether text word w is the phrase's word j.
func wordIs(tk *tokenizer, w *word, a *atom, j int) bool {
	tw := tk.buf[w.fs:w.fe]
	aw := a.words[j]
	if a.prefix[j] {
		return len(tw) >= len(aw) && string(tw[:len(aw)]) == aw
	}
	if a.coll != nil && a.coll[j] != nil {
		return variantOf(tw, a.coll[j])
	}
	return w.h == a.hashes[j] && string(tw) == aw
}

// filterBits is the size of the table's filter: with 10,000 watches about
// 1% of the words that are no anchor get past it.
const filterBits = 1 << 20

// filter is a one-hash Bloom filter over the table's keys, so most words of
// a document are rejected by one bit test instead of a walk down the tree.
// Bits are only ever set (atomically, so matches may read it while a
// writer adds keys); Index.update replaces it when removals have left too
// many stale bits.
type filter struct {
	bits [filterBits / 64]atomic.Uint64
}

func newFilter() *filter { return new(filter) }

func filterBit(key uint64) uint64 {
	m := key * 0x9fb21c651e98df25
	return (m ^ m>>31) & (filterBits - 1)
}

func (f *filter) set(key uint64) {
	b := filterBit(key)
	f.bits[b/64].Or(1 << (b % 64))
}

func (f *filter) has(key uint64) bool {
	b := filterBit(key)
	return f.bits[b/64].Load()&(1<<(b%64)) != 0
}

// vfilter is the filter in front of the variant keys, in two blocked
// Bloom filters (each key sets three bits of one 64-bit word, so a test is
// one load): keys holds every variant key, and is small (16 KB) so that it
// stays in the core's first-level cache, since a text word tests it once
// per letter; pos holds the keys at their positions (see variant.go), and
// is tested only when keys said yes. With 1,000 watches with a "~" word
// (about 9,000 keys and 27,000 positions) about 1% of the tests of either
// pass without an entry.
type vfilter struct {
	keys [1 << vkeysLog]atomic.Uint64
	pos  [1 << vposLog]atomic.Uint64
}

// Log2 of the sizes of vfilter.keys and vfilter.pos, in 64-bit words.
const (
	vkeysLog = 11
	vposLog  = 13
)

// bloomMask is the word (of 1<<log) and the three bits of key in a
// blocked Bloom filter: the word from the top bits of one product, the
// bits from the next ones.
func bloomMask(key uint64, log uint) (int, uint64) {
	m := key * 0x9fb21c651e98df25
	return int(m >> (64 - log)), 1<<(m>>(46-log)&63) | 1<<(m>>(52-log)&63) | 1<<(m>>(58-log)&63)
}

// setVariant sets the bits of variant key key of a word of m letters,
// which leaves out letter del of it (-1: none), and of its positions (see
// variant.go): 0..m for the word, del and del-1 for a deletion.
func (f *vfilter) setVariant(key uint64, del, m int) {
	i, bits := bloomMask(key, vkeysLog)
	f.keys[i].Or(bits)
	set := func(p int) {
		i, bits := bloomMask(posKey(key, p), vposLog)
		f.pos[i].Or(bits)
	}
	if del < 0 {
		for p := 0; p <= m; p++ {
			set(p)
		}
		return
	}
	set(del)
	if del >= 1 {
		set(del - 1)
	}
}

// has reports whether key may be a variant key.
func (f *vfilter) has(key uint64) bool {
	i, bits := bloomMask(key, vkeysLog)
	return f.keys[i].Load()&bits == bits
}

// hasAt reports whether key may be a variant key at position p.
func (f *vfilter) hasAt(key uint64, p int) bool {
	if !f.has(key) {
		return false
	}
	i, bits := bloomMask(posKey(key, p), vposLog)
	return f.pos[i].Load()&bits == bits
}
