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
