package feeds

import (
	"bytes"
	"errors"
	"fmt"
)

// Structure limits, checked by precheck before gofeed sees a document.
// gofeed has no limits of its own: it builds a map for every level of
// nesting and a struct for every item, so a 10 MiB body of 1.4 million
// empty <item/> elements costs it 1.5 GB, and one of 3 million "{}" items
// in a JSON Feed 1.7 GB.
const (
	// MaxDepth is how deeply elements (JSON: arrays and objects) may nest.
	// It is libxml2's default limit; real feeds nest about 10 levels, 30
	// or so with XHTML content, and gofeed costs about 200 bytes a level.
	MaxDepth = 256
	// MaxElements bounds the elements of an XML document, or the values of
	// a JSON one. A 5000-item news feed (MaxItems, kept in full) has about
	// 100,000; at the extension map gofeed builds for an unknown element,
	// 250,000 cost it about 70 MB.
	MaxElements = 250_000
	// MaxEntries bounds the items (RSS <item>, Atom <entry>, JSON Feed
	// items) of a document, twice MaxItems: gofeed builds every one of them,
	// about 1 KB each, before the first MaxItems are kept.
	MaxEntries = 2 * MaxItems
)

// ErrStructure is wrapped by the error for a document past MaxDepth,
// MaxElements or MaxEntries.
var ErrStructure = errors.New("feed document over a structure limit")

// precheck refuses a document past the structure limits, in one pass that
// allocates nothing. XML bodies must be in UTF-8 or an encoding that keeps
// ASCII bytes as they are (latin-1, windows-1252, Shift_JIS…), which is
// what utf8Body leaves.
func precheck(body []byte) error {
	i := 0
	for i < len(body) && isXMLSpace(body[i]) {
		i++
	}
	if i < len(body) && body[i] == '{' {
		return precheckJSON(body[i:])
	}
	return precheckXML(body)
}

func structErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrStructure, fmt.Sprintf(format, args...))
}

func errDepth() error {
	return structErr("elements nest more than %d levels deep", MaxDepth)
}

func errElements() error {
	return structErr("more than %d elements", MaxElements)
}

func errEntries() error {
	return structErr("more than %d items", MaxEntries)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// xmlCounts is what countXML found: the deepest nesting, the elements and
// the items.
type xmlCounts struct{ depth, elements, entries int }

// precheckXML counts start tags, end tags and items the way encoding/xml
// (which gofeed uses, not strict) reads them. Where the two could read a
// document differently, encoding/xml stops with a syntax error first (an
// attribute name that starts with a quote, a "<" in a quoted value…), so
// what it reads before it stops was counted here: the count is never below
// the decoder's. FuzzPrecheckXML checks that against encoding/xml itself.
func precheckXML(b []byte) error {
	_, err := countXML(b, xmlCounts{MaxDepth, MaxElements, MaxEntries})
	return err
}

// countXML counts up to the limits in lim, and returns the error for the
// first one passed.
func countXML(b []byte, lim xmlCounts) (xmlCounts, error) {
	var n xmlCounts
	depth := 0
	i := 0
	for {
		j := indexByte(b, i, '<')
		if j < 0 || j+1 >= len(b) {
			return n, nil
		}
		i = j + 1
		switch b[i] {
		case '/': // end tag
			if depth > 0 {
				depth--
			}
			if i = indexByte(b, i, '>'); i < 0 {
				return n, nil
			}
			continue
		case '?': // processing instruction, up to "?>"
			if i = index(b, i+1, "?>"); i < 0 {
				return n, nil
			}
			continue
		case '!':
			if i = skipBang(b, i+1); i < 0 {
				return n, nil
			}
			continue
		}
		// A start tag: its name, then attributes up to ">" or "/>".
		if n.elements++; n.elements > lim.elements {
			return n, errElements()
		}
		start := i
		for i < len(b) && !tagStop(b[i]) {
			i++
		}
		if isEntry(b[start:i]) {
			if n.entries++; n.entries > lim.entries {
				return n, errEntries()
			}
		}
		next, empty, ok := skipAttrs(b, i)
		if !ok {
			return n, nil // encoding/xml stops here with a syntax error
		}
		i = next
		depth++
		n.depth = max(n.depth, depth)
		if depth > lim.depth {
			return n, errDepth()
		}
		if empty {
			depth--
		}
	}
}

// skipAttrs reads a start tag's attributes from i, just after its name, to
// just after its ">" or "/>". ok is false where encoding/xml would stop
// with a syntax error (or the body ends).
func skipAttrs(b []byte, i int) (next int, empty, ok bool) {
	for {
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return i, false, false
		}
		switch b[i] {
		case '>':
			return i + 1, false, true
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				return i + 2, true, true
			}
			return i, false, false
		case '"', '\'', '=', '<':
			return i, false, false // not an attribute name
		}
		for i < len(b) && !tagStop(b[i]) {
			i++
		}
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			continue // non-strict: an attribute without a value
		}
		i++
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return i, false, false
		}
		if q := b[i]; q == '"' || q == '\'' {
			k := i + 1
			for k < len(b) && b[k] != q {
				if b[k] == '<' {
					return k, false, false // "unescaped < inside quoted string"
				}
				k++
			}
			if k >= len(b) {
				return k, false, false
			}
			i = k + 1
			continue
		}
		for i < len(b) && !tagStop(b[i]) {
			i++
		}
	}
}

