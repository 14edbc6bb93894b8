package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

// hostile is feed text that would ping everyone if it reached Slack as is,
// made long enough that escaping it (& to &amp;) grows it past limits.
var hostile = "<!channel> <!here> <@U0ADMIN> <#C0GENERAL> <!subteam^S1> @everyone " + strings.Repeat("&<>", 100)

// TestHostileTextInNewMessageKinds: the messages this round added (a
// quiet-hours digest of 45 held alerts, an edited alert with its "updated"
// line, top and reply) carry feed text that tries to ping and to break
// Slack's limits; the stand-in (FailOn) fails the test on any mention
// Slack would act on or any limit broken, and each message is checked to
// have been sent.
func TestHostileTextInNewMessageKinds(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		time.Sleep(2 * time.Hour) // 02:00: quiet
		var held []wirewatch.Alert
		for i := range 45 {
			a := alert("C1", fmt.Sprintf("watch:1:2000-01-01-%d", i), fmt.Sprintf("%d %s", i, hostile))
			a.Source, a.Summary, a.Watches = hostile, hostile, []string{hostile}
			held = append(held, a)
		}
		queue(t, db, held...)
		drainQuiet(t, db, s)
		time.Sleep(6 * time.Hour) // 08:00: released
		drainQuiet(t, db, s)
		if rs := roots(fk.Messages("C1")); len(rs) == 0 || !strings.Contains(unJSON.Replace(rs[0].Blocks), "&lt;!channel&gt;") {
			t.Fatalf("%d messages at the root after the quiet hours; want the digest, its headlines escaped", len(rs))
		}

		// Edited in place: a posted item's headline changes to hostile text.
		ingest := func(it wirewatch.Item) {
			t.Helper()
			_, err := db.Ingest("cfg-1", nil, []wirewatch.Item{it}, func(it wirewatch.Item) []wirewatch.Alert {
				a := alert("C1", "watch:1:2000-01-01", it.Title)
				a.Link, a.Summary, a.FeedID, a.Source = it.Link, it.Summary, it.FeedID, hostile
				return []wirewatch.Alert{a}
			})
			if err != nil {
				t.Fatal(err)
			}
			drainQuiet(t, db, s)
		}
		top := wirewatch.Item{ID: "t", FeedID: "cfg-1", Title: "Judge rules", Link: "https://news.example/t"}
		reply := wirewatch.Item{ID: "r", FeedID: "cfg-1", Title: "Hearing set", Link: "https://news.example/r"}
		ingest(top)
		time.Sleep(2 * time.Minute)
		ingest(reply)
		before := len(fk.Messages("C1"))
		top.Title, top.Summary = "Judge rules "+hostile, hostile
		reply.Title, reply.Summary = "Hearing "+hostile, hostile+hostile
		ingest(top)
		ingest(reply)
		edits := 0
		for _, m := range fk.Messages("C1") {
			edits += m.Edits
		}
		if n := len(fk.Messages("C1")); n != before || edits < 2 {
			t.Errorf("%d messages (was %d), %d edits: want both edited in place", n, before, edits)
		}
	})
}
