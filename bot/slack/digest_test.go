package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
)

// TestTopDigest: the top message's summary counts "1 item" / "N items",
// lists the latest headlines linked, with source and a date token each
// reader sees in their own zone, escapes feed text, and stays within one
// text object however long the headlines.
func TestTopDigest(t *testing.T) {
	s := New(Options{TimeZone: time.FixedZone("EST", -5*3600)})
	at := time.Date(2026, 11, 22, 14, 5, 0, 0, time.UTC)
	one := wirewatch.Thread{Title: "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)", Count: 1, Posted: 1, Updated: at,
		Recent: []wirewatch.ThreadItem{{Title: "ORDER granting motion", Link: "https://ecf.example/1", Source: "D. Md.", Time: at}}}
	got := s.summary(&one)
	if !strings.HasPrefix(got, "*1 item*") || strings.Contains(got, "•") {
		t.Errorf("one item: %q; want \"*1 item*\" and no list repeating the card", got)
	}
	if txt := topText(&one); !strings.Contains(txt, "8:25-cv-00951 (D. Md.)") || !strings.Contains(txt, "1 item") {
		t.Errorf("notification text %q lacks the case as written or the count", txt)
	}

	th := one
	th.Count, th.Posted = 3, 3
	th.Recent = append([]wirewatch.ThreadItem{
		{Title: "Judge <!channel> rules & more", Link: "https://news.example/a?x=1&y=2", Source: "Wire", Time: at.Add(time.Hour)},
		{Title: "Hearing set", Source: "Court <feed>", Time: at.Add(30 * time.Minute)},
	}, th.Recent...)
	got = s.summary(&th)
	for _, want := range []string{
		"*3 items*",
		fmt.Sprintf("• <https://news.example/a?x=1&amp;y=2|Judge &lt;!channel&gt; rules &amp; more> — Wire · <!date^%d^{date_short_pretty} {time}|Nov 22 10:05 EST>", at.Add(time.Hour).Unix()),
		"• Hearing set — Court &lt;feed&gt; · <!date^",
		"• <https://ecf.example/1|ORDER granting motion> — D. Md.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("digest %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "<!channel>") {
		t.Errorf("digest %q carries a live mention", got)
	}

	long := th
	long.Count = 50
	long.Recent = nil
	for i := range wirewatch.RecentItems {
		long.Recent = append(long.Recent, wirewatch.ThreadItem{Title: strings.Repeat("&", 2000), Link: "https://news.example/" + strings.Repeat("x", 250) + fmt.Sprint(i), Source: strings.Repeat("<", 200), Time: at})
	}
	if n := utf8.RuneCountInString(s.summary(&long)); n > maxTextObject {
		t.Errorf("digest of long headlines is %d characters, over Slack's %d", n, maxTextObject)
	}
}
