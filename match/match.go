// Package match is the watch query language and its matcher.
//
// PLACEHOLDER: a naive phrase-only implementation that fixes the API; the
// query-language issue replaces it.
package match

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Doc is what a query is matched against.
type Doc struct {
	Title   string
	Text    string
	Docket  string   // caption, description and number of a docket item
	Numbers []string // core docket numbers of a docket item, for case: terms
}

// Term is one matched term as written in the document.
type Term struct {
	Text       string // as written in the document
	Field      string // "title", "text" or "docket"
	Start, End int    // byte offsets in that field
}

// Hit is a watch that matched and the terms that made it match.
type Hit struct {
	ID    string
	Terms []Term
}

// Error is a query the parser refused; Pos is the 1-based character position.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at %d", e.Msg, e.Pos) }

// Query is a parsed watch query.
type Query struct {
	src    string
	phrase []string
}

// Parse parses a watch query.
func Parse(q string) (*Query, error) {
	words := strings.Fields(Fold(strings.ReplaceAll(q, `"`, " ")))
	if len(words) == 0 {
		return nil, &Error{Pos: 1, Msg: "empty query"}
	}
	return &Query{src: q, phrase: words}, nil
}

// String returns the query as written.
func (q *Query) String() string { return q.src }

// Match reports whether d matches q and which terms did.
func (q *Query) Match(d Doc) ([]Term, bool) {
	for _, f := range []struct{ name, s string }{{"title", d.Title}, {"text", d.Text}, {"docket", d.Docket}} {
		words := strings.Fields(Fold(f.s))
		for i := 0; i+len(q.phrase) <= len(words); i++ {
			if strings.Join(words[i:i+len(q.phrase)], " ") == strings.Join(q.phrase, " ") {
				return []Term{{Text: strings.Join(q.phrase, " "), Field: f.name}}, true
			}
		}
	}
	return nil, false
}

// Index matches documents against many queries; safe for concurrent use.
type Index struct {
	mu sync.RWMutex
	qs map[string]*Query
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{qs: map[string]*Query{}} }

// Set adds or replaces the query with this id.
func (ix *Index) Set(id string, q *Query) {
	ix.mu.Lock()
	ix.qs[id] = q
	ix.mu.Unlock()
}

// Remove drops the query with this id.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	delete(ix.qs, id)
	ix.mu.Unlock()
}

// Match returns the queries d matches, sorted by id.
func (ix *Index) Match(d Doc) []Hit {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var hits []Hit
	for id, q := range ix.qs {
		if t, ok := q.Match(d); ok {
			hits = append(hits, Hit{ID: id, Terms: t})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].ID < hits[j].ID })
	return hits
}

// Snippet returns up to max bytes of text around term t.
func Snippet(text string, t Term, max int) string {
	if len(text) <= max {
		return text
	}
	return text[:max]
}

// Fold lower-cases s and removes accents.
func Fold(s string) string {
	out, _, _ := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, out)
}
