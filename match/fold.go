package match

import (
	"encoding/binary"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldTableSize is how many runes get a precomputed fold entry. It covers
// Latin, Greek, Cyrillic, Hebrew, Arabic and the General Punctuation block
// (typographic quotes and dashes). Runes above it are folded on demand and
// kept in a bounded cache.
const foldTableSize = 0x2200

// maxFoldCache bounds the cache of runes above foldTableSize, so hostile
// input cannot grow it without limit.
const maxFoldCache = 1 << 14

// A rune's fold is a string of word characters and spaces: "" means the rune
// is dropped (a combining accent), " " that it separates words, anything
// else the lower-case, accent-free word characters it stands for (some runes
// give more than one: "ﬁ" → "fi", "⑴" → " 1 ").
type folder struct {
	ascii [128]byte // lower-case letter or digit, 0 for a separator
	fold  [128]byte // the same with separators as 0x80|' '

	table []string // runes below foldTableSize
	mu    sync.RWMutex
	cache map[rune]string
}

var (
	foldOnce sync.Once
	theFold  *folder
)

// defaultFolder returns the immutable, lazily built fold tables. They are a
// pure function of the Unicode tables, like the unicode package's own.
func defaultFolder() *folder {
	foldOnce.Do(func() {
		f := &folder{table: make([]string, foldTableSize), cache: map[rune]string{}}
		for c := 0; c < 128; c++ {
			f.fold[c] = 0x80 | ' '
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				f.ascii[c] = byte(c)
				f.fold[c] = byte(c)
			case c >= 'A' && c <= 'Z':
				f.ascii[c] = byte(c) + 'a' - 'A'
				f.fold[c] = byte(c) + 'a' - 'A'
			}
		}
		for r := rune(0); r < foldTableSize; r++ {
			f.table[r] = foldRuneSlow(r)
		}
		theFold = f
	})
	return theFold
}

// foldOf returns the fold of any rune.
func (f *folder) foldOf(r rune) string {
	if r < utf8.RuneSelf {
		if c := f.ascii[r]; c != 0 {
			return string(rune(c))
		}
		return " "
	}
	return f.rune(r)
}

// rune returns the fold of r (r >= 0x80).
func (f *folder) rune(r rune) string {
	if r < foldTableSize {
		return f.table[r]
	}
	f.mu.RLock()
	s, ok := f.cache[r]
	f.mu.RUnlock()
	if ok {
		return s
	}
	s = foldRuneSlow(r)
	f.mu.Lock()
	if len(f.cache) < maxFoldCache {
		f.cache[r] = s
	}
	f.mu.Unlock()
	return s
}

// foldRuneSlow folds one rune the slow, obviously right way: compatibility
// decomposition, combining marks removed, recomposition, lower case; then
// every character that is not part of a word becomes a space.
func foldRuneSlow(r rune) string {
	if r == utf8.RuneError {
		return " "
	}
	if unicode.Is(unicode.Mn, r) {
		return ""
	}
	s, _, err := transform.String(transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), string(r))
	if err != nil {
		return " "
	}
	s = strings.ToLower(s)
	var b strings.Builder
	for _, c := range s {
		if isWordRune(c) {
			b.WriteRune(c)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// isWordRune reports whether c, already folded, belongs to a word: letters,
// decimal digits and spacing marks (which some scripts need inside words).
func isWordRune(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.In(c, unicode.Mc, unicode.Me)
}

// Fold returns s lower-cased, without accents, with typographic quotes and
// dashes treated like their ASCII forms, and with every run of characters
// that are not letters or digits (spaces, hyphens, apostrophes, punctuation)
// replaced by one space; it is the form in which queries and texts are
// compared. Fold("Ábrego-García’s") is "abrego garcia s".
func Fold(s string) string {
	f := defaultFolder()
	tab := &f.fold
	// out keeps at least as many free bytes as s has left, so the ASCII
	// path writes without checks; it grows only when a rune folds longer.
	out := make([]byte, len(s)+8)
	j := 0
	var prev byte = 1 // the last byte written was a separator (or none yet)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// Branch-free: write the folded byte, and advance unless it
			// is a second separator in a row.
			b := tab[c]
			sp := b >> 7 // 1 for a separator
			out[j] = b & 0x7f
			j += int(1 - sp&prev)
			prev = sp
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		fr := f.rune(r)
		i += size
		if need := j + len(fr) + len(s) - i + 8; need > len(out) {
			out = append(out, make([]byte, need-len(out))...)
		}
		for k := 0; k < len(fr); k++ {
			b := fr[k]
			if b == ' ' {
				if prev == 0 {
					out[j] = ' '
					j++
				}
				prev = 1
				continue
			}
			out[j] = b
			j++
			prev = 0
		}
	}
	if j > 0 && prev == 1 {
		j-- // drop the trailing separator
	}
	return string(out[:j])
}

// word is one word of a text: its folded bytes in the tokenizer's buffer,
// its span in the original string and hashes for the index.
type word struct {
	h      uint64 // hash of the folded word
	fs, fe int32  // folded bytes: buf[fs:fe]
	os, oe int32  // original bytes: s[os:oe]
	field  uint8  // the segment of the document (docText) or query
	kind   uint8  // the list of names the segment is one of, else anyField
}

// tokenizer splits texts into folded words. The zero value is ready; it is
// reused across calls to avoid allocation.
type tokenizer struct {
	buf   []byte
	words []word
}

// hashString hashes a folded word. It mixes 8 bytes at a time, so that
// words are hashed after they are folded rather than byte by byte.
func hashString(s string) uint64 {
	h := uint64(len(s))*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for len(s) >= 8 {
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ v) * 0xff51afd7ed558ccd
		h ^= h >> 32
		s = s[8:]
	}
	if len(s) > 0 {
		var v uint64
		for i := 0; i < len(s); i++ {
			v |= uint64(s[i]) << (8 * i)
		}
		h = (h ^ v) * 0xc4ceb9fe1a85ec53
	}
	h ^= h >> 29
	return h
}

