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
// The index finds variants by symmetric deletion, with the position of
// the deleted letter in some keys. A text word of collapsed form t is
// looked up under key(t) and under key(t minus letter i, i) for each i; a
// "~" word w is filed under
//
//	key(w)                                   t = w
//	key(w minus letter j) for each j         t lacks letter j of w
//	key(w, i) for i = 0..len(w)              t has a letter more, at i
//	key(w minus letter j, i), |i-j| <= 1     t has letter j changed (i = j)
//	                                         or swapped with j-1 (i = j-1)
//
// so every variant shares a key with the word, and a shared key means a
// variant or, rarely, a word two edits away (letters j and j+1 both
// changed): the keys found are verified with withinOneEdit. The keys are
// polynomial hashes computed for all deletions of a word in one pass.

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

// saltVariant keeps variant keys apart from word, prefix and case keys.
const saltVariant = 0x165667b19e3779f9

// variantBase is the multiplier of the polynomial hash of variant keys,
// hash(s) = Σ (s[k]+1)·variantBase^k, and variantInv its inverse modulo
// 2^64, which lets one pass compute the keys of all of a word's deletions.
const (
	variantBase = 0x100000001b3
	variantInv  = 0xce965057aff6957b
)

// mixVariant finishes a polynomial hash of n runes into a key.
func mixVariant(h uint64, n int) uint64 {
	h ^= uint64(n) * 0x9e3779b97f4a7c15
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h ^ saltVariant
}

// mixVariantAt is mixVariant for a key that also names position i.
func mixVariantAt(h uint64, n, i int) uint64 {
	return mixVariant(h+uint64(i+1)*0xd6e8feb86659fd93, n) ^ 0x2545f4914f6cdd1d
}

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

// variantKeys returns the keys a "~" word of collapsed form c is filed
// under (see the top of this file), each once, key(c) first.
func variantKeys(c []rune) []uint64 {
	m := len(c)
	h := variantHash(c)
	keys := make([]uint64, 0, 5*m+2)
	keys = append(keys, mixVariant(h, m))
	for i := 0; i <= m; i++ {
		keys = append(keys, mixVariantAt(h, m, i))
	}
	var pre, pw uint64 = 0, 1
	for j, r := range c {
		var del uint64
		del, pre = deletionHash(h, pre, pw, r)
		pw *= variantBase
		keys = append(keys, mixVariant(del, m-1))
		for i := max(j-1, 0); i <= j+1 && i < m; i++ {
			keys = append(keys, mixVariantAt(del, m-1, i))
		}
	}
	rest := keys[1:]
	slices.Sort(rest)
	return keys[:1+len(slices.Compact(rest))]
}
