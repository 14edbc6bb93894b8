package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
)

// TestReplyFoldedStaysInsideSlacksLimits: a folded message of FoldMax
// hostile alerts is one reply in the thread, within 50 blocks and 3,000
// characters a section, with no live mention, and Delivered finds it by
// its first alert.
func TestReplyFoldedStaysInsideSlacksLimits(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	top := alert("C1", "k", "Top")
	th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: top.To, Count: 1}, top)
	if err != nil {
		t.Fatal(err)
	}
	var as []wirewatch.Alert
	for i := range wirewatch.FoldMax {
		a := alert("C1", "k", fmt.Sprintf("Story %d <!channel> %s", i, strings.Repeat("&<>", 700)))
		a.ID = uint64(10 + i)
		a.Link = "https://news.example/" + strings.Repeat("a&b", 600)
		a.Source = strings.Repeat("<!here>", 50)
		as = append(as, a)
	}
	ref, err := s.ReplyFolded(t.Context(), th, as)
	if err != nil || ref != th.Ref {
		t.Fatalf("ReplyFolded = %q, %v; want the thread %s", ref, err, th.Ref)
	}
	msgs := fk.Messages("C1")
	if len(msgs) != 2 || msgs[1].ThreadTS != th.Ref {
		t.Fatalf("messages %+v, want the top and one reply in its thread", msgs)
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(msgs[1].Blocks), &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != wirewatch.FoldMax+1 || len(blocks) > maxBlocks {
		t.Errorf("%d blocks, want a count and %d lines, at most %d", len(blocks), wirewatch.FoldMax, maxBlocks)
	}
	total := 0
	for i, b := range blocks {
		text := b.Text.Text
		for _, e := range b.Elements {
			text += e.Text
		}
		total += utf8.RuneCountInString(text)
		if n := utf8.RuneCountInString(text); n > maxTextObject {
			t.Errorf("block %d: %d characters, over %d", i, n, maxTextObject)
		}
		if strings.Contains(text, "<!channel>") || strings.Contains(text, "<!here>") {
			t.Errorf("block %d carries a live mention: %.200s", i, text)
		}
		if i > 0 && !strings.Contains(text, fmt.Sprintf("Story %d ", i-1)) {
			t.Errorf("block %d = %.100s, want Story %d", i, text, i-1)
		}
	}
	if total > maxListText {
		t.Errorf("blocks of %d characters in all, over %d", total, maxListText)
	}
	if !strings.HasPrefix(blocks[0].Elements[0].Text, fmt.Sprintf("*%d more items*", wirewatch.FoldMax)) {
		t.Errorf("first block %+v, want the count", blocks[0])
	}
	if _, ok, err := s.Delivered(t.Context(), th, as[0]); err != nil || !ok {
		t.Errorf("Delivered(first of the fold) = %v, %v; want found", ok, err)
	}
}

// TestPostDigest: a digest is one message at the channel's root listing
// the alerts, found by Delivered after a crash.
func TestPostDigest(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	var as []wirewatch.Alert
	for i := range 3 {
		a := alert("C1", "k", fmt.Sprintf("Story %d", i))
		a.ID = uint64(i + 1)
		as = append(as, a)
	}
	if err := s.PostDigest(t.Context(), as); err != nil {
		t.Fatal(err)
	}
	msgs := fk.Messages("C1")
	if len(msgs) != 1 || msgs[0].ThreadTS != "" || !strings.Contains(msgs[0].Blocks, "Digest: 3 items") {
		t.Fatalf("messages %+v, want one digest at the root", msgs)
	}
	for i := range 3 {
		if !strings.Contains(msgs[0].Blocks, fmt.Sprintf("Story %d", i)) {
			t.Errorf("Story %d not listed", i)
		}
	}
	if _, ok, err := s.Delivered(t.Context(), wirewatch.Thread{To: as[0].To}, as[0]); err != nil || !ok {
		t.Errorf("Delivered(digest) = %v, %v; want found", ok, err)
	}
}

// A burst holding "also in" alerts lists each as the outlet it adds, not
// as its story's headline and source again.
func TestReplyFoldedListsAlsoIn(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	top := alert("C1", "k", "First story")
	th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: top.To, Count: 1}, top)
	if err != nil {
		t.Fatal(err)
	}
	var as []wirewatch.Alert
	for i := range 3 {
		a := top
		a.ID = uint64(10 + i)
		a.AlsoIn = []wirewatch.Outlet{{Source: fmt.Sprintf("Outlet %d", i), Link: fmt.Sprintf("https://outlet%d.example/story", i)}}
		as = append(as, a)
	}
	if _, err := s.ReplyFolded(t.Context(), th, as); err != nil {
		t.Fatal(err)
	}
	msgs := fk.Messages("C1")
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the top and one reply", len(msgs))
	}
	for i := range 3 {
		if !strings.Contains(msgs[1].Blocks, fmt.Sprintf("Outlet %d", i)) || !strings.Contains(msgs[1].Blocks, fmt.Sprintf("outlet%d.example", i)) {
			t.Errorf("outlet %d not listed in %.400s", i, msgs[1].Blocks)
		}
	}
	if n := strings.Count(msgs[1].Blocks, "Also in: First story"); n != 3 {
		t.Errorf("%d lines marked \"Also in\", want 3: %.400s", n, msgs[1].Blocks)
	}
}
