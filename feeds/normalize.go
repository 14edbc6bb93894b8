package feeds

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/encoding/charmap"

	"github.com/wirewatch/wirewatch"
)

// Bounds on what is kept of an item.
const (
	MaxTitle   = 1000    // bytes of an item's title
	MaxSummary = 20000   // bytes of an item's summary
	maxLink    = 8192    // links longer than this are kept as written, not canonicalised
	maxPlainIn = 4 << 20 // bytes of HTML looked at for one text
)

// trackingParams are query parameters that only identify a campaign or a click;
// they are removed from links (utm_* is matched as a prefix).
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"mkt_tok": true, "_hsenc": true, "_hsmi": true, "__hstc": true, "__hssc": true,
	"__hsfp": true, "hsctatracking": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "vero_conv": true, "rb_clickid": true, "s_cid": true,
	"cmpid": true, "ncid": true, "sr_share": true, "ref_src": true, "ref_url": true,
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// Canonical returns link in a canonical form, so that the same story linked
// from two feeds compares equal: scheme and host lower-cased, default port,
// fragment and tracking parameters (utm_*, fbclid, gclid, mc_cid, …) removed,
// an empty path written "/". The remaining parameters keep their order. A
// link that is not an absolute http(s) URL is returned trimmed but otherwise
// as written.
func Canonical(link string) string {
	link = strings.TrimSpace(link)
	if link == "" || len(link) > maxLink || isCanonical(link) {
		return link
	}
	return canonical(link)
}

// isCanonical tells, without parsing, whether link is one that Canonical
// leaves as it is: most items' links ("https://news.example/2026/12/story").
// It is http or https in lower case, a host of lower-case letters, digits,
// dots and hyphens (no port), and a path of "/" and unreserved characters;
// no query, no fragment, no escapes.
func isCanonical(link string) bool {
	rest, ok := strings.CutPrefix(link, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(link, "http://"); !ok {
			return false
		}
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return false
	}
	for i := range len(rest) {
		c := rest[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-':
		case i >= slash && ('A' <= c && c <= 'Z' || c == '_' || c == '~' || c == '/'):
		default:
			return false
		}
	}
	return true
}

// canonical is Canonical of a trimmed link, without the isCanonical
// shortcut.
func canonical(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return link
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return link
	}
	u.Scheme = scheme
	u.Host = asciiLower(u.Host)
	if p := u.Port(); (scheme == "http" && p == "80") || (scheme == "https" && p == "443") {
		u.Host = strings.TrimSuffix(u.Host, ":"+p)
	}
	u.Host = strings.TrimSuffix(u.Host, ":") // "host:" means the default port
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	u.RawQuery = escapeBlanks(dropTracking(u.RawQuery))
	u.ForceQuery = false
	out := u.String()
	// Re-parsing must give the same string, or the result is not stable
	// under a second pass; keep the link as written then.
	if v, err := url.Parse(out); err != nil || v.String() != out {
		return link
	}
	return out
}

// escapeBlanks percent-encodes spaces and control bytes in a raw query,
// which url.Parse lets through as written: a query ending in a space would
// lose it to the next Canonical's trimming, and the link change again.
func escapeBlanks(q string) string {
	if !strings.ContainsFunc(q, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return q
	}
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if c := q[i]; c <= ' ' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// asciiLower lower-cases ASCII letters only; strings.ToLower would also
// rewrite invalid UTF-8.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// dropTracking removes tracking parameters from a raw query, keeping the
// order and the encoding of the others.
func dropTracking(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.FieldsFunc(raw, func(r rune) bool { return r == '&' })
	kept := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if !isTracking(k) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}

// Host returns the lower-case host name of a feed URL (no port), the unit of
// the per-host concurrency cap. A URL that does not parse is its own host.
func Host(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" {
		return strings.ToLower(wirewatch.Clip(u, 256))
	}
	return strings.ToLower(strings.TrimSuffix(p.Hostname(), "."))
}

// blockTags are HTML elements that break the line when they open or close.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true,
	"dd": true, "div": true, "dl": true, "dt": true, "figcaption": true, "figure": true,
	"footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "li": true, "main": true, "nav": true, "ol": true,
	"p": true, "pre": true, "section": true, "table": true, "tbody": true, "td": true,
	"tfoot": true, "th": true, "thead": true, "tr": true, "ul": true,
}

// skipTags are elements whose content is not text a reader sees.
var skipTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "head": true,
	"iframe": true, "object": true, "svg": true, "math": true, "title": true,
}

// PlainText turns an HTML fragment into plain text: tags stripped (block tags
// become line breaks), script and style dropped, entities decoded, runs of
// spaces collapsed to one and runs of line breaks to one, control and
// invisible format characters removed, invalid UTF-8 replaced. The result is
// at most MaxSummary bytes, cut at a rune boundary with "…".
func PlainText(s string) string {
	return plainText(s, MaxSummary, true)
}

// plainTitle is PlainText on one line, at most MaxTitle bytes.
func plainTitle(s string) string {
	return plainText(s, MaxTitle, false)
}

