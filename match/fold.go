package match

import (
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
	table []string  // runes below foldTableSize
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
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
				f.ascii[c] = byte(c)
			case c >= 'A' && c <= 'Z':
				f.ascii[c] = byte(c) + 'a' - 'A'
			}
		}
		for r := rune(0); r < foldTableSize; r++ {
			f.table[r] = foldRuneSlow(r)
		}
		theFold = f
	})
	return theFold
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
	var t tokenizer
	t.run(s, 0)
	if len(t.words) == 0 {
		return ""
	}
	out := make([]byte, 0, len(t.buf)+len(t.words))
	for i, w := range t.words {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, t.buf[w.fs:w.fe]...)
	}
	return string(out)
}

// word is one word of a text: its folded bytes in the tokenizer's buffer,
// its span in the original string and hashes for the index.
type word struct {
	h      uint64 // hash of the folded word
	h3     uint64 // hash of its first 3 runes, when it has at least 3
	fs, fe int32  // folded bytes: buf[fs:fe]
	os, oe int32  // original bytes: s[os:oe]
	field  uint8
}

// tokenizer splits texts into folded words. The zero value is ready; it is
// reused across calls to avoid allocation.
type tokenizer struct {
	buf   []byte
	words []word
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// prefixHash is the hash of the first 3 runes of a folded word (0 if it has
// fewer), the key under which prefix terms are indexed.
func prefixHash(w string) uint64 {
	n := 0
	for i := range w {
		if n == 3 {
			return hashString(w[:i])
		}
		n++
	}
	if n == 3 {
		return hashString(w)
	}
	return 0
}

// run appends the words of s to t, tagged with field.
func (t *tokenizer) run(s string, field uint8) {
	f := defaultFolder()
	in := false // inside a word
	var h, h3 uint64
	nr := 0 // runes in the current word
	var cur word
	end := func() {
		if in {
			cur.fe = int32(len(t.buf))
			cur.h = h
			if nr >= 3 {
				cur.h3 = h3
			}
			t.words = append(t.words, cur)
			in = false
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if fc := f.ascii[c]; fc != 0 {
				if !in {
					in, h, nr = true, fnvOffset, 0
					cur = word{fs: int32(len(t.buf)), os: int32(i), field: field}
				}
				t.buf = append(t.buf, fc)
				h = (h ^ uint64(fc)) * fnvPrime
				nr++
				if nr == 3 {
					h3 = h
				}
				cur.oe = int32(i + 1)
			} else {
				end()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		fs := f.rune(r)
		if fs == "" { // combining mark: part of the word it follows
			if in {
				cur.oe = int32(i + size)
			}
			i += size
			continue
		}
		for _, fc := range fs {
			if fc == ' ' {
				end()
				continue
			}
			if !in {
				in, h, nr = true, fnvOffset, 0
				cur = word{fs: int32(len(t.buf)), os: int32(i), field: field}
			}
			n := len(t.buf)
			t.buf = utf8.AppendRune(t.buf, fc)
			for _, b := range t.buf[n:] {
				h = (h ^ uint64(b)) * fnvPrime
			}
			nr++
			if nr == 3 {
				h3 = h
			}
			cur.oe = int32(i + size)
		}
		i += size
	}
	end()
}

func (t *tokenizer) reset() {
	t.buf = t.buf[:0]
	t.words = t.words[:0]
}

// text returns the folded bytes of w.
func (t *tokenizer) text(w *word) []byte { return t.buf[w.fs:w.fe] }
