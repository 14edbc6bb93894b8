package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBoldTerms(t *testing.T) {
	cases := []struct {
		name, text string
		terms      []string
		want       string
	}{
		{"accent and case", "Judge Xinis ruled on Abrego García's case.", []string{"abrego garcia", "XINIS"},
			"Judge *Xinis* ruled on *Abrego García*'s case."},
		{"whole words only", "Xinisville and Xinis", []string{"Xinis"}, "Xinisville and *Xinis*"},
		{"every occurrence", "ICE, ice, Ice", []string{"ice"}, "*ICE*, *ice*, *Ice*"},
		{"overlapping terms merge", "Abrego Garcia case", []string{"Abrego Garcia", "Garcia case"}, "*Abrego Garcia case*"},
		{"escaped inside bold", "AT&T <sued>", []string{"AT&T"}, "*AT&amp;T* &lt;sued&gt;"},
		{"no terms", "plain <b>", nil, "plain &lt;b&gt;"},
		{"empty term", "plain", []string{"", "  "}, "plain"},
		{"expanding fold (ß, ﬁ)", "Straße ﬁle", []string{"straße"}, "*Straße* ﬁle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mrkdwn(boldTerms(tc.text, tc.terms), 1000); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMrkdwnTruncates(t *testing.T) {
	cases := []struct {
		name string
		ps   []piece
		max  int
		want string
	}{
		{"fits", []piece{{s: "abc"}}, 3, "abc"},
		{"cut", []piece{{s: "abcdef"}}, 4, "abc…"},
		{"never splits an entity", []piece{{s: "ab&cd"}}, 6, "ab…"},
		{"closes bold", []piece{{s: "ab "}, {s: "cdefgh", bold: true}}, 8, "ab *cd*…"},
		{"no room for bold", []piece{{s: "abcd"}, {s: "xyz", bold: true}}, 6, "abcd…"},
		{"runes not bytes", []piece{{s: "日本語テキスト"}}, 4, "日本語…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := mrkdwn(tc.ps, tc.max)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > tc.max {
				t.Errorf("got %d runes, want ≤ %d", n, tc.max)
			}
		})
	}
}

func TestLinkURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://news.example/a?x=1&y=2":  "https://news.example/a?x=1&amp;y=2",
		"http://news.example/":            "http://news.example/",
		"javascript:alert(1)":             "",
		"https://evil.example|label":      "",
		"https://x.example/<!channel>":    "",
		"https://x.example/a b":           "",
		"ftp://x.example/":                "",
		"https:///nohost":                 "",
		"":                                "",
		"https://x.example/\u2028newline": "",
	} {
		if got := linkURL(u); got != want {
			t.Errorf("linkURL(%q) = %q, want %q", u, got, want)
		}
	}
	if got := link("javascript:x", "<!here>", 100); got != "&lt;!here&gt;" {
		t.Errorf("unsafe link rendered %q, want the escaped label alone", got)
	}
}

// FuzzMrkdwn: whatever the feed text, the result carries no raw < or >,
// every & starts one of Slack's three entities, it is valid UTF-8 and
// within the limit.
func FuzzMrkdwn(f *testing.F) {
	f.Add("<!channel> breaking & <http://evil|bank>", "bank", 40)
	f.Add("Abrego García", "abrego garcia", 5)
	f.Add("\xff\xfe<\x00>", "<", 3)
	f.Add("ﬁﬁﬁ ß", "fi", 2)
	f.Fuzz(func(t *testing.T, text, term string, max int) {
		if max < 1 || max > 5000 {
			return
		}
		got := mrkdwn(boldTerms(text, []string{term}), max)
		if strings.ContainsAny(got, "<>") {
			t.Fatalf("raw < or > in %q", got)
		}
		for i := strings.IndexByte(got, '&'); i >= 0; i = strings.IndexByte(got, '&') {
			rest := got[i:]
			if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
				t.Fatalf("bare & in %q", got)
			}
			got = rest[1:]
		}
		out := mrkdwn(boldTerms(text, []string{term}), max)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		if n := utf8.RuneCountInString(out); n > max && max >= 1 {
			t.Fatalf("got %d runes, want ≤ %d", n, max)
		}
	})
}

// BenchmarkRender compares rendering an alert's card (escaping, bold terms,
// truncation, blocks) with the baseline of escaping the same text with a
// strings.Replacer.
func BenchmarkRender(b *testing.B) {
	a := alert("C1", "k", "Judge Xinis orders the return of Abrego García & others <update>")
	a.Summary = strings.Repeat("The judge, Paula Xinis, said the government must facilitate Abrego Garcia's return. ", 12)
	s := New(Options{})
	b.Run("baseline-replacer", func(b *testing.B) {
		r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
		for b.Loop() {
			_ = r.Replace(a.Title) + r.Replace(a.Summary) + r.Replace(a.Source)
		}
	})
	b.Run("card", func(b *testing.B) {
		for b.Loop() {
			_ = s.topBlocks("Abrego Garcia · 2026-11-22", &a)
		}
	})
}

// A reply of the widest text still fits a Socket Mode ack once marshalled.
func TestReplyTextFitsAck(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("😀", 3*maxReply),
		strings.Repeat("&", 3*maxReply),
		strings.Repeat(`"\`, 3*maxReply),
	} {
		text := replyText(in)
		if n := utf8.RuneCountInString(text); n > maxReply {
			t.Errorf("reply of %q…: %d runes, want at most %d", in[:8], n, maxReply)
		}
		b, err := json.Marshal(map[string]any{"response_type": "ephemeral", "text": text})
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 16<<10 {
			t.Errorf("reply of %q…: %d bytes as JSON, want at most 16 KB", in[:8], len(b))
		}
		if !strings.HasSuffix(text, "…") {
			t.Errorf("reply of %q… was cut without an ellipsis", in[:8])
		}
	}
}

// TestLinkURLLimitIsAfterEscaping: a URL under the limit whose "&"s push
// its escaped form past it is not linked (Slack would refuse the block:
// invalid_blocks, a parked alert).
func TestLinkURLLimitIsAfterEscaping(t *testing.T) {
	u := "https://news.example/?" + strings.Repeat("a=1&", 450) // 1,822 bytes, 450 "&"
	if len(u) > maxURL {
		t.Fatalf("test URL is %d bytes, want under %d", len(u), maxURL)
	}
	if got := linkURL(u); got != "" {
		t.Errorf("linkURL kept a URL of %d escaped bytes, over %d", len(got), maxURL)
	}
	short := "https://news.example/?a=1&b=2"
	if got := linkURL(short); got != "https://news.example/?a=1&amp;b=2" {
		t.Errorf("linkURL(%q) = %q", short, got)
	}
}