func plainText(s string, limit int, lines bool) string {
	if verbatim(s, limit, lines) {
		// Most titles and many summaries: nothing to strip, decode, drop or
		// collapse, and no copy to make.
		return s
	}
	return convertText(s, limit, lines)
}

// verbatim tells whether convertText(s, limit, lines) is s itself: s fits
// in limit, has no "<" and no "&", no control, format or invalid bytes, and
// its only whitespace is single spaces (and single line breaks, with lines)
// between visible runes.
func verbatim(s string, limit int, lines bool) bool {
	if len(s) > limit {
		return false
	}
	space := true // a space here would be leading, or the second of a run
	for i := 0; i < len(s); {
		switch plainClass[s[i]] {
		case plainWord:
			for i++; i < len(s) && plainClass[s[i]] == plainWord; i++ {
			}
			space = false
			continue
		case plainBreak:
			if !lines {
				return false
			}
			fallthrough
		case plainSpace:
			if space {
				return false
			}
			i++
			space = true
			continue
		case plainNot:
			return false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r <= 0x9f || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' ||
			unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
		i += n
		space = false
	}
	return !space || s == ""
}

// plainClass sorts bytes for verbatim.
var plainClass = func() (c [256]uint8) {
	for b := range c {
		switch {
		case b >= utf8.RuneSelf:
			c[b] = plainRune
		case b == ' ':
			c[b] = plainSpace
		case b == '\n':
			c[b] = plainBreak
		case b < ' ' || b == 0x7f || b == '<' || b == '&':
			c[b] = plainNot
		}
	}
	return c
}()

const (
	plainWord  = iota // ASCII written as it is
	plainSpace        // ' '
	plainBreak        // '\n'
	plainNot          // ASCII that is changed or dropped, or starts markup or an entity
	plainRune         // the first byte of a rune past ASCII, or not UTF-8
)

// convertText is plainText without the verbatim shortcut.
func convertText(s string, limit int, lines bool) string {
	if len(s) > maxPlainIn {
		s = wirewatch.Clip(s, maxPlainIn)
	}
	var w textWriter
	w.limit = limit
	w.lines = lines
	w.b.Grow(min(len(s), limit))
	if !strings.Contains(s, "<") || !looksLikeHTML(s) {
		// No tags (most titles, and "A<B" is not one): entities are all
		// there is to decode, and the text's own line breaks are its lines.
		if strings.Contains(s, "&") {
			s = html.UnescapeString(s)
		}
		for i := 0; ; i++ {
			line, rest, more := strings.Cut(s, "\n")
			if i > 0 {
				w.brk()
			}
			w.text(line)
			if !more {
				break
			}
			s = rest
		}
		return w.String()
	}
	z := html.NewTokenizer(strings.NewReader(s))
	sk := newSkipper(s)
	for !w.full() {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.String()
		case html.TextToken:
			if sk.depth == 0 {
				w.textBytes(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tag, _ := z.TagName()
			if skipTags[string(tag)] {
				switch tt {
				case html.StartTagToken:
					if !sk.open(string(tag)) {
						// Never closed: drop the tag, keep the text after
						// it, instead of reading it all as the element's.
						z.NextIsNotRawText()
					}
				case html.EndTagToken:
					sk.close(string(tag))
				}
				continue
			}
			if blockTags[string(tag)] {
				w.brk()
			} else if string(tag) == "img" && sk.depth == 0 && tt != html.EndTagToken {
				// An image's alt text is what a reader without images sees.
				for {
					k, v, more := z.TagAttr()
					if string(k) == "alt" && len(v) > 0 {
						w.space()
						w.textBytes(v)
						w.space()
					}
					if !more {
						break
					}
				}
			}
		}
	}
	return w.String()
}

// skipper tracks the skipTags elements a text is inside. An element is
// entered only if a closing tag for it is still to come: an <iframe>,
// <object> or <title> left open would otherwise swallow the rest of the
// text.
type skipper struct {
	closes map[string]int // "</tag" not yet passed, by tag
	opened map[string]int // open and skipped, by tag
	depth  int            // all open and skipped
}

func newSkipper(s string) *skipper {
	sk := &skipper{}
	for i := strings.Index(s, "</"); i >= 0; {
		rest := s[i+2:]
		var name [len("noscript")]byte
		n := 0
		for n < len(rest) && n < len(name) && isASCIILetter(rest[n]) {
			name[n] = rest[n] | 0x20 // lower case
			n++
		}
		if skipTags[string(name[:n])] && (n == len(rest) || !isASCIILetter(rest[n])) {
			if sk.closes == nil {
				sk.closes = map[string]int{}
			}
			sk.closes[string(name[:n])]++
		}
		j := strings.Index(rest, "</")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return sk
}

// open enters tag if it will be closed, or is code (script, style), and
// says whether it did.
func (sk *skipper) open(tag string) bool {
	if sk.closes[tag] <= sk.opened[tag] && tag != "script" && tag != "style" {
		return false
	}
	if sk.opened == nil {
		sk.opened = map[string]int{}
	}
	sk.opened[tag]++
	sk.depth++
	return true
}

func (sk *skipper) close(tag string) {
	if sk.closes[tag] > 0 {
		sk.closes[tag]--
	}
	if sk.opened[tag] > 0 {
		sk.opened[tag]--
		sk.depth--
	}
}

// looksLikeHTML tells whether s has markup: a comment or doctype, an end
// tag, or a start tag that ends with ">" before the next "<" ("<b>",
// "<br/>", "<a href=…>", "<svg:svg …>"). Otherwise a "<" is text: "A<B",
// "x <y", "<3".
func looksLikeHTML(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0; {
		rest := s[i+1:]
		switch {
		case strings.HasPrefix(rest, "!"):
			return true
		case strings.HasPrefix(rest, "/") && len(rest) > 1 && isASCIILetter(rest[1]):
			return true
		case len(rest) > 0 && isASCIILetter(rest[0]):
			if j := strings.IndexAny(rest, "<>"); j >= 0 && rest[j] == '>' {
				return true
			}
		}
		j := strings.IndexByte(rest, '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// textWriter collects text with whitespace collapsed and a byte limit.
type textWriter struct {
	b       strings.Builder
	limit   int
	lines   bool // keep line breaks (else they are spaces)
	pending byte // whitespace owed before the next visible rune: 0, ' ' or '\n'
	cut     bool
}

func (w *textWriter) full() bool { return w.cut }

func (w *textWriter) brk() {
	if w.lines {
		w.pending = '\n'
	} else if w.pending == 0 {
		w.pending = ' '
	}
}

func (w *textWriter) space() {
	if w.pending == 0 {
		w.pending = ' '
	}
}

// text adds s. A run of visible ASCII (most text) is written in one go
// when it fits, else rune by rune like the rest.
func (w *textWriter) text(s string) {
	for i := 0; i < len(s) && !w.cut; {
		if j := i + visibleASCII(s[i:]); j > i {
			if w.run(j - i) {
				w.b.WriteString(s[i:j])
				i = j
				continue
			}
			for ; i < j && !w.cut; i++ {
				w.rune(rune(s[i]))
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		w.rune(r)
		i += n
	}
}

// textBytes is text of b.
func (w *textWriter) textBytes(b []byte) {
	for i := 0; i < len(b) && !w.cut; {
		if j := i + visibleASCII(b[i:]); j > i {
			if w.run(j - i) {
				w.b.Write(b[i:j])
				i = j
				continue
			}
			for ; i < j && !w.cut; i++ {
				w.rune(rune(b[i]))
			}
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		w.rune(r)
		i += n
	}
}

// visibleASCII is the length of the run of printable ASCII other than space
// that s starts with: runes that rune writes as they are.
func visibleASCII[T string | []byte](s T) int {
	n := 0
	for n < len(s) && s[n] > ' ' && s[n] < 0x7f {
		n++
	}
	return n
}

// run readies n bytes of visible ASCII: if they fit, with the whitespace
// owed before them, it writes that whitespace and says true (the caller
// writes the run); else it writes nothing.
func (w *textWriter) run(n int) bool {
	pre := w.pending != 0 && w.b.Len() > 0
	if pre {
		n++
	}
	if w.b.Len()+n > w.limit {
		return false
	}
	if pre {
		w.b.WriteByte(w.pending)
	}
	w.pending = 0
	return true
}

// rune adds one rune; invalid UTF-8 arrives as utf8.RuneError and is
// written as U+FFFD.
func (w *textWriter) rune(r rune) {
	if r < utf8.RuneSelf {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			// Line breaks in HTML source are spaces; only tags break lines.
			w.space()
			return
		case r < ' ' || r == 0x7f:
			return
		}
	} else {
		if r <= 0x9f {
			// C1 controls are what old CMSes made of windows-1252
			// punctuation (&#146; for ’); read them as HTML5 does.
			// The five bytes windows-1252 leaves undefined stay controls.
			if r = charmap.Windows1252.DecodeByte(byte(r)); r == utf8.RuneError || r <= 0x9f {
				return
			}
		}
		switch {
		case unicode.IsSpace(r) || r == '\u2028' || r == '\u2029':
			w.space()
			return
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// Zero-width and bidi controls hide or reorder text.
			return
		}
	}
	var pre byte
	if w.pending != 0 && w.b.Len() > 0 {
		pre = w.pending
	}
	n := utf8.RuneLen(r)
	if pre != 0 {
		n++
	}
	if w.b.Len()+n > w.limit {
		w.cut = true
		return
	}
	w.pending = 0
	if pre != 0 {
		w.b.WriteByte(pre)
	}
	if r < utf8.RuneSelf {
		w.b.WriteByte(byte(r))
	} else {
		w.b.WriteRune(r)
	}
}

func (w *textWriter) String() string {
	if w.cut {
		return strings.TrimRightFunc(wirewatch.Clip(w.b.String(), w.limit-len("…")), unicode.IsSpace) + "…"
	}
	return w.b.String()
}
