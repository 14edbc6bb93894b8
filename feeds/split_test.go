package feeds

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
)

var splitCorpus = flag.String("splitcorpus", "", "a folder of third-party feed documents for TestPartialParseCorpus (every file under it is tried)")

// partialCheck is what checkPartial found.
type partialCheck struct {
	split bool // the body split and a memo was made
	part  bool // the parse left items out
}

// checkPartial parses body1 whole, and in part against the memo of a
// committed parse of body0, and checks that the partial parse lost nothing:
// the same channel fields and count, its items a subsequence of the whole
// parse's, and every item it left out equal (all fields) to an item of
// body0's parse.
func checkPartial(t *testing.T, f wirewatch.Feed, body0, body1 []byte) (c partialCheck) {
	t.Helper()
	p0, memo, err := parse(t.Context(), body0, f, nil, nil, true)
	if err != nil {
		return c
	}
	if memo != nil && len(memo.items) != len(p0.Items) {
		t.Fatalf("memo of %d items for a parse of %d", len(memo.items), len(p0.Items))
	}
	full, errFull := Parse(t.Context(), body1, f, nil)
	part, memo1, errPart := parse(t.Context(), body1, f, nil, memo, true)
	if (errFull == nil) != (errPart == nil) || errFull != nil && errFull.Error() != errPart.Error() {
		t.Fatalf("whole parse: %v; partial parse: %v", errFull, errPart)
	}
	if errFull != nil {
		return c
	}
	c.split = memo != nil && memo1 != nil
	c.part = len(part.Items) < part.Count
	if part.Title != full.Title || part.TTL != full.TTL || !part.LastBuild.Equal(full.LastBuild) || part.Count != full.Count {
		t.Errorf("channel: partial %q %v %v %d, whole %q %v %v %d", part.Title, part.TTL, part.LastBuild, part.Count, full.Title, full.TTL, full.LastBuild, full.Count)
	}
	if full.Count != len(full.Items) {
		t.Errorf("whole parse: Count %d, %d items", full.Count, len(full.Items))
	}
	if memo1 != nil && len(memo1.items) != full.Count {
		t.Errorf("memo of %d items for a document of %d", len(memo1.items), full.Count)
	}
	k := 0
	for _, it := range full.Items {
		if k < len(part.Items) && reflect.DeepEqual(part.Items[k], it) {
			k++
			continue
		}
		if !slices.ContainsFunc(p0.Items, func(old wirewatch.Item) bool { return reflect.DeepEqual(old, it) }) {
			t.Errorf("item %q (%q) left out, but the last committed parse did not have it as it is now", it.ID, it.Title)
		}
	}
	if k < len(part.Items) {
		t.Errorf("partial item %d (%+v) is not in the whole parse, in order", k, part.Items[k])
	}
	return c
}

// genItem is one item of a generated feed.
type genItem struct {
	n            int    // tells the item's text apart
	guid         string // "" for none
	title, extra string
}

// genFeed writes a feed of kind "rss", "atom" or "rdf" with items in order.
func genFeed(kind, head string, items []genItem) []byte {
	var b bytes.Buffer
	date := func(n int) time.Time {
		return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
	}
	switch kind {
	case "rss":
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Gen%s</title><link>https://gen.example/</link><ttl>30</ttl>\n", head)
		for _, it := range items {
			b.WriteString("<item>")
			if it.guid != "" {
				fmt.Fprintf(&b, "<guid isPermaLink=\"false\">%s</guid>", it.guid)
			}
			fmt.Fprintf(&b, "<title>%s</title><link>/story/%d</link><pubDate>%s</pubDate><description>Text of %d &amp; more.%s</description></item>\n",
				it.title, it.n, date(it.n).Format(time.RFC1123), it.n, it.extra)
		}
		b.WriteString("<lastBuildDate>Mon, 30 Nov 2026 12:00:00 GMT</lastBuildDate></channel></rss>\n")
	case "atom":
		fmt.Fprintf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://gen.example/atom/\"><title>Gen%s</title><updated>2026-11-30T12:00:00Z</updated>\n", head)
		for _, it := range items {
			b.WriteString("<entry>")
			if it.guid != "" {
				fmt.Fprintf(&b, "<id>%s</id>", it.guid)
			}
			fmt.Fprintf(&b, "<title>%s</title><link href=\"e/%d\"/><updated>%s</updated><summary type=\"html\">Text of %d.%s</summary></entry>\n",
				it.title, it.n, date(it.n).Format(time.RFC3339), it.n, it.extra)
		}
		b.WriteString("</feed>\n")
	case "rdf":
		fmt.Fprintf(&b, "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about=\"https://gen.example/\"><title>Gen%s</title><link>https://gen.example/</link></channel>\n", head)
		for _, it := range items {
			fmt.Fprintf(&b, "<item rdf:about=\"https://gen.example/r/%d\"><title>%s</title><link>https://gen.example/r/%d</link><dc:date>%s</dc:date><description>Text of %d.%s</description></item>\n",
				it.n, it.title, it.n, date(it.n).Format(time.RFC3339), it.n, it.extra)
		}
		b.WriteString("</rdf:RDF>\n")
	}
	return b.Bytes()
}

