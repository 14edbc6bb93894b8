package feeds

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://news.example/a", "https://news.example/a"},
		{"  HTTPS://News.Example/A?B=1  ", "https://news.example/A?B=1"},
		{"https://news.example:443/a", "https://news.example/a"},
		{"http://news.example:80/a", "http://news.example/a"},
		{"http://news.example:8080/a", "http://news.example:8080/a"},
		{"https://news.example:80/a", "https://news.example:80/a"},
		{"https://news.example", "https://news.example/"},
		{"https://news.example/a#frag", "https://news.example/a"},
		{"https://news.example/a?utm_source=x&utm_medium=y", "https://news.example/a"},
		{"https://news.example/a?id=1&utm_source=x&page=2", "https://news.example/a?id=1&page=2"},
		{"https://news.example/a?z=1&a=2", "https://news.example/a?z=1&a=2"},
		{"https://news.example/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&msclkid=5&_ga=6&igshid=7", "https://news.example/a"},
		{"https://news.example/a?UTM_SOURCE=x&Id=1", "https://news.example/a?Id=1"},
		{"https://news.example/a?utm%5Fsource=x&id=1", "https://news.example/a?id=1"},
		{"https://news.example/a?", "https://news.example/a"},
		{"https://news.example/a?&&id=1&&", "https://news.example/a?id=1"},
		{"https://news.example/a%20b?q=a+b", "https://news.example/a%20b?q=a+b"},
		{"https://news.example/caf%C3%A9", "https://news.example/caf%C3%A9"},
		{"/relative/path", "/relative/path"},
		{"mailto:desk@news.example", "mailto:desk@news.example"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"", ""},
		{"http://[::1]:80/x", "http://[::1]/x"},
	} {
		if got := Canonical(tc.in); got != tc.want {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"https://news.example/a?utm_source=x&id=1#f", "HTTP://A.B:80", "http://[::1]:443/%zz", "https://x/%2F?%26=1&utm_=2",
		"https://user:pw@Host.example:443/p?q", "http://a/b?;utm_x=1", "http://%41.example/", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameCanonical(t, s)
		c := Canonical(s)
		if c2 := Canonical(c); c2 != c {
			t.Fatalf("Canonical not idempotent: %q -> %q -> %q", s, c, c2)
		}
		if len(c) > 3*len(s)+1 { // escaping may grow it, "/" may be added
			t.Fatalf("Canonical(%q) = %q grew", s, c)
		}
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return
		}
		if u.Fragment != "" {
			t.Fatalf("Canonical(%q) = %q keeps a fragment", s, c)
		}
		for _, kv := range strings.Split(u.RawQuery, "&") {
			k, _, _ := strings.Cut(kv, "=")
			if dk, err := url.QueryUnescape(k); err == nil && isTracking(dk) && c != strings.TrimSpace(s) {
				t.Fatalf("Canonical(%q) = %q keeps tracking parameter %q", s, c, k)
			}
		}
	})
}

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  lots   of\t\tspace  ", "lots of space"},
		{"line one\nline two", "line one\nline two"},
		{"<p>One</p><p>Two</p>", "One\nTwo"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<b>bold</b> and <i>italic</i>", "bold and italic"},
		{"in<b>word</b>", "inword"},
		{"Tom &amp; Jerry &lt;3 &quot;hi&quot; &#8217; &#x263A; &nbsp;x", "Tom & Jerry <3 \"hi\" ’ ☺ x"},
		{"&amp;lt;b&amp;gt;", "&lt;b&gt;"},
		{"<script>alert(1)</script>after", "after"},
		{"<style>p{}</style><p>text</p>", "text"},
		{"<!-- comment -->visible", "visible"},
		{"<img src=x alt=\"A photo\">", "A photo"},
		{"a < b and c > d", "a < b and c > d"},
		{"<p>unclosed <b>bold", "unclosed bold"},
		{"zero\u200bwidth \u202eRLO", "zerowidth RLO"},
		{"bad \xff utf8", "bad \ufffd utf8"},
		{"ctl\x00\x07chars", "ctlchars"},
		{"<ul><li>a</li><li>b</li></ul>", "a\nb"},
		{"<p>\n  spaced\n  source\n</p>", "spaced source"},
		// A "<" that starts no tag is text; markup of any element name is not.
		{"A<B", "A<B"},
		{"x <y and z", "x <y and z"},
		{"<command></command>", ""},
		{"<m>marked</m> up", "marked up"},
		{`<svg:svg width="3"><svg:circle r="1"/></svg:svg>`, ""},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := plainTitle("<h1>A</h1><p>B</p>\nC"); got != "A B C" {
		t.Errorf("plainTitle: got %q, want one line %q", got, "A B C")
	}
}

