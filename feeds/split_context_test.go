package feeds

import (
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestPartialParseXMLDeclInItem: encoding/xml reads an <?xml …?> processing
// instruction anywhere in a document, and one naming an encoding switches how
// every byte after it is decoded: an item holding one shapes the items after
// it, so the split must not leave it out.
func TestPartialParseXMLDeclInItem(t *testing.T) {
	f := wirewatch.Feed{ID: "pi", URL: "https://gen.example/feed", Type: wirewatch.FeedRSS}
	item := func(n int, title, extra string) string {
		return "<item><guid>g" + string(rune('0'+n)) + "</guid><title>" + title + "</title>" + extra + "</item>\n"
	}
	doc := func(items ...string) []byte {
		return []byte("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>T</title>\n" + strings.Join(items, "") + "</channel></rss>\n")
	}
	old := item(1, "Old", `<?xml version="1.0" encoding="ISO-8859-1"?>`)
	checkPartial(t, f, doc(old), doc(old, item(2, "Caf\u00e9 news", "")))
}

// TestPartialParseItemContext: what an item declares or holds for itself
// (namespaces, xml:base, a re-declared prefix, entities, CDATA) does not
// reach the items after it, so leaving it out changes none of them.
func TestPartialParseItemContext(t *testing.T) {
	f := wirewatch.Feed{ID: "ctx", URL: "https://gen.example/feed", Type: wirewatch.FeedRSS}
	doc := func(items ...string) []byte {
		return []byte(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><link>https://site.example/</link>` +
			"\n" + strings.Join(items, "\n") + "\n</channel></rss>\n")
	}
	next := `<item><title>Next</title><link>n/1</link><dc:date>2026-11-02T00:00:00Z</dc:date><x:y>z</x:y></item>`
	for name, old := range map[string]string{
		"namespace declared": `<item xmlns:x="urn:x"><title>Old</title><x:y>1</x:y></item>`,
		"dc re-declared":     `<item xmlns:dc="urn:other"><title>Old</title><dc:date>2026-11-01T00:00:00Z</dc:date></item>`,
		"xml:base":           `<item xml:base="https://elsewhere.example/a/"><title>Old</title><link>o/1</link></item>`,
		"entities in tags":   `<item a="&lt;/item&gt;&#x3c;item&#62;"><title>&amp;lt;item&gt;</title></item>`,
		"cdata":              `<item><title><![CDATA[ends ]] > here ]]></title></item>`,
		"stylesheet PI":      `<item><?xml-stylesheet href="a.xsl"?><title>Old</title></item>`,
		"unquoted, no value": `<item a=b c><title>Old</title></item>`,
		"same bytes twice":   `<item><title>Old</title><link>o/2</link></item>` + "\n" + `<item><title>Old</title><link>o/2</link></item>`,
	} {
		t.Run(name, func(t *testing.T) {
			if c := checkPartial(t, f, doc(old), doc(next, old)); !c.part {
				t.Errorf("parsed whole")
			}
		})
	}
}
