// Package neardup recognises near copies of one text: the same wire story
// carried by several outlets under other headlines, trimmed, with another
// lede or a credit line added. A text's signature is a b-bit MinHash
// (Broder 1997; Li and König 2010) of its word shingles: 128 minima of
// 8 bits each, and the shingle count. From two signatures comes an
// estimate of how much of the shorter text the longer one contains
// (containment, not Jaccard: an outlet that cuts the last third of a story
// still carries it); two texts are one story when it is at least
// Threshold. It is written here rather than imported: it is a few dozen
// lines, and the threshold was measured with exactly this hashing
// (neardup_test.go). SimHash was tried first and could not tell a trimmed
// copy from another story of the same case on that corpus.
package neardup

import (
	"encoding/binary"
	"math/bits"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Shingle is the number of words in a shingle: 4 keeps a reworded
// sentence's other shingles and is rare enough across different stories
// that their shared phrases (names, titles, "said in a statement") weigh
// little; 3 merged different stories on the corpus (neardup_test.go
// measures 2 to 5; BENCHMARKS.md, "Same story, many outlets").
const Shingle = 4

// MinWords is the fewest words a text needs for a signature: under it (a
// teaser, a paywall's first lines) a few words would decide, and stories
// would merge by their shared phrases.
const MinWords = 80

// Threshold is the least containment of one story's copies, measured on
// the corpus of neardup_test.go (BENCHMARKS.md, "Same story, many
// outlets").
const Threshold = 0.65

// hashes is the number of minima in a signature: 64 gave estimates too
// noisy to keep the corpus's stories apart at a useful threshold.
const hashes = 128

// Sig is a text's signature.
type Sig struct {
	min [hashes / 8]uint64 // the low 8 bits of each minimum, 8 to a word
	n   uint32             // shingles
}

// Of is text's signature; ok is false for a text of fewer than MinWords
// words. Words are runs of letters and digits, folded to lower case.
func Of(text string) (sig Sig, ok bool) { return of(text, Shingle) }

// of is Of with shingles of w ≤ 8 words.
func of(text string, w int) (sig Sig, ok bool) {
	var mins [hashes]uint32
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	var ring [8]uint64
	words := 0
	h := uint64(offset)
	inWord := false
	add := func() {
		ring[words%w] = mix(h)
		words++
		if words >= w {
			var s uint64
			for i := range w {
				// In order: shingle (a b c) is not (c b a).
				s = mix(s ^ ring[(words-w+i)%w])
			}
			// The i-th hash of s: multiply-shift with the i-th odd
			// multiplier, a fresh permutation for each minimum.
			for i := range mins {
				if v := uint32((s * multipliers[i]) >> 32); v < mins[i] {
					mins[i] = v
				}
			}
		}
		h, inWord = offset, false
	}
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		i += n
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
		case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			r = unicode.ToLower(r)
		default:
			if inWord {
				add()
			}
			continue
		}
		inWord = true
		h = (h ^ uint64(r)) * prime // FNV-1a over the runes
	}
	if inWord {
		add()
	}
	if words < MinWords {
		return Sig{}, false
	}
	for i, m := range mins {
		sig.min[i/8] |= uint64(uint8(m)) << (8 * (i % 8))
	}
	sig.n = uint32(words - w + 1)
	return sig, true
}

// multipliers are the odd multipliers of the minima's hashes (fixed, so
// signatures compare across runs).
var multipliers = func() (m [hashes]uint64) {
	x := uint64(0x2545f4914f6cdd1d)
	for i := range m {
		x = mix(x + 0x9e3779b97f4a7c15)
		m[i] = x | 1
	}
	return m
}()

