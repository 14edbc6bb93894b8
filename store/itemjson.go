package store

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
)

// itemJSON is json.Marshal(it), the recent bucket's value, written field by
// field: a seeding group writes up to RecentItems of them, and
// encoding/json's reflection was 3.5% of seeding's CPU. An item with a
// docket, a time json.Marshal refuses, or any other oddity goes through
// json.Marshal. TestItemJSON and FuzzItemJSON hold the bytes to
// json.Marshal's, and itemJSONFields to Item's fields.
func itemJSON(it *wirewatch.Item) ([]byte, error) {
	if it.Docket != nil {
		return json.Marshal(it)
	}
	published, err := it.Published.MarshalJSON()
	if err != nil {
		return json.Marshal(it) // its error
	}
	b := make([]byte, 0, 80+len(published)+len(it.ID)+len(it.Feed)+len(it.Title)+len(it.Link)+len(it.Summary)+len(it.SearchFor)+len(it.Site))
	b = appendJSONString(append(b, `{"id":`...), it.ID)
	b = appendJSONString(append(b, `,"feed":`...), it.Feed)
	b = appendJSONString(append(b, `,"title":`...), it.Title)
	b = appendJSONString(append(b, `,"link":`...), it.Link)
	b = append(append(b, `,"published":`...), published...)
	b = appendJSONString(append(b, `,"summary":`...), it.Summary)
	if it.SearchFor != "" {
		b = appendJSONString(append(b, `,"search_for":`...), it.SearchFor)
	}
	if it.Site != "" {
		b = appendJSONString(append(b, `,"site":`...), it.Site)
	}
	return append(b, '}'), nil
}

// itemJSONFields are the JSON names of Item's fields that itemJSON writes,
// in order, and docket, which it leaves to json.Marshal.
var itemJSONFields = []string{"id", "feed", "title", "link", "published", "summary", "docket", "search_for", "site"}

// appendJSONString appends s as encoding/json writes a string: quoted,
// with ", \ and control characters escaped, <, > and & as \u003c, \u003e
// and \u0026, U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is to be written as it is
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonPlain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += n
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += n
			start = i
			continue
		}
		i += n
	}
	return append(append(b, s[start:]...), '"')
}

// jsonPlain are the ASCII bytes encoding/json writes as they are.
var jsonPlain = func() (p [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return p
}()
