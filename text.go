package wirewatch

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Clip cuts s to at most n bytes without splitting a rune.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:max(n, 0)]
}

// Ellipsize cuts s to at most n bytes without splitting a rune and marks
// the cut with "…".
func Ellipsize(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return Clip(s, n-len("…")) + "…"
}

// IDLess orders the ids of watches and feeds: those of the config file
// ("cfg-2" before "cfg-10") before those of the store ("w2" before "w10").
func IDLess(a, b string) bool {
	ca, cb := ConfigID(a), ConfigID(b)
	if ca != cb {
		return ca
	}
	na, ea := strconv.Atoi(strings.TrimLeft(a, "abcdefghijklmnopqrstuvwxyz-"))
	nb, eb := strconv.Atoi(strings.TrimLeft(b, "abcdefghijklmnopqrstuvwxyz-"))
	if ea == nil && eb == nil && na != nb {
		return na < nb
	}
	return a < b
}

// FitLines renders n lines of a list within budget characters (runes) in
// all: form(i, level) renders line i from level 0, the richest (linked,
// long), to levels-1, the smallest. Every line first gets its smallest
// form; then, in order, each gets the richest form the rest of the budget
// still takes. A caller whose smallest forms can exceed budget must bound
// n itself.
func FitLines(n, levels, budget int, form func(i, level int) string) []string {
	out := make([]string, n)
	size := make([]int, n)
	used := 0
	for i := range n {
		out[i] = form(i, levels-1)
		size[i] = utf8.RuneCountInString(out[i])
		used += size[i]
	}
	for i := range n {
		for lv := range levels - 1 {
			s := form(i, lv)
			if w := utf8.RuneCountInString(s); used-size[i]+w <= budget {
				out[i], used, size[i] = s, used-size[i]+w, w
				break
			}
		}
	}
	return out
}
