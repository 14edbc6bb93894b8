package article

import (
	"bytes"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
)

// benchPages is the extraction corpus: the pages of the folder named by
// WIREWATCH_ARTICLE_PAGES (each */source.html, the layout of Mozilla
// Readability's test-pages), else this package's testdata pages.
func benchPages(b *testing.B) [][]byte {
	b.Helper()
	pattern := filepath.Join("testdata", "*.html")
	if dir := os.Getenv("WIREWATCH_ARTICLE_PAGES"); dir != "" {
		pattern = filepath.Join(dir, "*", "source.html")
	}
	names, _ := filepath.Glob(pattern)
	var pages [][]byte
	for _, n := range names {
		p, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, p)
	}
	if len(pages) == 0 {
		b.Fatalf("no pages match %s", pattern)
	}
	return pages
}

// BenchmarkExtract: one op is one page of the corpus, in turn. "wirewatch"
// is Extract (charset decoding, the readerable check, element cap, text
// tidied and capped); "plain" is go-readability's plain use on the same
// pages, FromReader then RenderText, as the baseline.
func BenchmarkExtract(b *testing.B) {
	pages := benchPages(b)
	u, _ := url.Parse("https://example.org/news/article")
	b.Run("wirewatch", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _ = Extract(pages[i%len(pages)], "text/html", u)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			a, err := readability.FromReader(bytes.NewReader(pages[i%len(pages)]), u)
			if err == nil && a.Node != nil {
				_ = a.RenderText(io.Discard)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
}
