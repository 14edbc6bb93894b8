package feeds

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// utf8Body returns a feed document in UTF-8, so that precheck and gofeed
// read the same bytes: a byte order mark, else the shape of its first
// characters (XML 1.0 appendix F: "<?" in UTF-16 or UTF-32), says UTF-16
// or UTF-32; else an XML declaration's encoding is decoded here instead of
// by encoding/xml. The declaration is then rewritten to say UTF-8. A body
// in an encoding nobody knows is left as it is, for gofeed to refuse; how
// the body was read, for errors, is in the second result ("" for UTF-8).
func utf8Body(body []byte) ([]byte, string) {
	var enc encoding.Encoding
	name := ""
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		body = body[3:]
	case bytes.HasPrefix(body, []byte("\x00\x00\xfe\xff")), wide(body, 4, 3):
		enc, name = utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "UTF-32BE"
	case bytes.HasPrefix(body, []byte("\xff\xfe\x00\x00")), wide(body, 4, 0):
		enc, name = utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "UTF-32LE"
	case bytes.HasPrefix(body, []byte("\xfe\xff")), wide(body, 2, 1):
		enc, name = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16BE"
	case bytes.HasPrefix(body, []byte("\xff\xfe")), wide(body, 2, 0):
		enc, name = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE"
	}
	if enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return body, name
		}
		out = bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))
		return sayUTF8(out), name
	}
	decl := declaredEncoding(body)
	switch {
	case decl == "" || strings.EqualFold(decl, "utf-8") || strings.EqualFold(decl, "utf8"):
		return body, ""
	case isWideEncoding(decl):
		// The declaration was readable as ASCII, so the document is not in
		// UTF-16 or UTF-32 whatever it says (a converting proxy, a
		// template); read on as UTF-8 rather than as noise.
		return sayUTF8(body), ""
	}
	e, canon := charset.Lookup(decl)
	if e == nil {
		return body, ""
	}
	if canon == "utf-8" {
		return sayUTF8(body), ""
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		return body, ""
	}
	return sayUTF8(out), canon
}

// wide tells a document without a byte order mark that starts with "<" or
// "{" in units of size bytes, the character's byte at offset at in its unit
// and zeros around it.
func wide(body []byte, size, at int) bool {
	if len(body) < 2*size {
		return false
	}
	for i := range size {
		c := body[i]
		if i == at {
			if c != '<' && c != '{' {
				return false
			}
		} else if c != 0 {
			return false
		}
	}
	// The second unit: "?" or "r" after "<", a quote after "{": not zero.
	return body[size+at] != 0
}

// xmlDecl matches an XML declaration's encoding, at the start of a document.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// declaredEncoding is the encoding an XML declaration names, or "".
func declaredEncoding(body []byte) string {
	m := xmlDecl.FindSubmatch(body[:min(len(body), 512)])
	if m == nil {
		return ""
	}
	return strings.TrimSpace(string(m[1]))
}

// sayUTF8 rewrites an XML declaration's encoding to UTF-8, so that
// encoding/xml does not decode a second time what is decoded already.
func sayUTF8(body []byte) []byte {
	head := body[:min(len(body), 512)]
	loc := xmlDecl.FindSubmatchIndex(head)
	if loc == nil {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, body[loc[3]:]...)
}

func isWideEncoding(label string) bool {
	l := strings.ToLower(strings.ReplaceAll(label, "_", "-"))
	return strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf-32") || strings.HasPrefix(l, "utf16") ||
		strings.HasPrefix(l, "utf32") || strings.HasPrefix(l, "ucs-2") || strings.HasPrefix(l, "ucs-4") ||
		l == "unicode" || l == "unicodefffe" || l == "iso-10646-ucs-2"
}
