package pacer

import (
	"bytes"
	"encoding/xml"
	"os"
	"testing"

	"golang.org/x/net/html/charset"
)

// BenchmarkParse reads sdny_1 (358 items) with the reader, against a
// baseline that only decodes the XML into the same structs: the ratio is
// what parsing titles, descriptions, dates and merging costs.
func BenchmarkParse(b *testing.B) {
	body, err := os.ReadFile(fixtures + "/sdny_1.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline-xml-decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			d := xml.NewDecoder(bytes.NewReader(body))
			d.CharsetReader = charset.NewReaderLabel
			d.Strict = false
			var doc rssDoc
			if err := d.Decode(&doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, err := Parse(body, "nysd"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
