package match

import "unicode/utf8"

// Spelling variants ("Mazzara~").
//
// A text word is a variant of a query word when, both folded and with
// every run of one letter written once ("mazzara" and "mazarra" both give
// "mazara"), they are equal or one edit apart: a letter added, dropped or
// changed, or two neighbours swapped (Damerau distance 1).
//
// The index finds variants by symmetric deletion: a "~" word is filed
// under its collapsed form and under each form with one letter deleted,
// and a text word is looked up the same way. Two strings within one edit
// always share one of those keys (a substitution or a swap leaves the same
// string once the differing letter, or one of the swapped pair, is
// deleted), so no "~" word is missed; the keys found are then verified
// with variantOf. The keys are polynomial hashes computed for all
// deletions of a word in one pass.

// maxVariantRunes bounds the collapsed words handled on the stack; longer
// ones (rare: a query word has at most MaxQueryChars) use the heap.
const maxVariantRunes = 64

// collapse appends the runes of folded word w to dst with every run of one
// rune written once.
func collapse(dst []rune, w []byte) []rune {
	var prev rune = -1
	for i := 0; i < len(w); {
		r, size := rune(w[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(w[i:])
		}
		i += size
		if r != prev {
			dst = append(dst, r)
			prev = r
		}
	}
	return dst
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
		return equalRunes(a[i:], b[i+1:]) // one inserted in b
	}
	if equalRunes(a[i+1:], b[i+1:]) {
		return true // one changed
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && equalRunes(a[i+2:], b[i+2:])
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// variantOf reports whether text word tw (folded) is a spelling variant of
// the query word whose collapsed runes are cw.
func variantOf(tw []byte, cw []rune) bool {
	// A collapsed word is no longer than its bytes; more than one rune
	// longer than cw cannot be within one edit.
	if len(tw) == 0 {
		return false
	}
	var buf [maxVariantRunes]rune
	ct := collapse(buf[:0], tw)
	return withinOneEdit(ct, cw)
}

// saltVariant keeps variant keys apart from word, prefix and case keys.
const saltVariant = 0x165667b19e3779f9

// variantBase is the multiplier of the polynomial hash of variant keys.
const variantBase = 0x100000001b3

// mixVariant finishes a polynomial hash of n runes into a key.
func mixVariant(h uint64, n int) uint64 {
	h ^= uint64(n) * 0x9e3779b97f4a7c15
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h ^ saltVariant
}

// variantKeys appends to dst the keys of collapsed word c: the key of c
// itself, then those of c with one rune deleted, each once. pow and pre are
// scratch space, returned for reuse.
func variantKeys(dst []uint64, c []rune, pow, pre []uint64) ([]uint64, []uint64, []uint64) {
	n := len(c)
	// pre[i] is the hash of c[:i]; pow[i] is variantBase^i.
	pow, pre = pow[:0], pre[:0]
	var p, h uint64 = 1, 0
	pow = append(pow, 1)
	pre = append(pre, 0)
	for _, r := range c {
		h = h*variantBase + uint64(r) + 1
		p *= variantBase
		pre = append(pre, h)
		pow = append(pow, p)
	}
	dst = append(dst, mixVariant(h, n))
	first := len(dst)
	for i := 0; i < n; i++ {
		if i > 0 && c[i] == c[i-1] {
			continue // the same string as deleting c[i-1]
		}
		// hash(c[:i] + c[i+1:]) = pre[i]·B^(n-1-i) + (hash(c) − pre[i+1]·B^(n-1-i))
		tail := h - pre[i+1]*pow[n-1-i]
		k := mixVariant(pre[i]*pow[n-1-i]+tail, n-1)
		dup := false
		for _, d := range dst[first:] {
			if d == k {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, k)
		}
	}
	return dst, pow, pre
}
