package bot

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/article"
	"github.com/wirewatch/wirewatch/match"
)

// TestArticleSnippet: the snippet is the sentence around the match, or a
// window of at most SummaryMax bytes around it when the sentence (a
// paragraph without stops, a list) is longer; never the article.
func TestArticleSnippet(t *testing.T) {
	text := "First paragraph, about something else entirely.\n\n" +
		"A short lead. Joseph Mazzara said the frequency mattered. Another sentence follows here.\n\n" +
		strings.Repeat("word ", 200) + "then Joseph Mazzara appears in a run-on " + strings.Repeat("clause ", 200)
	first := strings.Index(text, "Joseph")
	if got := articleSnippet(text, first); got != "Joseph Mazzara said the frequency mattered." {
		t.Errorf("sentence: got %q", got)
	}
	second := strings.LastIndex(text, "Joseph")
	got := articleSnippet(text, second)
	if len(got) > SummaryMax || !strings.Contains(got, "Joseph Mazzara appears") || !strings.HasPrefix(got, "…") {
		t.Errorf("window: got %d bytes %q", len(got), got)
	}
	if got := articleSnippet(text, len(text)+5); got != "" {
		t.Errorf("offset past the text: %q", got)
	}
	// The snippet comes from the feed text when a term matched there.
	it := wirewatch.Item{Summary: "Joseph Mazzara spoke.", Article: text}
	terms := []match.Term{{Text: "Joseph Mazzara", Field: "text", Start: 0, End: 14}, {Text: "Joseph Mazzara", Field: "article", Start: first, End: first + 14}}
	if got := summaryOf(it, terms); got != "Joseph Mazzara spoke." {
		t.Errorf("summaryOf with a text match: %q", got)
	}
	if got := summaryOf(it, terms[1:]); got != "Joseph Mazzara said the frequency mattered." {
		t.Errorf("summaryOf with an article match only: %q", got)
	}
	if got := matchedIn(terms); strings.Join(got, ",") != "text,article" {
		t.Errorf("matchedIn = %v", got)
	}
}

func TestOwnText(t *testing.T) {
	for _, tc := range []struct{ title, summary, want string }{
		{"Budget passes", "Budget passes - The Ledger", "- The Ledger"},
		{"Budget passes", "budget passes", ""},
		{"Budget passes", "The board voted.", "The board voted."},
		{"", "Text", "Text"},
	} {
		if got := ownText(wirewatch.Item{Title: tc.title, Summary: tc.summary}); got != tc.want {
			t.Errorf("ownText(%q, %q) = %q, want %q", tc.title, tc.summary, got, tc.want)
		}
	}
}

// TestArticleResultLabels: every failure reason of the reader maps to one
// of the metric's labels.
func TestArticleResultLabels(t *testing.T) {
	known := map[string]bool{}
	for _, r := range ArticleResults {
		known[r] = true
	}
	for _, reason := range []string{"403", "429", "timeout", "robots.txt", "not HTML", "too large", "private address", "no text", "backing off", "google news", "bad link", "redirects"} {
		got := articleResult(&article.Error{Reason: reason, Err: errors.New(reason)})
		if !known[got] {
			t.Errorf("reason %q gives label %q, not one of %v", reason, got, ArticleResults)
		}
	}
	for err, want := range map[error]string{nil: "read", article.ErrBusy: "busy", article.ErrWaited: "late"} {
		if got := articleResult(err); got != want {
			t.Errorf("articleResult(%v) = %q, want %q", err, got, want)
		}
	}
}

// TestAlsoInIsNoItemOfTheThread: an "also in" alert posted in a story's
// thread is not counted as an item, nor listed in the top's latest items.
func TestAlsoInIsNoItemOfTheThread(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	a := wirewatch.Alert{To: "slack:C1", Thread: "k", Title: "Wire story", Link: "https://a.example/wire", Source: "Ledger"}
	th := advance(wirewatch.Thread{}, a, now, true)
	also := a
	also.AlsoIn = []wirewatch.Outlet{{Source: "Courier", Link: "https://b.example/wire"}}
	th = advance(th, also, now.Add(time.Minute), true)
	if th.Count != 1 || len(th.Recent) != 1 || th.Posted != 2 || !th.Updated.Equal(now.Add(time.Minute)) {
		t.Errorf("thread after an also-in line = count %d, recent %d, posted %d, updated %v; want 1, 1, 2, the line's time",
			th.Count, len(th.Recent), th.Posted, th.Updated)
	}
}
