package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

// TestUpdatedItemEditsItsMessage: through the store's ingest, the real
// dispatcher and the Slack stand-in, an item whose headline is corrected
// after it was posted edits its message (chat.update) with the new
// headline and an "updated" time, and posts nothing; the top message's
// item likewise, keeping its thread summary.
func TestUpdatedItemEditsItsMessage(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		ingest := func(items ...wirewatch.Item) {
			t.Helper()
			_, err := db.Ingest("cfg-1", nil, items, func(it wirewatch.Item) []wirewatch.Alert {
				a := alert("C1", "watch:1:2026-11-22", it.Title)
				a.Link, a.Summary, a.FeedID = it.Link, it.Summary, it.FeedID
				return []wirewatch.Alert{a}
			})
			if err != nil {
				t.Fatal(err)
			}
			drain(t, db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Slack: s}})
		}
		top := wirewatch.Item{ID: "1", FeedID: "cfg-1", Title: "Judge rules in Abrego Garcia case", Link: "https://news.example/1"}
		reply := wirewatch.Item{ID: "2", FeedID: "cfg-1", Title: "Hearing set", Link: "https://news.example/2", Summary: "Stub."}
		ingest(top)
		time.Sleep(2 * time.Minute) // not a burst: the reply is posted on its own
		ingest(reply)
		msgs := fk.Messages("C1")
		if len(msgs) != 2 {
			t.Fatalf("%d messages, want the top and a reply", len(msgs))
		}
		reply.Title, reply.Summary = "Hearing set for Friday", "The full entry, not a stub."
		ingest(reply)
		got, _ := fk.Message(msgs[1].TS)
		got.Blocks = unJSON.Replace(got.Blocks)
		if n := len(fk.Messages("C1")); n != 2 || !strings.Contains(got.Blocks, "Hearing set for Friday") || !strings.Contains(got.Blocks, "updated <!date^") {
			t.Fatalf("%d messages, the reply now %s; want it edited in place with the time", n, got.Blocks)
		}
		top.Title = "Judge Xinis rules in Abrego Garcia case"
		ingest(top)
		got, _ = fk.Message(msgs[0].TS)
		got.Blocks = unJSON.Replace(got.Blocks)
		if !strings.Contains(got.Blocks, "Judge Xinis rules") || !strings.Contains(got.Blocks, "updated <!date^") || !strings.Contains(unJSON.Replace(got.Attachments), "2 items") {
			t.Errorf("top now %s / %s; want the corrected headline, the time, and the summary kept", got.Blocks, got.Attachments)
		}
		if n := len(fk.Messages("C1")); n != 2 {
			t.Errorf("%d messages after the edits, want 2", n)
		}
	})
}