// hashBytes is hashString of b, without a copy. A short tail is read with
// one 8-byte load when b's capacity allows, and masked.
func hashBytes(b []byte) uint64 {
	h := uint64(len(b))*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xff51afd7ed558ccd
		h ^= h >> 32
		b = b[8:]
	}
	if n := len(b); n > 0 {
		var v uint64
		if cap(b) >= 8 {
			v = binary.LittleEndian.Uint64(b[:8]) & (1<<(8*uint(n)) - 1)
		} else {
			for i := 0; i < n; i++ {
				v |= uint64(b[i]) << (8 * i)
			}
		}
		h = (h ^ v) * 0xc4ceb9fe1a85ec53
	}
	h ^= h >> 29
	return h
}

// Prefix terms are filed under the hash of their first bytes, at most
// maxPrefixKey of them (a 3-letter prefix has at least 3 bytes), and a text
// word is looked up under its first n bytes for each n that some prefix
// term in the index uses. Bytes rather than runes: a word starts with a
// prefix exactly when their first bytes agree, so no rune decoding is
// needed.
const (
	minPrefixKey = MinPrefix
	maxPrefixKey = 6
	prefixKinds  = maxPrefixKey - minPrefixKey + 1
)

// prefixKeyLen is how many bytes of prefix p its key covers.
func prefixKeyLen(p string) int { return min(len(p), maxPrefixKey) }

// prefixHash is the key of prefix p.
func prefixHash(p string) uint64 { return hashString(p[:prefixKeyLen(p)]) }

// run appends the words of s to t, tagged with field.
func (t *tokenizer) run(s string, field uint8) {
	f := defaultFolder()
	ascii := &f.ascii
	buf, words := t.buf, t.words
	var (
		in     bool  // inside a word
		fs, os int32 // where the word starts in buf and in s
		oe     int
	)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			fc := ascii[c]
			if fc == 0 {
				if in {
					words = append(words, word{h: hashBytes(buf[fs:]), fs: fs, fe: int32(len(buf)), os: os, oe: int32(oe), field: field})
					in = false
				}
				i++
				continue
			}
			if !in {
				in = true
				fs, os = int32(len(buf)), int32(i)
			}
			// The common case: a run of ASCII letters and digits.
			for {
				buf = append(buf, fc)
				i++
				if i == len(s) || s[i] >= utf8.RuneSelf {
					break
				}
				if fc = ascii[s[i]]; fc == 0 {
					break
				}
			}
			oe = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		fr := f.rune(r)
		if fr == "" { // a combining mark belongs to the word it follows
			if in {
				oe = i + size
			}
			i += size
			continue
		}
		for _, fc := range fr {
			if fc == ' ' {
				if in {
					words = append(words, word{h: hashBytes(buf[fs:]), fs: fs, fe: int32(len(buf)), os: os, oe: int32(oe), field: field})
					in = false
				}
				continue
			}
			if !in {
				in = true
				fs, os = int32(len(buf)), int32(i)
			}
			buf = utf8.AppendRune(buf, fc)
			oe = i + size
		}
		i += size
	}
	if in {
		words = append(words, word{h: hashBytes(buf[fs:]), fs: fs, fe: int32(len(buf)), os: os, oe: int32(oe), field: field})
	}
	t.buf, t.words = buf, words
}

func (t *tokenizer) reset() {
	t.buf = t.buf[:0]
	t.words = t.words[:0]
}

// text returns the folded bytes of w.
func (t *tokenizer) text(w *word) []byte { return t.buf[w.fs:w.fe] }
