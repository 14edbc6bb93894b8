package match

import (
	"strings"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
)

const ellipsis = "…"

// Snippet returns an excerpt of text around the term t (whose offsets are
// into text), at most limit bytes long, cut on rune boundaries and preferably
// at spaces, with "…" where text was cut. Offsets out of range are clamped.
func Snippet(text string, t Term, limit int) string {
	if limit <= 0 {
		return ""
	}
	if len(text) <= limit {
		return text
	}
	start := min(max(t.Start, 0), len(text))
	end := min(max(t.End, start), len(text))
	start = runeFloor(text, start)
	end = runeCeil(text, end)
	room := limit - (end - start) - 2*len(ellipsis)
	if room < 0 {
		// The term alone fills the budget: show its beginning.
		pre := ""
		if start > 0 && limit > 2*len(ellipsis) {
			pre = ellipsis
		}
		rest, n := text[start:], limit-len(pre)
		if n > len(ellipsis) {
			return pre + wirewatch.Ellipsize(rest, n)
		}
		return pre + wirewatch.Clip(rest, n) // no room for a "…"
	}
	before := min(room/3, start)
	after := room - before
	if end+after > len(text) {
		before += end + after - len(text)
		after = len(text) - end
		before = min(before, start)
	}
	lo, hi := start-before, end+after
	lo = runeCeil(text, lo)
	hi = runeFloor(text, hi)
	if lo > 0 {
		// Start after a space if one is near, so no word is cut in half.
		if i := strings.IndexByte(text[lo:start], ' '); i >= 0 && i < 24 {
			lo += i + 1
		}
	}
	if hi < len(text) {
		if i := strings.LastIndexByte(text[end:hi], ' '); i >= 0 && hi-(end+i) < 24 {
			hi = end + i
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString(ellipsis)
	}
	b.WriteString(text[lo:hi])
	if hi < len(text) {
		b.WriteString(ellipsis)
	}
	return b.String()
}

// runeFloor moves i back to the start of the rune it falls in.
func runeFloor(s string, i int) int {
	i = min(max(i, 0), len(s))
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// runeCeil moves i forward to the start of the next rune.
func runeCeil(s string, i int) int {
	i = min(max(i, 0), len(s))
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}
