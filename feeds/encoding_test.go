package feeds

import (
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/wirewatch/wirewatch"
)

// encode writes s in UTF-16 or UTF-32, either byte order, with a byte order
// mark or not.
func encode(s string, size int, big, bom bool) []byte {
	var out []byte
	put := func(u uint32) {
		switch {
		case size == 2 && big:
			out = binary.BigEndian.AppendUint16(out, uint16(u))
		case size == 2:
			out = binary.LittleEndian.AppendUint16(out, uint16(u))
		case big:
			out = binary.BigEndian.AppendUint32(out, u)
		default:
			out = binary.LittleEndian.AppendUint32(out, u)
		}
	}
	if bom {
		put(0xfeff)
	}
	for _, r := range s {
		if size == 2 {
			for _, u := range utf16.Encode([]rune{r}) {
				put(uint32(u))
			}
		} else {
			put(uint32(r))
		}
	}
	return out
}

func TestParseWideEncodings(t *testing.T) {
	doc := func(enc string) string {
		return `<?xml version="1.0" encoding="` + enc + `"?>` + "\n" + `<rss version="2.0"><channel><title>Café</title>` +
			`<item><title>Naïve “quotes” 🎉</title><link>https://wide.example/1</link></item></channel></rss>`
	}
	f := wirewatch.Feed{ID: "w", URL: "https://wide.example/rss", Type: wirewatch.FeedRSS}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"utf-16le bom", encode(doc("UTF-16"), 2, false, true)},
		{"utf-16be bom", encode(doc("UTF-16"), 2, true, true)},
		{"utf-16le no bom", encode(doc("UTF-16LE"), 2, false, false)},
		{"utf-16be no bom", encode(doc("UTF-16BE"), 2, true, false)},
		{"utf-32le bom", encode(doc("UTF-32"), 4, false, true)},
		{"utf-32be bom", encode(doc("UTF-32"), 4, true, true)},
		{"utf-32be no bom", encode(doc("UTF-32"), 4, true, false)},
		// The declaration says UTF-16 but the bytes are UTF-8: a proxy
		// converted the body, or a template was copied.
		{"utf-8 saying utf-16", []byte(doc("utf-16"))},
		{"utf-8 bom saying utf-16", append([]byte("\xef\xbb\xbf"), doc("UTF-16")...)},
		{"json utf-16 bom", encode(`{"version":"https://jsonfeed.org/version/1.1","title":"Café","items":[{"id":"1","title":"Naïve “quotes” 🎉","url":"https://wide.example/1"}]}`, 2, false, true)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(t.Context(), tc.body, f, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != "Café" || len(p.Items) != 1 || p.Items[0].Title != "Naïve “quotes” 🎉" {
				t.Fatalf("got title %q, items %+v", p.Title, p.Items)
			}
		})
	}
}

func TestParseC1AndTextTitles(t *testing.T) {
	body := "<rss version=\"2.0\"><channel><title>Old CMS</title><item><guid>1</guid>" +
		"<title>don&#146;t &#147;quote&#148; me &#150; A&lt;B</title>" +
		"<description>it&#146;s \u0093literal\u0094 &amp;#133; &lt;p&gt;x &amp;lt; y&lt;/p&gt;&#129;</description></item></channel></rss>"
	p, err := Parse(t.Context(), []byte(body), wirewatch.Feed{ID: "c1", URL: "https://c1.example/rss", Type: "rss"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := p.Items[0]
	if want := "don’t “quote” me – A<B"; it.Title != want {
		t.Errorf("title %q, want %q", it.Title, want)
	}
	// U+0081 has no windows-1252 character: still dropped.
	if want := "it’s “literal” …\nx < y"; it.Summary != want {
		t.Errorf("summary %q, want %q", it.Summary, want)
	}
}

func TestParseNotAFeedSaysWhy(t *testing.T) {
	f := wirewatch.Feed{ID: "x", URL: "https://why.example/rss", Type: "rss"}
	full := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>One</title><description>long text</description></item></channel></rss>`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"truncated", full[:len(full)/2], "truncated"},
		{"truncated json", `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1"`, "truncated"},
		{"html after a declaration", `<?xml version="1.0"?>` + "\n<!DOCTYPE html><html><body>Sign in</body></html>", "HTML page"},
		{"nul bytes", "\x00\x00<\x00r\x00s\x00s", "NUL bytes"},
		{"unknown charset", `<?xml version="1.0" encoding="x-klingon"?><rss version="2.0"><channel><title>T</title></channel></rss>`, "encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(t.Context(), []byte(tc.body), f, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if n := strings.Count(err.Error(), "why.example"); n != 1 {
				t.Errorf("%q names the feed %d times, want once", err, n)
			}
		})
	}
}