func genItems(from, to int, guids bool) []genItem {
	var out []genItem
	for n := to - 1; n >= from; n-- {
		it := genItem{n: n, title: fmt.Sprintf("Story %d", n)}
		if guids {
			it.guid = fmt.Sprintf("tag:gen.example,2026:%d", n)
		}
		out = append(out, it)
	}
	return out
}

// TestPartialParseGenerated changes generated feeds between two parses and
// checks that the partial parse yields exactly the items that changed, as
// the whole parse reads them, or falls back to the whole parse where a
// GUID's count or the items' context changed.
func TestPartialParseGenerated(t *testing.T) {
	base := genItems(0, 20, true)
	edit := func(items []genItem, k int, title string) []genItem {
		out := slices.Clone(items)
		out[k].title = title
		return out
	}
	type change struct {
		name        string
		head0, head string
		before      []genItem
		after       []genItem
		changed     []int // indexes into after that the partial parse must yield
		whole       bool  // the partial parse must fall back
	}
	changes := []change{
		{name: "same", before: base, after: base, changed: []int{}},
		{name: "added", before: base, after: append(genItems(20, 23, true), base...), changed: []int{0, 1, 2}},
		{name: "added and oldest gone", before: base, after: append(genItems(20, 25, true), base[:15]...), changed: []int{0, 1, 2, 3, 4}},
		{name: "removed", before: base, after: base[3:], changed: []int{}},
		{name: "edited", before: base, after: edit(base, 5, "Story 14, corrected"), changed: []int{5}},
		{name: "reordered", before: base, after: append(slices.Clone(base[10:]), base[:10]...), changed: []int{}},
		{name: "head changed", before: base, head: " (renamed)", after: append(genItems(20, 21, true), base...), changed: []int{0}},
		{name: "no guids", before: genItems(0, 20, false), after: genItems(0, 22, false), changed: []int{0, 1}},
		{name: "new item repeats an old guid", before: base,
			after: append([]genItem{{n: 40, guid: base[3].guid, title: "Another story"}}, base...), whole: true},
		{name: "repeated guid in the last parse", before: append([]genItem{{n: 41, guid: base[0].guid, title: "Twin"}}, base...),
			after: append(genItems(20, 21, true), base...), whole: true},
		{name: "the same item twice (a repeated guid)", before: base, after: append([]genItem{base[0]}, base...), whole: true},
		{name: "new item with a comment", before: base,
			after: append([]genItem{{n: 42, guid: "g42", title: "With a note", extra: "<!-- a note -->"}}, base...), changed: []int{0}},
		{name: "commented-out item tag", before: base,
			after: append([]genItem{{n: 43, guid: "g43", title: "Quoting", extra: "<!-- <item> -->"}}, base...), whole: true},
		{name: "item tag in CDATA", before: base,
			after: append([]genItem{{n: 44, guid: "g44", title: "Quoting", extra: "<![CDATA[<entry>x</entry>]]>"}}, base...), whole: true},
		{name: "unclosed HTML in an item", before: base,
			after: append([]genItem{{n: 45, guid: "g45", title: "Loose", extra: "<br>"}}, base...), whole: true},
		{name: "nested item", before: base,
			after: append([]genItem{{n: 46, guid: "g46", title: "Nest", extra: "<item><title>in</title></item><entry><title>in</title></entry>"}}, base...), whole: true},
	}
	for _, kind := range []string{"rss", "atom", "rdf"} {
		for _, ch := range changes {
			t.Run(kind+"/"+ch.name, func(t *testing.T) {
				if kind == "rdf" && strings.Contains(ch.name, "guid") {
					t.Skip("RSS 1.0 items have no GUID of their own")
				}
				f := wirewatch.Feed{ID: "cfg-gen", URL: "https://gen.example/feed", Type: wirewatch.FeedRSS, Name: "Gen"}
				body0, body1 := genFeed(kind, ch.head0, ch.before), genFeed(kind, ch.head, ch.after)
				c := checkPartial(t, f, body0, body1)
				full, err := Parse(t.Context(), body1, f, nil)
				if err != nil {
					t.Fatal(err)
				}
				_, memo, _ := parse(t.Context(), body0, f, nil, nil, true)
				part, _, err := parse(t.Context(), body1, f, nil, memo, true)
				if err != nil {
					t.Fatal(err)
				}
				if ch.whole {
					if c.part || !reflect.DeepEqual(part.Items, full.Items) {
						t.Fatalf("partial parse gave %d of %d items, want the whole parse", len(part.Items), full.Count)
					}
					return
				}
				if !c.split {
					t.Fatal("the document did not split")
				}
				var want []wirewatch.Item
				for _, k := range ch.changed {
					want = append(want, full.Items[k])
				}
				if !reflect.DeepEqual(part.Items, want) && !(len(want) == 0 && len(part.Items) == 0) {
					t.Fatalf("partial parse gave\n%+v\nwant\n%+v", part.Items, want)
				}
			})
		}
	}
}