func TestPlainTextBounds(t *testing.T) {
	long := strings.Repeat("é", MaxSummary) // 2 bytes each
	got := PlainText(long)
	if len(got) > MaxSummary || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Fatalf("got %d bytes (valid %v, ends %q), want at most %d ending in …", len(got), utf8.ValidString(got), got[len(got)-6:], MaxSummary)
	}
	got = plainTitle("<p>" + strings.Repeat("word ", 1000) + "</p>")
	if len(got) > MaxTitle || !strings.HasSuffix(got, "…") || strings.Contains(got, " …") {
		t.Fatalf("title of %d bytes ending %q, want at most %d ending in a word and …", len(got), got[max(0, len(got)-10):], MaxTitle)
	}
	exact := strings.Repeat("a", MaxTitle)
	if got := plainTitle(exact); got != exact {
		t.Fatalf("a title of exactly %d bytes was cut to %d", MaxTitle, len(got))
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"<p>One</p><p>Two &amp; three</p>", "<script>x</script>y", "a<br>b", "&#xD800;", "<img alt='&amp;'>",
		"<p>\u00a0\u200b</p>", "\xff\xfe", "<<<>>>", "&", "<svg><p>x</svg>y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainText(s)
		if len(got) > MaxSummary || !utf8.ValidString(got) {
			t.Fatalf("PlainText(%q) = %q: %d bytes, valid UTF-8 %v", s, got, len(got), utf8.ValidString(got))
		}
		if got != strings.TrimSpace(got) {
			t.Fatalf("PlainText(%q) = %q: leading or trailing space", s, got)
		}
		if strings.Contains(got, "  ") || strings.Contains(got, "\n\n") || strings.Contains(got, " \n") || strings.Contains(got, "\n ") {
			t.Fatalf("PlainText(%q) = %q: whitespace not collapsed", s, got)
		}
		for _, r := range got {
			if r != '\n' && (r < ' ' || r == 0x7f) {
				t.Fatalf("PlainText(%q) = %q: control character %U", s, got, r)
			}
		}
		title := plainTitle(s)
		if len(title) > MaxTitle || strings.ContainsAny(title, "\n\r") {
			t.Fatalf("plainTitle(%q) = %q", s, title)
		}
	})
}

