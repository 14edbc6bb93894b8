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