// TestPartialParseChangedContext: a document whose items' ancestors or URL
// changed is parsed whole (a namespace or xml:base changes how an
// unchanged item reads).
func TestPartialParseChangedContext(t *testing.T) {
	f := wirewatch.Feed{ID: "cfg-gen", URL: "https://gen.example/feed", Type: wirewatch.FeedRSS, Name: "Gen"}
	body0 := genFeed("atom", "", genItems(0, 10, true))
	_, memo, err := parse(t.Context(), body0, f, nil, nil, true)
	if err != nil || memo == nil {
		t.Fatalf("no memo: %v", err)
	}
	for name, body1 := range map[string][]byte{
		"xml:base": bytes.Replace(body0, []byte(`xml:base="https://gen.example/atom/"`), []byte(`xml:base="https://other.example/"`), 1),
		"same":     body0,
	} {
		p, _, err := parse(t.Context(), body1, f, nil, memo, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"xml:base": 10, "same": 0}[name]; len(p.Items) != want {
			t.Errorf("%s: %d items read, want %d", name, len(p.Items), want)
		}
		checkPartial(t, f, body0, body1)
	}
	moved := f
	moved.URL = "https://gen.example/moved"
	if p, _, _ := parse(t.Context(), body0, moved, nil, memo, true); len(p.Items) != 10 {
		t.Errorf("a feed with another URL: %d items read, want all 10", len(p.Items))
	}
}

func TestSplitItemsFallsBack(t *testing.T) {
	item := "<item><title>a</title></item>"
	rss := func(s string) string { return `<rss version="2.0"><channel><title>t</title>` + s + `</channel></rss>` }
	for name, body := range map[string]string{
		"json feed":         `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1"}]}`,
		"no items":          rss(""),
		"doctype":           `<!DOCTYPE rss [<!ENTITY x "y">]>` + rss(item),
		"comment with item": rss(item + `<!-- <item><title>b</title></item> -->`),
		"cdata with item":   rss(`<description><![CDATA[</item>]]></description>` + item),
		"nested":            rss(`<item><item>x</item></item>`),
		"unbalanced":        rss(`<item><p>x</item>`),
		"unclosed":          `<rss><channel>` + item,
		"capital Item":      rss(`<Item><title>a</title></Item>`),
		"prefixed item":     rss(`<rss:item><title>a</title></rss:item>`),
		"items apart":       rss(item + `<image>` + item + `</image>`),
		"item at the root":  `<rss><item>x</item></rss><rss></rss>`,
		"not a feed root":   `<html><item>x</item></html>`,
		"not UTF-8":         rss("<item><title>caf\xe9</title></item>"),
		"non-ASCII name":    rss("<item><tïtle>a</tïtle></item>"),
		"lone <":            rss(`<item><title>a < b</title></item>`),
		"truncated":         rss(item)[:40],
	} {
		if sp, ok := splitItems([]byte(body), "", 0); ok {
			t.Errorf("%s: split into %d items, want a fallback", name, len(sp.items))
		}
	}
	for name, tc := range map[string]struct {
		body  string
		items int
	}{
		"rss":                  {rss(item + "\n<!-- between -->\n" + item), 2},
		"attributes and empty": {rss(`<item a='1>' b="x>" c=d/><item/>` + item), 3},
		"pi and cdata":         {`<?xml version="1.0"?><?xml-stylesheet href="a"?>` + rss(`<item><description><![CDATA[<b>x</b> </description>]]></description></item>`), 1},
		"atom":                 {`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry><entry><id>2</id></entry></feed>`, 2},
	} {
		sp, ok := splitItems([]byte(tc.body), "", 0)
		if !ok || len(sp.items) != tc.items {
			t.Errorf("%s: ok %v, %d items, want %d", name, ok, len(sp.items), tc.items)
			continue
		}
		for _, it := range sp.items {
			el := tc.body[it.start:it.end]
			if !strings.HasPrefix(el, "<item") && !strings.HasPrefix(el, "<entry") || !strings.HasSuffix(el, ">") {
				t.Errorf("%s: item element %q", name, el)
			}
		}
	}
}

