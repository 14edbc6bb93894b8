package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestReplyFolded: a burst of FoldMax hostile alerts is one message in the
// thread, its embeds within Discord's limits, every alert listed, nothing
// that pings, with the first alert's nonce.
func TestReplyFolded(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "First story")
	th := openThread(t, d, a)
	var as []wirewatch.Alert
	for i := range wirewatch.FoldMax {
		b := posterAlert(textCh, uint64(10+i), fmt.Sprintf("Story %02d @everyone <@&123> **%s**", i, strings.Repeat("x_*", 300)))
		b.Link = "https://news.example/" + strings.Repeat("y", 90+i) // some too long to link
		b.Source = strings.Repeat("@here ", 40)
		as = append(as, b)
	}
	ref, err := d.ReplyFolded(ctx, th, as)
	if err != nil || ref != th.Ref {
		t.Fatalf("ReplyFolded = %q, %v", ref, err)
	}
	in := f.Messages(th.Ref)
	if len(in) != 1 || in[0].Nonce != nonce(nonceFolded, as[0]) {
		t.Fatalf("messages in the thread %+v, want one with the first alert's nonce", in)
	}
	m := in[0]
	total, text := 0, ""
	if len(m.Embeds) > 10 {
		t.Errorf("%d embeds, over 10", len(m.Embeds))
	}
	for _, e := range m.Embeds {
		if n := len([]rune(e.Description)); n > maxDescription {
			t.Errorf("description of %d characters", n)
		}
		total += embedSize(e)
		text += e.Title + "\n" + e.Description + "\n"
	}
	if total > maxEmbedTotal {
		t.Errorf("embeds total %d characters, over %d", total, maxEmbedTotal)
	}
	if !strings.HasPrefix(text, fmt.Sprintf("%d more items", wirewatch.FoldMax)) {
		t.Errorf("folded message starts %.40q, want the count", text)
	}
	for i := range wirewatch.FoldMax {
		if !strings.Contains(text, fmt.Sprintf("Story %02d", i)) {
			t.Errorf("Story %02d not listed", i)
		}
	}
	for _, bad := range []string{"@everyone", "@here", "<@&123>"} {
		if strings.Contains(text, bad) {
			t.Errorf("folded message carries %q", bad)
		}
	}
	if !strings.Contains(text, "](<https://news.example/yyy") {
		t.Error("no headline is linked")
	}
}

// TestPostDigest: a digest is one message in the channel, titled with its
// count, with the first alert's nonce.
func TestPostDigest(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	as := []wirewatch.Alert{posterAlert(textCh, 1, "One"), posterAlert(textCh, 2, "Two")}
	if err := d.PostDigest(ctx, as); err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages(textCh)
	if len(msgs) != 1 || msgs[0].Nonce != nonce(nonceDigest, as[0]) || len(msgs[0].Embeds) != 1 || msgs[0].Embeds[0].Title != "Digest: 2 items" ||
		!strings.Contains(msgs[0].Embeds[0].Description, "One") || !strings.Contains(msgs[0].Embeds[0].Description, "Two") {
		t.Fatalf("messages %+v, want one digest of One and Two", msgs)
	}
}

// A burst holding "also in" alerts lists each as the outlet it adds, not
// as its story's headline and source again.
func TestReplyFoldedListsAlsoIn(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "First story")
	th := openThread(t, d, a)
	var as []wirewatch.Alert
	for i := range 3 {
		b := a
		b.ID = uint64(10 + i)
		b.AlsoIn = []wirewatch.Outlet{{Source: fmt.Sprintf("Outlet %d", i), Link: fmt.Sprintf("https://outlet%d.example/story", i)}}
		as = append(as, b)
	}
	if _, err := d.ReplyFolded(ctx, th, as); err != nil {
		t.Fatal(err)
	}
	in := f.Messages(th.Ref)
	if len(in) != 1 {
		t.Fatalf("%d messages in the thread, want 1", len(in))
	}
	text := ""
	for _, e := range in[0].Embeds {
		text += e.Description + "\n"
	}
	for i := range 3 {
		if !strings.Contains(text, fmt.Sprintf("Outlet %d", i)) || !strings.Contains(text, fmt.Sprintf("outlet%d.example", i)) {
			t.Errorf("outlet %d not listed in %q", i, text)
		}
	}
	if strings.Count(text, "Also in: First story") != 3 {
		t.Errorf("folded also-in lines %q, want three marked \"Also in\"", text)
	}
}
