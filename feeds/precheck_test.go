package feeds

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// nested is an RSS document with one item holding an element nested n deep.
func nested(open, close string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<rss version="2.0"><channel><title>Deep</title><item><title>x</title>`)
	b.WriteString(strings.Repeat(open, n))
	b.WriteString(strings.Repeat(close, n))
	b.WriteString(`</item></channel></rss>`)
	return b.Bytes()
}

func TestPrecheckRefuses(t *testing.T) {
	f := wirewatch.Feed{ID: "probe", URL: "https://deep.example/rss", Type: wirewatch.FeedRSS}
	var items, elems, jsonItems, jsonDeep bytes.Buffer
	items.WriteString(`<rss version="2.0"><channel><title>Many</title>`)
	items.WriteString(strings.Repeat("<item/>", MaxEntries+1))
	items.WriteString(`</channel></rss>`)
	elems.WriteString(`<rss version="2.0" xmlns:x="https://x.example/"><channel><title>Wide</title><item>`)
	elems.WriteString(strings.Repeat("<x:a/>", MaxElements))
	elems.WriteString(`</item></channel></rss>`)
	jsonItems.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[`)
	jsonItems.WriteString(strings.Repeat(`{"id":"1"},`, MaxEntries))
	jsonItems.WriteString(`{"id":"2"}]}`)
	jsonDeep.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","_x":`)
	jsonDeep.WriteString(strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "}]}")

	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		// The attack: 9.9 MB, one element 900,000 deep.
		{"deep", nested("<a>", "</a>", 900_000), strconv.Itoa(MaxDepth) + " levels"},
		{"deep just past", nested("<a>", "</a>", MaxDepth), strconv.Itoa(MaxDepth) + " levels"},
		// "/>" inside a quoted value does not close the element.
		{"deep quoted slash", nested(`<a t="/>">`, "</a>", MaxDepth), strconv.Itoa(MaxDepth) + " levels"},
		{"deep after comment and cdata", append([]byte(`<!-- <a> --><![CDATA[</a></a>]]>`), nested("<a>", "</a>", MaxDepth)...), strconv.Itoa(MaxDepth) + " levels"},
		{"deep atom xhtml", []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><content type="xhtml">` +
			strings.Repeat("<div>", MaxDepth) + `</content></entry></feed>`), strconv.Itoa(MaxDepth) + " levels"},
		{"many items", items.Bytes(), strconv.Itoa(MaxEntries) + " items"},
		{"many elements", elems.Bytes(), strconv.Itoa(MaxElements) + " elements"},
		{"json many items", jsonItems.Bytes(), strconv.Itoa(MaxEntries) + " items"},
		{"json deep", jsonDeep.Bytes(), strconv.Itoa(MaxDepth) + " levels"},
		{"utf-16 deep", utf16LE(nested("<a>", "</a>", MaxDepth)), strconv.Itoa(MaxDepth) + " levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(t.Context(), tc.body, f, nil)
			if !errors.Is(err, ErrStructure) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrStructure naming %q", err, tc.want)
			}
			if strings.Count(err.Error(), "deep.example") != 1 {
				t.Errorf("error %q should name the feed once", err)
			}
		})
	}
}

func TestPrecheckAccepts(t *testing.T) {
	// Just under the limits parses.
	f := wirewatch.Feed{ID: "x", URL: "https://deep.example/rss", Type: wirewatch.FeedRSS}
	// rss, channel and item are 3 levels.
	if _, err := Parse(t.Context(), nested("<a>", "</a>", MaxDepth-3), f, nil); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	var b bytes.Buffer
	b.WriteString(`<rss version="2.0"><channel><title>Many</title>`)
	for i := range MaxEntries {
		fmt.Fprintf(&b, "<item><guid>%d</guid></item>", i)
	}
	b.WriteString(`</channel></rss>`)
	p, err := Parse(t.Context(), b.Bytes(), f, nil)
	if err != nil || len(p.Items) != MaxItems {
		t.Fatalf("%d items: %d kept, %v; want %d", MaxEntries, len(p.Items), err, MaxItems)
	}
	// Every fixture passes, far from the limits.
	for _, ff := range fixtureFiles(t) {
		body, _ := utf8Body(ff.body)
		if err := precheck(body); err != nil {
			t.Errorf("%s: %v", ff.name, err)
		}
		if n, _ := countXML(body, xmlCounts{1 << 30, 1 << 30, 1 << 30}); n.depth > 32 {
			t.Errorf("%s: depth %d", ff.name, n.depth)
		}
	}
}

// decoderCounts is what encoding/xml, set up as gofeed sets it up, reads of
// a document before it ends or stops with an error.
func decoderCounts(body []byte) xmlCounts {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(string, io.Reader) (io.Reader, error) { return nil, errors.New("no charsets here") }
	var n xmlCounts
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return n
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			n.depth = max(n.depth, depth)
			n.elements++
			if l := strings.ToLower(t.Name.Local); l == "item" || l == "entry" {
				n.entries++
			}
		case xml.EndElement:
			depth--
		}
	}
}

// FuzzPrecheckXML checks that precheck never counts less nesting, fewer
// elements or fewer items than encoding/xml reads, whatever the document.
func FuzzPrecheckXML(f *testing.F) {
	for _, ff := range fixtureFiles(f) {
		f.Add(ff.body)
	}
	for _, s := range []string{
		`<a t="/>"><a x='>'><b/></a></a>`, `<!DOCTYPE x [<!ENTITY e "<a>"> <!-- > -->]><a><a>`, `<a b=c/d><a>`,
		`<a b><c d=e"f"><g>`, `<![CDATA[<a>]]><a><?pi <a> ?><a>`, `<a:item><B:ENTRY/></a:item>`, `<a></b></c><a><a>`,
		`<a x="&quot;>"><a>`, `<a =x><a>`, `<!-- -- --><a><a>`, `<!DOCTYPE [ "]>" ]><a><a>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, _ := countXML(body, xmlCounts{1 << 30, 1 << 30, 1 << 30})
		want := decoderCounts(body)
		if got.depth < want.depth || got.elements < want.elements || got.entries < want.entries {
			t.Fatalf("precheck counted %+v, encoding/xml read %+v in %q", got, want, body)
		}
	})
}