// TestSplitItemsBounded: past MaxItems items the document is parsed whole
// (only the first MaxItems count, and a partial parse cannot tell which
// those were).
func TestSplitItemsBounded(t *testing.T) {
	body := []byte(`<rss><channel>` + strings.Repeat("<item/>", MaxItems) + `</channel></rss>`)
	if sp, ok := splitItems(body, "", 0); !ok || len(sp.items) != MaxItems {
		t.Fatalf("%d items: ok %v, %d", MaxItems, ok, len(sp.items))
	}
	body = []byte(`<rss><channel>` + strings.Repeat("<item/>", MaxItems+1) + `</channel></rss>`)
	if _, ok := splitItems(body, "", 0); ok {
		t.Fatalf("%d items split", MaxItems+1)
	}
}

// mutations are changes made to a feed document without knowing its
// format: each item element removed, edited, repeated, and the items'
// order reversed (found by splitItems; checkPartial does not trust it).
func mutations(body []byte) map[string][]byte {
	out := map[string][]byte{"same": body}
	sp, ok := splitItems(body, "", 0)
	if !ok {
		return out
	}
	cut := func(from, to int, with []byte) []byte {
		return slices.Concat(body[:from], with, body[to:])
	}
	first, last := sp.items[0], sp.items[len(sp.items)-1]
	out["first removed"] = cut(first.start, first.end, nil)
	out["last removed"] = cut(last.start, last.end, nil)
	out["first repeated"] = cut(first.start, first.start, body[first.start:first.end])
	if k := bytes.Index(body[last.start:last.end], []byte("<title")); k >= 0 {
		if gt := bytes.IndexByte(body[last.start+k:last.end], '>'); gt >= 0 {
			at := last.start + k + gt + 1
			out["last edited"] = cut(at, at, []byte("Edited "))
		}
	}
	var rev []byte
	for k := len(sp.items) - 1; k >= 0; k-- {
		rev = append(rev, body[sp.items[k].start:sp.items[k].end]...)
	}
	out["reversed"] = cut(first.start, last.end, rev)
	return out
}

// splitStats counts how documents that parse with items fared in
// checkPartial, and why those parsed whole were.
type splitStats struct {
	docs, split, part int
	whole             map[string]int
}

func (s *splitStats) check(t *testing.T, f wirewatch.Feed, body []byte) {
	t.Helper()
	if p, err := Parse(t.Context(), body, f, nil); err != nil || len(p.Items) == 0 {
		checkPartial(t, f, body, body)
		return
	}
	s.docs++
	if checkPartial(t, f, body, body).split {
		s.split++
	} else {
		if s.whole == nil {
			s.whole = map[string]int{}
		}
		s.whole[wholeWhy(body)]++
	}
	for name, body1 := range mutations(body) {
		t.Run(name, func(t *testing.T) {
			if c := checkPartial(t, f, body, body1); c.part {
				s.part++
			}
			checkPartial(t, f, body1, body)
		})
	}
}

// TestPartialParseFixtures runs checkPartial on the repository's feed
// fixtures and their mutations.
func TestPartialParseFixtures(t *testing.T) {
	var files []string
	for _, glob := range []string{"testdata/*.xml", "testdata/*.rdf", "testdata/*.json", "*/testdata/*.xml", "*/testdata/*/*.xml", "*/testdata/*/*/*.xml", "../cmd/wirewatch/testdata/*.xml"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found %d fixtures", len(files))
	}
	var st splitStats
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(file, func(t *testing.T) {
			st.check(t, wirewatch.Feed{ID: "cfg-x", URL: "https://fixture.example/feed", Type: wirewatch.FeedRSS, Name: "Fixture"}, body)
		})
	}
	t.Logf("%d fixtures, %d with items: %d split, parsed whole %v; %d mutations parsed in part", len(files), st.docs, st.split, st.whole, st.part)
	if st.split < st.docs-1 {
		t.Errorf("only %d of %d fixtures split", st.split, st.docs)
	}
}

