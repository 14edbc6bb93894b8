// Package article reads the page an item links to and extracts its main
// text (the body, not the navigation, footers, related-stories boxes or
// comments) so that watches can be matched against what the article says.
//
// Every page is untrusted: the feed's publisher wrote the link. Reads go
// through the SSRF guard unless the operator allows private addresses, are
// bounded in size (MaxBody) and time (Timeout), parse only HTML, honour
// robots.txt for UserAgent, and are polite per host (PerHost requests at
// once, Gap between two). Extraction is go-readability's port of Mozilla's
// Readability.
package article

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Extraction limits.
const (
	// MaxElements bounds the elements of a page readability scores; its
	// scoring passes are superlinear, so a hostile page of tiny elements
	// could otherwise cost seconds of CPU. News pages have 1,000–10,000.
	MaxElements = 50_000
	// MaxText is how much extracted text is kept for matching: a long
	// feature is about 60 KB of text.
	MaxText = 128 << 10
)

// ErrNoArticle is the error for a page in which readability found no main
// text (an index page, a video page, a paywall's empty shell).
var ErrNoArticle = errors.New("no article text found")

// Extract returns the main text of an HTML page — readability's, or the
// articleBody of the page's JSON-LD Article when that is longer (a soft
// paywall's full text) — with paragraphs separated by a blank line, runs
// of spaces collapsed, at most MaxText bytes. body is
// decoded to UTF-8 from the charset named by contentType, a BOM or the
// page's <meta> (in that order of authority, as browsers do).
func Extract(body []byte, contentType string, page *url.URL) (string, error) {
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		return "", fmt.Errorf("decode page: %w", err)
	}
	doc, err := html.Parse(r)
	if err != nil {
		return "", fmt.Errorf("parse page: %w", err)
	}
	// Counted before anything scores the page: readability's own cap
	// comes after its readerable check, which alone costs seconds on a
	// page of half a million empty paragraphs.
	if n := elements(doc, MaxElements); n > MaxElements {
		return "", fmt.Errorf("extract: more than %d elements", MaxElements)
	}
	// Soft paywalls often ship the whole text in the JSON-LD the page
	// carries for search engines while the page shows a teaser: read it
	// before readability drops the scripts.
	ld := jsonLDBody(doc)
	text, err := readable(doc, page)
	if len(ld) > len(text) {
		return ld, nil
	}
	return text, err
}

// readable is readability's main text of doc (which it changes).
func readable(doc *html.Node, page *url.URL) (string, error) {
	p := readability.NewParser()
	p.MaxElemsToParse = MaxElements
	// Readability falls back to the whole body when nothing scores as an
	// article, which on an index page or a paywall's shell is navigation
	// and footers full of other names: refuse what its own heuristic
	// (Readability.js's isProbablyReaderable) says is not an article.
	if !p.CheckDocument(doc) {
		return "", ErrNoArticle
	}
	a, err := p.ParseAndMutate(doc, page)
	if err != nil {
		return "", fmt.Errorf("extract: %w", err)
	}
	if a.Node == nil {
		return "", ErrNoArticle
	}
	text := tidy(render.InnerText(a.Node))
	if text == "" {
		return "", ErrNoArticle
	}
	return text, nil
}

// tidy collapses spaces within lines, keeps one blank line between
// paragraphs, drops control characters and cuts at MaxText on a rune
// boundary.
func tidy(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), MaxText))
	space, breaks := false, 0
	for _, r := range s {
		if b.Len() >= MaxText {
			break
		}
		switch {
		case r == '\n':
			breaks++
			space = false
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case r == utf8.RuneError || unicode.IsControl(r):
			continue
		}
		if b.Len() > 0 {
			switch {
			case breaks > 1:
				b.WriteString("\n\n")
			case breaks == 1:
				b.WriteByte('\n')
			case space:
				b.WriteByte(' ')
			}
		}
		breaks, space = 0, false
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) > MaxText {
		out = out[:MaxText]
		for len(out) > 0 && !utf8.ValidString(out) {
			out = out[:len(out)-1]
		}
	}
	return out
}

// maxJSONLD bounds the JSON-LD script read for articleBody.
const maxJSONLD = 1 << 20

// jsonLDBody returns the longest articleBody of the page's JSON-LD
// Article objects (NewsArticle, ReportageNewsArticle… in a list or an
// @graph too), tidied, or "".
func jsonLDBody(doc *html.Node) string {
	best := ""
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" && isLDJSON(n) && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
			if src := n.FirstChild.Data; len(src) <= maxJSONLD {
				var v any
				if json.Unmarshal([]byte(src), &v) == nil {
					if b := articleBody(v, 0); len(b) > len(best) {
						best = b
					}
				}
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return tidy(best)
}

func isLDJSON(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "type" && strings.EqualFold(strings.TrimSpace(a.Val), "application/ld+json") {
			return true
		}
	}
	return false
}

// articleBody finds the longest articleBody of an Article-typed object in
// v, looking into lists and @graph, at most a few levels deep.
func articleBody(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	best := ""
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if b := articleBody(e, depth+1); len(b) > len(best) {
				best = b
			}
		}
	case map[string]any:
		if body, ok := v["articleBody"].(string); ok && isArticleType(v["@type"]) {
			best = body
		}
		if g, ok := v["@graph"]; ok {
			if b := articleBody(g, depth+1); len(b) > len(best) {
				best = b
			}
		}
	}
	return best
}

func isArticleType(t any) bool {
	switch t := t.(type) {
	case string:
		return strings.HasSuffix(t, "Article") || strings.HasSuffix(t, "BlogPosting")
	case []any:
		for _, e := range t {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

// elements counts the element nodes of doc, stopping past limit.
func elements(doc *html.Node, limit int) int {
	n := 0
	var walk func(*html.Node)
	walk = func(x *html.Node) {
		for c := x.FirstChild; c != nil && n <= limit; c = c.NextSibling {
			if c.Type == html.ElementNode {
				n++
			}
			walk(c)
		}
	}
	walk(doc)
	return n
}