// equalBytes counts the bytes a and b have equal.
func equalBytes(a, b uint64) int {
	x := a ^ b
	// A byte of x is zero iff its high bit ends up set here.
	t := (x & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f
	t = ^(t | x | 0x7f7f7f7f7f7f7f7f)
	return bits.OnesCount64(t)
}

// Containment estimates how much of the shorter of the texts of a and b
// the other carries, from 0 to 1.
func Containment(a, b Sig) float64 {
	m := 0
	for i := range a.min {
		m += equalBytes(a.min[i], b.min[i])
	}
	return containment(a, b, m)
}

func containment(a, b Sig, equal int) float64 {
	// Two unequal minima agree in their low 8 bits one time in 256.
	j := (float64(equal)/hashes - 1.0/256) / (1 - 1.0/256)
	if j <= 0 || a.n == 0 || b.n == 0 {
		return 0
	}
	c := j * float64(a.n+b.n) / ((1 + j) * float64(min(a.n, b.n)))
	return min(c, 1)
}

const (
	offset = 14695981039346656037
	prime  = 1099511628211
)

// mix is splitmix64's finaliser: FNV's low bits are weak, and SimHash
// needs every bit of a shingle's hash to be a fair coin.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Index keeps the signatures of recent texts, at most Max of them and none
// older than MaxAge, each with a value (what the caller needs to find the
// story again). A lookup reads only candidates, found by LSH banding: the
// first 126 minima are cut into 42 bands of 3 (24 bits each), every kept
// signature is filed under each of its bands, and a candidate is one that
// has some band equal to the new text's. Each candidate is then measured
// with Containment against Threshold. Two texts whose minima agree with
// probability p (Jaccard similarity J, plus 1/256 for b-bit minima that
// agree by chance) share a band with probability 1-(1-p³)^42: a pair just
// at Threshold has J 0.48 when they are as long (found with probability
// 0.993), 0.32 when one is 60 % of the other (0.77); a typical copy
// (containment 0.8–0.9, J 0.67–0.82 at equal length) 0.99999 or more. Two
// stories of one case (J 0.05–0.1) share a band with probability
// 0.006–0.05, unrelated texts almost never.
type Index[T any] struct {
	Max    int
	MaxAge time.Duration

	mu   sync.Mutex
	sigs []Sig
	vals []T
	at   []time.Time
	next int // ring position of the next Add once full

	// The band table: chained hashing of entries, entry e (from 1) being
	// band (e-1)%bands of slot (e-1)/bands. buckets holds each chain's
	// first entry, link the entry after each (0 ends a chain).
	buckets []int32
	link    []int32
	// seen[slot] == lookup marks a slot already measured in this lookup.
	seen   []uint32
	lookup uint32
}

// bands of rows minima each (126 of the 128). Rows 2 would find more
// pairs just at Threshold, but stories of one case share common phrases:
// on the corpus 15 % of them share a band of 2, 0.6 % one of 3, and their
// chains made a lookup slower than the scan it replaces.
const (
	bands = 42
	rows  = 3
)

// minimum is s's k-th minimum (its low 8 bits).
func minimum(s *Sig, k int) uint32 { return uint32(uint8(s.min[k/8] >> (8 * (k % 8)))) }

// band is s's j-th band: minima 3j to 3j+2.
func band(s *Sig, j int) uint32 {
	return minimum(s, rows*j)<<16 | minimum(s, rows*j+1)<<8 | minimum(s, rows*j+2)
}

// shareBand: a and b have some band equal, so a lookup of one measures
// the other.
func shareBand(a, b *Sig) bool {
	for j := range bands {
		if band(a, j) == band(b, j) {
			return true
		}
	}
	return false
}

// bucket is the chain of band j with value v.
func (ix *Index[T]) bucket(j int, v uint32) *int32 {
	h := mix(uint64(j)<<24 | uint64(v))
	return &ix.buckets[h&uint64(len(ix.buckets)-1)]
}

// file adds slot i's bands to the table.
func (ix *Index[T]) file(i int) {
	for j := range bands {
		b := ix.bucket(j, band(&ix.sigs[i], j))
		e := int32(i*bands + j + 1)
		ix.link[e-1], *b = *b, e
	}
}

// unfile removes slot i's bands from the table, before its slot is
// reused: chains hold a few entries, so walking one is cheap.
func (ix *Index[T]) unfile(i int) {
	for j := range bands {
		e := int32(i*bands + j + 1)
		for p := ix.bucket(j, band(&ix.sigs[i], j)); *p != 0; p = &ix.link[*p-1] {
			if *p == e {
				*p = ix.link[e-1]
				break
			}
		}
	}
}

// grow makes room in the table for slot n, before it is filled: about
// two entries a chain. Refiling the slots kept on each doubling costs, in
// all, about as much as filing each signature twice.
func (ix *Index[T]) grow(n int) {
	ix.link = append(ix.link, make([]int32, bands)...)
	ix.seen = append(ix.seen, 0)
	size := 1 << 10
	for size < (n+1)*bands/2 {
		size *= 2
	}
	if size <= len(ix.buckets) {
		return
	}
	ix.buckets = make([]int32, size)
	for i := range n {
		ix.file(i)
	}
}

// nearest is the index of the signature most contained in s or containing
// it, at least Threshold, or -1.
func (ix *Index[T]) nearest(s Sig, now time.Time) int {
	if len(ix.sigs) == 0 {
		return -1
	}
	ix.lookup++
	if ix.lookup == 0 { // wrapped: forget the marks of 4 billion lookups ago
		clear(ix.seen)
		ix.lookup = 1
	}
	best, bestC := -1, Threshold
	for j := range bands {
		v := band(&s, j)
		for e := *ix.bucket(j, v); e != 0; e = ix.link[e-1] {
			i := int(e-1) / bands
			if int(e-1)%bands != j || ix.seen[i] == ix.lookup || band(&ix.sigs[i], j) != v {
				continue // another band's or value's entry in the chain
			}
			ix.seen[i] = ix.lookup
			if c := Containment(s, ix.sigs[i]); c >= bestC && (ix.MaxAge <= 0 || now.Sub(ix.at[i]) <= ix.MaxAge) {
				best, bestC = i, c
			}
		}
	}
	return best
}

// FindOrAdd returns the value of the story s is a copy of, if any (found
// true); else it adds s with the value v gives and returns that. One lock
// covers both, so two outlets of one story arriving at once are one story.
func (ix *Index[T]) FindOrAdd(s Sig, now time.Time, v func() T) (val T, found bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if i := ix.nearest(s, now); i >= 0 {
		return ix.vals[i], true
	}
	val = v()
	ix.put(s, val, now)
	return val, false
}

// put keeps s with val, in place of the oldest once Max are kept.
func (ix *Index[T]) put(s Sig, val T, now time.Time) {
	if ix.Max <= 0 || len(ix.sigs) < ix.Max {
		i := len(ix.sigs)
		ix.grow(i)
		ix.sigs, ix.vals, ix.at = append(ix.sigs, s), append(ix.vals, val), append(ix.at, now)
		ix.file(i)
		return
	}
	i := ix.next
	ix.unfile(i)
	ix.sigs[i], ix.vals[i], ix.at[i] = s, val, now
	ix.file(i)
	ix.next = (ix.next + 1) % ix.Max
}

// Len is the number of signatures kept.
func (ix *Index[T]) Len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return len(ix.sigs)
}

// SigLen is the length of a signature's encoding (Append).
const SigLen = hashes + 4

// Append appends s's encoding to b: its minima, then its shingle count,
// SigLen bytes, to keep a story's signature across restarts.
func (s Sig) Append(b []byte) []byte {
	for _, w := range s.min {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return binary.LittleEndian.AppendUint32(b, s.n)
}

// ParseSig is the signature Append encoded in b; ok is false unless b is
// SigLen bytes long with a shingle count.
func ParseSig(b []byte) (s Sig, ok bool) {
	if len(b) != SigLen {
		return Sig{}, false
	}
	for i := range s.min {
		s.min[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	s.n = binary.LittleEndian.Uint32(b[hashes:])
	return s, s.n > 0
}

// Add keeps s with val as seen at at, without looking it up: for filling
// the index from saved stories, oldest first (once Max are kept, each
// takes the place of the oldest).
func (ix *Index[T]) Add(s Sig, val T, at time.Time) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.put(s, val, at)
}