// TestPartialParseCorpus is TestPartialParseFixtures over a folder of
// third-party feeds given with -splitcorpus (the test suites of gofeed and
// feedparser were measured so; see BENCHMARKS.md).
func TestPartialParseCorpus(t *testing.T) {
	if *splitCorpus == "" {
		t.Skip("no -splitcorpus folder")
	}
	var st splitStats
	files := 0
	err := filepath.WalkDir(*splitCorpus, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		t.Run(path, func(t *testing.T) {
			st.check(t, wirewatch.Feed{ID: "cfg-x", URL: "https://corpus.example/feed", Type: wirewatch.FeedRSS, Name: "Corpus"}, body)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d documents, %d parse with items: %d split, parsed whole %v; %d mutations parsed in part", files, st.docs, st.split, st.whole, st.part)
}

// wholeWhy guesses why a document with items did not split, for the
// corpus's figures.
func wholeWhy(body []byte) string {
	body, _ = utf8Body(body)
	lower := bytes.ToLower(body)
	switch {
	case bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")):
		return "json"
	case bytes.Contains(lower, []byte("<!doctype")), bytes.Contains(lower, []byte("<!entity")):
		return "doctype"
	case !utf8.Valid(body):
		return "not utf-8"
	}
	if _, ok := splitItems(body, "", 0); ok {
		return "gofeed reads another number of items"
	}
	return "structure"
}

// FuzzSplitItems: the split never panics, its items are in order and do
// not overlap, and a partial parse against the memo of the same document
// with its first item removed loses nothing (checkPartial).
func FuzzSplitItems(f *testing.F) {
	f.Add(genFeed("rss", "", genItems(0, 3, true)))
	f.Add(genFeed("atom", "", genItems(0, 3, false)))
	f.Add(genFeed("rdf", "", genItems(0, 3, false)))
	f.Add([]byte(`<rss><channel><item><title>a</title><!-- </item> --></item><item/></channel></rss>`))
	f.Add([]byte(`<rss><channel><item><description><![CDATA[x]]></description></item><item a="1"><guid>g</guid></item></channel></rss>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		sp, ok := splitItems(body, "", 0)
		if !ok {
			return
		}
		end := 0
		for _, it := range sp.items {
			if it.start < end || it.end <= it.start || it.end > len(body) || body[it.start] != '<' || body[it.end-1] != '>' {
				t.Fatalf("item span %d-%d after %d in %d bytes", it.start, it.end, end, len(body))
			}
			end = it.end
		}
		fd := wirewatch.Feed{ID: "cfg-f", URL: "https://fuzz.example/feed", Type: wirewatch.FeedRSS, Name: "Fuzz"}
		first := sp.items[0]
		less := slices.Concat(body[:first.start], body[first.end:])
		checkPartial(t, fd, less, body)
		checkPartial(t, fd, body, less)
	})
}

// TestPollerMemoBound: the poller keeps at most maxMemoItems sums (a feed
// past it keeps only its mark, so its next parse is whole and records
// again), and forgets a feed's sums when the feed leaves the list.
func TestPollerMemoBound(t *testing.T) {
	list := []wirewatch.Feed{{ID: "a", URL: "https://a.example/rss"}, {ID: "b", URL: "https://b.example/rss"}}
	p := &Poller{Feeds: func() ([]wirewatch.Feed, error) { return list, nil }}
	p.init()
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	big := func() *itemMemo { return &itemMemo{items: make([]memoItem, maxMemoItems*2/3)} }
	p.mu.Lock()
	p.keepMemo("a", big(), true)
	p.keepMemo("b", big(), true)
	p.mu.Unlock()
	if m, again := p.memo("b"); m != nil || !again {
		t.Errorf("b over the bound: memo %v, again %v; want only its mark", m != nil, again)
	}
	if m, _ := p.memo("a"); m == nil || p.memoItems != len(m.items) {
		t.Fatalf("a: memo %v, %d sums counted", m != nil, p.memoItems)
	}
	list = list[1:]
	if err := p.rebuild(false); err != nil {
		t.Fatal(err)
	}
	if _, again := p.memo("a"); again || p.memoItems != 0 {
		t.Errorf("a dropped from the list: still known %v, %d sums counted", again, p.memoItems)
	}
	p.mu.Lock()
	p.keepMemo("b", big(), true)
	p.mu.Unlock()
	if m, _ := p.memo("b"); m == nil {
		t.Error("b under the bound again: no memo")
	}
}
