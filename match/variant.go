package match

import (
	"slices"
	"unicode/utf8"
)

// Spelling variants ("Mazzara~").
//
// A text word is a variant of a query word when, both folded and with
// every run of one letter written once ("mazzara" and "mazarra" both give
// "mazara"), they are equal or one edit apart: a letter added, dropped or
// changed, or two neighbours swapped (Damerau distance 1).
//
// The index finds variants by symmetric deletion. A "~" word of
// collapsed form c is filed under key(c) and, for each letter j, key(c
// minus j); a text word of collapsed form t is looked up under key(t) and,
// for each letter i, key(t minus i). Every variant shares a key with the
// word, found under exactly one probe of the text word (variantProbe):
//
//	key(t) = key(c)               t = c
//	key(t) = key(c minus j)       t lacks letter j of c
//	key(t minus i) = key(c)       t has a letter more, at i
//	key(t minus i) = key(c minus i)    letter i changed
//	key(t minus i) = key(c minus i+1)  letters i and i+1 swapped
//
// A key shared otherwise (key(t minus i) = key(c minus j) for j far from
// i: two edits; or key(t minus i) = key(c minus i) when t = c) leads
// nowhere, and with words made of common syllables such look-ups would be
// most of them. So the filter in front of the table holds key(t minus i)
// with its position i: a "~" word sets key(c) at every position 0..len(c),
// and key(c minus j) at positions j and j-1. Each probe of a text word is
// then one test of the filter, and look-ups are mostly for words that are
// variants. The anchors found are verified with withinOneEdit. The keys
// are polynomial hashes computed for all deletions of a word in one pass.

// maxVariantRunes bounds the collapsed words handled on the stack; longer
// ones (rare: a query word has at most MaxQueryChars) use the heap.
const maxVariantRunes = 64

// collapse appends the runes of folded word w to dst with every run of one
// rune written once.
func collapse(dst []rune, w []byte) []rune {
	dst, _ = collapseAtMost(dst, w, -1)
	return dst
}

// collapseAtMost is collapse, giving up (false) once the result would be
// longer than limit runes (limit < 0: no limit): a longer text word cannot be a variant of any
// "~" word, and a huge one (a field of one word) must not cost its length.
func collapseAtMost(dst []rune, w []byte, limit int) ([]rune, bool) {
	var prev rune = -1
	for i := 0; i < len(w); {
		r, size := rune(w[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(w[i:])
		}
		i += size
		if r != prev {
			if len(dst) == limit {
				return dst, false
			}
			dst = append(dst, r)
			prev = r
		}
	}
	return dst, true
}

// withinOneEdit reports whether a and b are equal or one insertion,
// deletion, substitution or swap of neighbours apart.
func withinOneEdit(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true // equal, or b has one more rune at the end
	}
	if len(a) < len(b) {
		return slices.Equal(a[i:], b[i+1:]) // one inserted in b
	}
	if slices.Equal(a[i+1:], b[i+1:]) {
		return true // one changed
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && slices.Equal(a[i+2:], b[i+2:])
}

// variantOf reports whether text word tw (folded) is a spelling variant of
// the query word whose collapsed runes are cw.
func variantOf(tw []byte, cw []rune) bool {
	// A collapsed text word more than one rune longer than cw cannot be
	// within one edit: collapsing stops there (a huge word costs no more).
	if len(tw) == 0 {
		return false
	}
	var buf [maxVariantRunes]rune
	ct, fits := collapseAtMost(buf[:0], tw, len(cw)+1)
	return fits && withinOneEdit(ct, cw)
}

// variantProbe tells under which of its probes text word t (collapsed)
// finds "~" word c (collapsed) when t is a variant of c: -1 for key(t), i
// for key(t minus i). It is only meaningful when withinOneEdit(t, c).
func variantProbe(t, c []rune) int {
	if len(t) < len(c) {
		return -1 // a letter less: key(t) = key(c minus j)
	}
	d := 0
	for d < len(c) && t[d] == c[d] {
		d++
	}
	if d == len(t) {
		return -1 // equal
	}
	// A letter more, changed or swapped at d: key(t minus d).
	return d
}

// saltVariant keeps variant keys apart from word, prefix and case keys.
const saltVariant = 0x165667b19e3779f9

// variantBase is the multiplier of the polynomial hash of variant keys,
// hash(s) = Σ (s[k]+1)·variantBase^k, and variantInv its inverse modulo
// 2^64, which lets one pass compute the keys of all of a word's deletions.
const (
	variantBase = 0x100000001b3
	variantInv  = 0xce965057aff6957b
)

// mixVariant makes a polynomial hash of n runes a key. The tree and the
// filters mix keys themselves, so this only adds the length (and keeps
// the probes of a text word to a few instructions each).
func mixVariant(h uint64, n int) uint64 {
	return h ^ uint64(n)*0x9e3779b97f4a7c15 ^ saltVariant
}

// posKey is variant key key at position i, an entry of the filter only.
func posKey(key uint64, i int) uint64 { return key + uint64(i+1)*0xd6e8feb86659fd93 }

// variantHash is the polynomial hash of c.
func variantHash(c []rune) uint64 {
	var h, pw uint64 = 0, 1
	for _, r := range c {
		h += (uint64(r) + 1) * pw
		pw *= variantBase
	}
	return h
}

// deletionHash returns the hash of c with rune i deleted, given h =
// variantHash(c), pre = the hash of c[:i] and pw = variantBase^i; and the
// hash of c[:i+1], to be pre for i+1.
func deletionHash(h, pre, pw uint64, r rune) (del, next uint64) {
	next = pre + (uint64(r)+1)*pw
	// c[i+1:] keeps its powers minus one: (h − hash(c[:i+1]))/variantBase.
	return pre + (h-next)*variantInv, next
}

// variantKeys appends to keys the keys a "~" word of collapsed form c is
// filed under: key(c), then key(c minus j) for each j (all different: c
// has no letter twice in a row).
func variantKeys(keys []uint64, c []rune) []uint64 {
	h := variantHash(c)
	keys = append(keys, mixVariant(h, len(c)))
	var pre, pw uint64 = 0, 1
	for _, r := range c {
		var del uint64
		del, pre = deletionHash(h, pre, pw, r)
		pw *= variantBase
		keys = append(keys, mixVariant(del, len(c)-1))
	}
	return keys
}