// tagStop ends a tag or attribute name, or an unquoted value.
func tagStop(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '>', '/', '=', '"', '\'', '<':
		return true
	}
	return false
}

// skipBang skips "<!" constructs from i, just after the "!": a comment, a
// CDATA section, or a directive (<!DOCTYPE …>, with its internal subset),
// as encoding/xml reads them. It returns the index after their end, or -1.
func skipBang(b []byte, i int) int {
	switch {
	case hasPrefixAt(b, i, "--"):
		if k := index(b, i+2, "-->"); k >= 0 {
			return k + 3
		}
		return -1
	case hasPrefixAt(b, i, "[CDATA["):
		if k := index(b, i+7, "]]>"); k >= 0 {
			return k + 3
		}
		return -1
	}
	// A directive: quoted brackets do not count, nested <…> do, comments
	// inside are skipped. Its first byte is taken as it is, whatever it is.
	var quote byte
	depth := 0
	for i++; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			if depth == 0 {
				return i + 1
			}
			depth--
		case c == '<':
			if hasPrefixAt(b, i+1, "!--") {
				k := index(b, i+4, "-->")
				if k < 0 {
					return -1
				}
				i = k + 2
				continue
			}
			depth++
		}
	}
	return -1
}

// isEntry tells an RSS item or Atom entry by its local name, any case.
func isEntry(name []byte) bool {
	for k := len(name) - 1; k >= 0; k-- {
		if name[k] == ':' {
			name = name[k+1:]
			break
		}
	}
	return asciiEqualFold(name, "item") || asciiEqualFold(name, "entry")
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// precheckJSON counts the nesting of arrays and objects, the values, and
// the objects at the depth of JSON Feed items ({"items": [{…}]}), skipping
// strings.
func precheckJSON(b []byte) error { return scanJSON(b, MaxDepth) }

func scanJSON(b []byte, maxDepth int) error {
	depth, values, entries := 0, 0, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
			if depth > maxDepth {
				return errDepth()
			}
			values++
			if depth == 3 && b[i] == '{' {
				entries++
				if entries > MaxEntries {
					return errEntries()
				}
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		case ',':
			values++
		}
		if values > MaxElements {
			return errElements()
		}
	}
	return nil
}

func indexByte(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	if k := bytes.IndexByte(b[from:], c); k >= 0 {
		return from + k
	}
	return -1
}

func index(b []byte, from int, s string) int {
	if from >= len(b) {
		return -1
	}
	if k := bytes.Index(b[from:], []byte(s)); k >= 0 {
		return from + k
	}
	return -1
}

func hasPrefixAt(b []byte, i int, s string) bool {
	return i <= len(b) && len(b)-i >= len(s) && string(b[i:i+len(s)]) == s
}