func TestHost(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://News.Example/rss", "news.example"},
		{"https://news.example:8443/rss", "news.example"},
		{"http://[::1]:8080/x", "::1"},
		{"https://news.example./rss", "news.example"},
		{"not a url", "not a url"},
	} {
		if got := Host(tc.in); got != tc.want {
			t.Errorf("Host(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlainTextUnclosed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Left open, the element is dropped and what follows kept.
		{`Before <iframe src="https://x.example/v">after the frame`, "Before after the frame"},
		{`<p>Judge Xinis <object data="v.swf">ruled on Friday</p>`, "Judge Xinis ruled on Friday"},
		{`<svg width="10"><circle r="4"/>text after`, "text after"},
		{`<noscript>Enable JavaScript.<p>The ruling`, "Enable JavaScript.\nThe ruling"},
		{`<title>Page title<p>Body text`, "Page title\nBody text"},
		{`<IFRAME>shouting`, "shouting"},
		// Closed, its content is still dropped.
		{`<iframe>frame</iframe>after`, "after"},
		{`<object><param name=x>fallback</object>after`, "after"},
		{`<svg><text>drawn</text></svg>after`, "after"},
		{`<title>T</title><p>Body`, "Body"},
		{`<noscript>no</noscript>yes`, "yes"},
		// Two opened, one closed: the one that is closed is skipped.
		{`<iframe>a<iframe>b</iframe>c`, "c"},
		// Code left open is still not text.
		{`ok <script>var x = 1; never shown`, "ok"},
		{`ok <style>p { color: red }`, "ok"},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fixtureFeeds are testdata's feeds as gofeed reads them (not the
// encodings' fixtures, which it reads only after utf8Body).
func fixtureFeeds(t *testing.T) []*gofeed.Feed {
	t.Helper()
	var out []*gofeed.Feed
	for _, ff := range fixtureFiles(t) {
		if f, err := gofeed.NewParser().Parse(bytes.NewReader(ff.body)); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// samePlainText fails t when plainText's shortcut for verbatim text gives
// other than the full conversion, and says whether s took the shortcut.
func samePlainText(t *testing.T, s string) (shortcut bool) {
	t.Helper()
	for _, limit := range []int{MaxSummary, MaxTitle, 40, 7} {
		for _, lines := range []bool{true, false} {
			got, want := plainText(s, limit, lines), convertText(s, limit, lines)
			if got != want {
				t.Fatalf("plainText(%q, %d, %v) = %q, want %q (convertText)", s, limit, lines, got, want)
			}
			shortcut = shortcut || verbatim(s, limit, lines)
		}
	}
	return shortcut
}

// TestPlainTextVerbatim checks the shortcut against the full conversion on
// the text of every item of the feeds in testdata and on generated text.
func TestPlainTextVerbatim(t *testing.T) {
	var texts []string
	for _, f := range fixtureFeeds(t) {
		texts = append(texts, f.Title, f.Description)
		for _, it := range f.Items {
			texts = append(texts, it.Title, it.Description, it.Content)
		}
	}
	if len(texts) < 50 {
		t.Fatalf("%d texts from testdata, want the items of its feeds", len(texts))
	}
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"word", "Ünïcødé", "日本語", " ", " ", "\n", "\t", "\r\n", "&amp;", "&", "<b>", "</b>", "<", ">",
		"\u00a0", "\u200b", "\u00ad", "\u2028", "\x85", "\x92", "\xff", "\x00", "\x7f", "\ufffd", ".", "é"}
	for range 20000 {
		var b strings.Builder
		for n := r.IntN(12); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	var short, full int
	for _, s := range texts {
		if samePlainText(t, s) {
			short++
		} else {
			full++
		}
	}
	if short < 100 || full < 100 {
		t.Fatalf("%d texts took the shortcut and %d did not, want many of both", short, full)
	}
}

func FuzzPlainTextVerbatim(f *testing.F) {
	for _, s := range []string{"plain words.", "two  spaces", "line\nbreak", " lead", "trail ", "a\u00a0b", "soft\u00adhyphen",
		"C1 \x92", "bad \xff", "ok \ufffd", "Ünïcødé 日本語", "a & b", "A<B", "tab\tx", "a\n\nb", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { samePlainText(t, s) })
}

// refText is textWriter.text as it was, rune by rune: what the runs of
// visible ASCII that text and textBytes write in one go must equal.
func refText(w *textWriter, s string) {
	for _, r := range s {
		if w.cut {
			return
		}
		w.rune(r)
	}
}

func FuzzTextWriterRuns(f *testing.F) {
	for _, s := range []string{"plain words", "a\x01b\x02c", "Ünï\x01cødé", "\xff\xfe x", "word\x02 word  \x01word"} {
		f.Add(s, uint16(7), true)
		f.Add(s, uint16(MaxSummary), false)
	}
	f.Fuzz(func(t *testing.T, s string, limit uint16, lines bool) {
		// Pieces of s, written in turn: \x01 between two is a line break,
		// \x02 a space.
		var ws [3]textWriter
		for i := range ws {
			ws[i].limit, ws[i].lines = int(limit), lines
		}
		for rest := s; rest != ""; {
			piece, sep := rest, byte(0)
			if i := strings.IndexAny(rest, "\x01\x02"); i >= 0 {
				piece, sep = rest[:i], rest[i]
				rest = rest[i+1:]
			} else {
				rest = ""
			}
			ws[0].text(piece)
			ws[1].textBytes([]byte(piece))
			refText(&ws[2], piece)
			for j := range ws {
				switch sep {
				case 1:
					ws[j].brk()
				case 2:
					ws[j].space()
				}
			}
		}
		want := ws[2].String()
		if got := ws[0].String(); got != want {
			t.Fatalf("text: got %q, want %q (rune by rune)", got, want)
		}
		if got := ws[1].String(); got != want {
			t.Fatalf("textBytes: got %q, want %q (rune by rune)", got, want)
		}
	})
}

// sameCanonical fails t when isCanonical takes s for a link that parsing
// would change: canonical(s), and itemLink's parse and withAnchor, must
// give s itself.
func sameCanonical(t *testing.T, s string) (shortcut bool) {
	t.Helper()
	if !isCanonical(s) {
		return false
	}
	if c := canonical(s); c != s {
		t.Fatalf("isCanonical(%q), but canonical gives %q", s, c)
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		t.Fatalf("isCanonical(%q), but itemLink would not take it: %v", s, err)
	}
	if got := withAnchor(u); got != s {
		t.Fatalf("isCanonical(%q), but withAnchor gives %q", s, got)
	}
	return true
}

// TestCanonicalShortcut checks isCanonical on the links of testdata's
// feeds and on generated ones.
func TestCanonicalShortcut(t *testing.T) {
	var links []string
	for _, f := range fixtureFeeds(t) {
		for _, it := range f.Items {
			links = append(links, it.Link, it.GUID)
			links = append(links, it.Links...)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	schemes := []string{"http://", "https://", "HTTPS://", "ftp://", "https:/", ""}
	hosts := []string{"news.example", "a-1.example", "news.example.", "Host.example", "news.example:80", "x.example:443", "x.example:",
		"[::1]", "a..b", "-", "user@news.example", "%41.example", ""}
	pieces := []string{"/", "/", "/", "//", "a", "Z", "0", "-", "_", "~", ".", "..", "%41", "%2F", "?", "?q=1", "?utm_source=x", "#x",
		"#", "&", " ", "@", "é", ";", "=", "+", "!", ":", "%", "%zz", "%2"}
	for i := range 50000 {
		var b strings.Builder
		b.WriteString(schemes[r.IntN(len(schemes))])
		b.WriteString(hosts[r.IntN(len(hosts))])
		n := len(pieces)
		if i%2 == 0 {
			n = 11 // paths of "/" and unreserved characters, most of them canonical
		}
		for k := r.IntN(8); k > 0; k-- {
			b.WriteString(pieces[r.IntN(n)])
		}
		links = append(links, b.String())
	}
	short := 0
	for _, l := range links {
		if sameCanonical(t, l) {
			short++
		}
	}
	if short < 100 || short > len(links)-100 {
		t.Fatalf("%d of %d links took the shortcut, want many, not all", short, len(links))
	}
}
