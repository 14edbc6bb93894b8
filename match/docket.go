package match

import (
	"strings"
	"unicode/utf8"
)

// docketNum is a federal docket number reduced to what identifies the case
// within a court: office (optional), two-digit year, case type (optional for
// bankruptcy and appellate numbers) and sequence number without leading
// zeros. "8:25-cv-00951-PX" is {office "8", year "25", typ "cv", seq "951"}.
type docketNum struct {
	office, year, typ, seq string
}

// key is the office-free form the index files case terms under.
func (d docketNum) key() string { return d.year + "-" + d.typ + "-" + d.seq }

// matches reports whether a number written in a text (t) is the case d of a
// query: same year, type and number, and the same office when both give one.
func (d docketNum) matches(t docketNum) bool {
	return d.year == t.year && d.typ == t.typ && d.seq == t.seq &&
		(d.office == "" || t.office == "" || d.office == t.office)
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// dashAt returns the length of a hyphen or typographic dash at s[i], or 0.
func dashAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	if s[i] == '-' {
		return 1
	}
	if s[i] < utf8.RuneSelf {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch r {
	case '‐', '‑', '‒', '–', '—', '−':
		return n
	}
	return 0
}

func digitsAt(s string, i int) int {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j - i
}

// parseDocketAt reads a docket number that starts at s[i]: forms like
// 8:25-cv-00951, 25-cv-951, 8:25cv951, 1:2025-cv-00951, 18-22414 (no case
// type). It returns the number and where it ends; a judge-initials suffix
// ("-PX") is not part of it. The number must not run into a letter or digit.
func parseDocketAt(s string, i int) (docketNum, int, bool) {
	var d docketNum
	n := digitsAt(s, i)
	if n == 0 {
		return d, 0, false
	}
	if i+n < len(s) && s[i+n] == ':' && n <= 2 {
		d.office = strings.TrimLeft(s[i:i+n], "0")
		if d.office == "" {
			d.office = "0"
		}
		i += n + 1
		n = digitsAt(s, i)
	}
	switch {
	case n == 2:
		d.year = s[i : i+2]
	case n == 4 && (s[i:i+2] == "19" || s[i:i+2] == "20"):
		d.year = s[i+2 : i+4]
	default:
		return d, 0, false
	}
	i += n
	sep := dashAt(s, i)
	i += sep
	l := 0
	for i+l < len(s) && isLetter(s[i+l]) && l <= 5 {
		l++
	}
	if l > 5 {
		return d, 0, false
	}
	if l > 0 {
		d.typ = strings.ToLower(s[i : i+l])
		i += l
		i += dashAt(s, i)
	} else if sep == 0 {
		return d, 0, false // "25951" is not a docket number
	}
	n = digitsAt(s, i)
	if n == 0 || n > 7 {
		return d, 0, false
	}
	d.seq = strings.TrimLeft(s[i:i+n], "0")
	if d.seq == "" {
		return d, 0, false
	}
	i += n
	if i < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[i:]); isWordRune(r) {
			return d, 0, false
		}
	}
	return d, i, true
}

// parseDocket reads a whole docket number as written in a query or in
// Doc.Numbers, allowing judge-initials suffixes ("-PX", "-PKC-CLP").
func parseDocket(s string) (docketNum, bool) {
	d, end, ok := parseDocketAt(s, 0)
	if !ok {
		return d, false
	}
	for rest := s[end:]; rest != ""; {
		if rest[0] != '-' {
			return d, false
		}
		l := 1
		for l < len(rest) && isLetter(rest[l]) {
			l++
		}
		if l == 1 || l > 6 {
			return d, false
		}
		rest = rest[l:]
	}
	return d, true
}

// docketStart reports whether a docket number may begin at s[i]: a digit
// that does not continue an office prefix ("8:" before "25-cv-…").
func docketStart(s string, i int) bool {
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	return !(i >= 2 && s[i-1] == ':' && isDigit(s[i-2]))
}

// String gives the canonical written form, e.g. "8:25-cv-951".
func (d docketNum) String() string {
	var b strings.Builder
	if d.office != "" {
		b.WriteString(d.office + ":")
	}
	b.WriteString(d.year)
	if d.typ != "" {
		b.WriteString("-" + d.typ)
	}
	b.WriteString("-" + d.seq)
	return b.String()
}

// FirstDocketNumber returns the first docket number text names that has a case
// type ("8:25-cv-00951", "25-cv-951", "24A949"), in its canonical form
// ("8:25-cv-951"), or "". Numbers without a case type ("18-22414") are
// left out: in news text most such pairs are ranges or scores.
func FirstDocketNumber(text string) string {
	for i := 0; i < len(text); i++ {
		if !docketStart(text, i) {
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(text[:i]); isWordRune(r) {
				continue
			}
		}
		if d, end, ok := parseDocketAt(text, i); ok {
			if d.typ != "" {
				return d.String()
			}
			i = end - 1
		}
	}
	return ""
}
