package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func testDiscord(t testing.TB) *Discord {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	d, err := New(Options{Token: "x", TimeZone: ny, Now: func() time.Time { return time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEmbedGolden(t *testing.T) {
	d := testDiscord(t)
	news := testAlert(textCh, "Judge orders return of *Abrego Garcia*")
	docket := testAlert(textCh, "ORDER granting motion")
	docket.Docket = &wirewatch.Docket{
		Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: "12",
		ShortDescription: "ORDER granting motion for TRO", DocumentURL: "https://ecf.mdd.uscourts.gov/doc1/12",
	}
	docket.Summary = ""
	docket.Terms = []string{"Abrego Garcia"}
	top := topContent(wirewatch.Thread{Title: "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)", Count: 5, Posted: 2, Latest: "Notice of appearance",
		Updated: time.Unix(1795300000, 0), Recent: []wirewatch.ThreadItem{
			{Title: "Notice of appearance", Source: "CourtListener RECAP", Time: time.Unix(1795299000, 0)},
			{Title: "ORDER granting [motion] for TRO", Link: "https://www.courtlistener.com/docket/1/12/", Source: "CourtListener RECAP", Time: time.Unix(1795290000, 0)},
		}}, nil)
	got, err := json.MarshalIndent(map[string]any{
		"news":   d.alertEmbed(news),
		"docket": d.alertEmbed(docket),
		"top":    top,
		"thread": []string{threadName("Abrego Garcia · Nov 21, 2026"), threadName("Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)")},
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "embed.golden.json")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("embeds differ from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestEmbedLimits(t *testing.T) {
	d := testDiscord(t)
	huge := strings.Repeat("Ω𝄞 *x* ", 3000) // multibyte runes and markdown
	a := testAlert(textCh, huge)
	a.Summary = huge
	a.Source = huge
	a.Link = "javascript:alert(1)"
	a.Terms = []string{"x", "Ω"}
	for range 40 {
		a.Watches = append(a.Watches, huge[:300])
	}
	a.Docket = &wirewatch.Docket{Court: huge, Number: huge, CaseName: huge, EntryNumber: huge, ShortDescription: huge, DocumentURL: "https://e.org/" + huge}
	e := d.alertEmbed(a)
	checkEmbed(t, e)
	if e.URL != "" {
		t.Errorf("URL = %q, want a javascript: link dropped", e.URL)
	}
	if !strings.HasSuffix(e.Title, "…") || !strings.HasSuffix(e.Description, "…") {
		t.Errorf("cut title or description lacks the ellipsis")
	}
	items := make([]wirewatch.ThreadItem, wirewatch.RecentItems)
	for i := range items {
		items[i] = wirewatch.ThreadItem{Title: huge, Link: "https://e.org/" + huge[:1500], Source: huge, Time: time.Now()}
	}
	line := topContent(wirewatch.Thread{Title: huge, Latest: huge, Count: 9, Posted: 3, Updated: time.Now(), Recent: items}, &a)
	if n := utf8.RuneCountInString(line); n > maxContent || !utf8.ValidString(line) {
		t.Errorf("top message has %d characters (valid %v), want ≤ %d", n, utf8.ValidString(line), maxContent)
	}
	if name := threadName(huge); utf8.RuneCountInString(name) > maxThreadName || name == "" {
		t.Errorf("thread name has %d characters", utf8.RuneCountInString(name))
	}
}

func checkEmbed(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	if n := utf8.RuneCountInString(e.Title); n > maxTitle || n == 0 {
		t.Errorf("title has %d characters, want 1–%d", n, maxTitle)
	}
	if n := utf8.RuneCountInString(e.Description); n > maxDescription {
		t.Errorf("description has %d characters, want ≤ %d", n, maxDescription)
	}
	if len(e.Fields) > 25 {
		t.Errorf("%d fields", len(e.Fields))
	}
	for _, f := range e.Fields {
		if utf8.RuneCountInString(f.Name) > maxFieldName || utf8.RuneCountInString(f.Value) > maxFieldValue || f.Value == "" {
			t.Errorf("field %q: %d characters", f.Name, utf8.RuneCountInString(f.Value))
		}
		if !utf8.ValidString(f.Value) {
			t.Errorf("field %q is not valid UTF-8", f.Name)
		}
	}
	if n := embedSize(e); n > maxEmbedTotal {
		t.Errorf("embed has %d characters in all, want ≤ %d", n, maxEmbedTotal)
	}
	if !utf8.ValidString(e.Title) || !utf8.ValidString(e.Description) {
		t.Error("title or description is not valid UTF-8 (cut inside a rune)")
	}
}

func TestBold(t *testing.T) {
	for _, tc := range []struct {
		text  string
		terms []string
		want  string
	}{
		{"Abrego Garcia returns", []string{"abrego garcia"}, "**Abrego Garcia** returns"},
		{"Xinis and xinis", []string{"Xinis"}, "**Xinis** and **xinis**"},
		{"Abrego-Garcia's case", []string{"Ábrego García"}, `**Abrego\-Garcia**'s case`},
		{"police and ICE", []string{"ICE"}, "police and **ICE**"}, // whole words, as matched
		{"abc", []string{"ab", "bc"}, "abc"},
		{"no match", []string{"zzz"}, "no match"},
		{"a*b", []string{"b"}, `a\***b**`},
		{"Straße", []string{"STRASSE"}, "Straße"},
		{"İstanbul court", []string{"court"}, "İstanbul **court**"}, // offsets of the original text, whatever folding does
	} {
		if got := bold(tc.text, tc.terms); got != tc.want {
			t.Errorf("bold(%q, %q) = %q, want %q", tc.text, tc.terms, got, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"@everyone look", "@\u200beveryone look"},
		{"@HERE", "@\u200bHERE"},
		{"mail@example.org", "mail@example.org"},
		{"<@&123>", `\<@&123\>`},
		{"**bold** _it_ ~~s~~ `c` ||spoiler||", `\*\*bold\*\* \_it\_ \~\~s\~\~ \` + "`" + `c\` + "`" + ` \|\|spoiler\|\|`},
		{"# Heading", `\# Heading`},
		{"[x](https://evil)", `\[x\]\(https\://evil\)`},
		{"1. list", `1\. list`},
		{"v1.2", "v1.2"},
		{"nul\x00byte", "nulbyte"},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdefgh", 5, "abcd…"},
		{"ΩΩΩΩΩΩ", 3, "ΩΩ…"},
		{`ab\cd`, 4, "ab…"}, // never end on a lone escape
		{"x", 0, ""},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func FuzzAlertEmbed(f *testing.F) {
	f.Add("Abrego Garcia returns", "Judge Xinis ordered", "Xinis", "https://example.org/a", "Court")
	f.Add("@everyone <@&1> **x**", "||spoiler|| `code` > quote", "x", "javascript:alert(1)", "")
	f.Add(strings.Repeat("Ω", 300), strings.Repeat("é ", 3000), "é", "", strings.Repeat("𝄞", 500))
	f.Add("\xff\xfe bad utf8", "\x00", "\xff", "http://[::1", "a\\")
	d := testDiscord(f)
	f.Fuzz(func(t *testing.T, title, summary, term, link, caseName string) {
		a := wirewatch.Alert{Title: title, Summary: summary, Terms: []string{term}, Link: link, Source: caseName,
			Watches: []string{title, caseName}, Published: time.Unix(1795300000, 0)}
		if caseName != "" {
			a.Docket = &wirewatch.Docket{CaseName: caseName, Number: caseName, ShortDescription: summary, DocumentURL: link}
		}
		e := d.alertEmbed(a)
		if n := utf8.RuneCountInString(e.Title); n > maxTitle || n == 0 {
			t.Fatalf("title has %d characters", n)
		}
		if n := utf8.RuneCountInString(e.Description); n > maxDescription {
			t.Fatalf("description has %d characters", n)
		}
		if n := embedSize(e); n > maxEmbedTotal {
			t.Fatalf("embed has %d characters", n)
		}
		for _, fl := range e.Fields {
			if n := utf8.RuneCountInString(fl.Value); n > maxFieldValue || n == 0 {
				t.Fatalf("field %q has %d characters", fl.Name, n)
			}
		}
		if e.URL != "" && !strings.HasPrefix(e.URL, "http") {
			t.Fatalf("URL %q", e.URL)
		}
		for _, s := range []string{e.Title, e.Description} {
			if unescaped(s, "@everyone") || unescaped(s, "@here") {
				t.Fatalf("%q can ping", s)
			}
		}
		name := threadName(a.Title)
		if n := utf8.RuneCountInString(name); n == 0 || n > maxThreadName {
			t.Fatalf("thread name %q has %d characters", name, n)
		}
	})
}