// jsonDepth is the deepest nesting json.Decoder reads before it ends or
// stops with an error.
func jsonDepth(body []byte) int {
	d := json.NewDecoder(bytes.NewReader(body))
	depth, deepest := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// FuzzPrecheckJSON checks that the byte scan of a JSON body refuses every
// body json.Decoder reads deeper than MaxDepth, using a small limit.
func FuzzPrecheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":[{"b":"]]]"}]}`, `{"s":"\\\"[[["}`, `[[[[`, `{"items":[{},{},{}]}`, `{"a":"\u005b"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 || body[0] != '{' {
			return
		}
		want := jsonDepth(body)
		got := 0
		for lim := 1; lim <= 64; lim++ {
			if !errors.Is(scanJSON(body, lim), ErrStructure) {
				got = lim
				break
			}
		}
		if got == 0 {
			got = 65
		}
		// got is the smallest limit the scan lets through: at least the
		// depth json.Decoder reached.
		if want <= 64 && got < want {
			t.Fatalf("scan passes %q at depth limit %d, json.Decoder reads %d levels", body, got, want)
		}
	})
}

func utf16LE(b []byte) []byte {
	out := []byte{0xff, 0xfe}
	for _, c := range b {
		out = append(out, c, 0)
	}
	return out
}

// BenchmarkPrecheck compares the structure pre-check with the gofeed parse
// it guards (the baseline), on a 100-item news feed and a 5000-item one.
func BenchmarkPrecheck(b *testing.B) {
	for _, n := range []int{100, MaxItems} {
		body := newsRSS(n)
		b.Run(fmt.Sprintf("items=%d/gofeed", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := newGofeedParser().Parse(bytes.NewReader(body)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("items=%d/precheck", n), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := precheck(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The attack: what is left of it is the pre-check's one pass.
	deep := nested("<a>", "</a>", 900_000)
	b.Run("deep/precheck", func(b *testing.B) {
		b.SetBytes(int64(len(deep)))
		b.ReportAllocs()
		for b.Loop() {
			if err := precheck(deep); !errors.Is(err, ErrStructure) {
				b.Fatal(err)
			}
		}
	})
}
