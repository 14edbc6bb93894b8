package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
	"github.com/wirewatch/wirewatch/store"
)

// drainQuiet has the real dispatcher deliver db's outbox with s, channel
// C1 quiet from 01:00 to 07:00 UTC.
func drainQuiet(t *testing.T, db *store.DB, s *Slack) {
	t.Helper()
	drain(t, db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Slack: s}, Location: time.UTC,
		Quiet: map[wirewatch.Destination]wirewatch.Quiet{"slack:C1": {From: 60, To: 7 * 60}}})
}

// TestQuietHoursHoldAndReleaseAsOneDigest: through the real dispatcher and
// the Slack stand-in, with quiet hours 01:00-07:00 (UTC): during them a
// reply in the open case thread goes, without its broadcast, and a new
// story's thread is not started; the process is down when the hours end,
// and the next start posts one digest message at the root listing the
// new story and the order. Nothing else reaches the root.
func TestQuietHoursHoldAndReleaseAsOneDigest(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		docket := func(title string, routine bool) wirewatch.Alert {
			a := alert("C1", "case:mdd:8:25-cv-00951", title)
			a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem"}
			a.Routine, a.Quiet = routine, routine // counted in the thread, not posted
			return a
		}
		// The bubble starts at 2000-01-01 00:00 UTC, before the hours.
		queue(t, db, docket("Complaint filed", false))
		drainQuiet(t, db, s)
		time.Sleep(2 * time.Hour)
		queue(t, db, docket("NOTICE of Appearance", true), alert("C1", "case:mdd:8:25-cv-00951", "Story on the case"), docket("ORDER granting motion", false), alert("C1", "watch:1:2000-01-01", "New story at night"))
		drainQuiet(t, db, s)
		msgs := fk.Messages("C1")
		if len(roots(msgs)) != 1 {
			t.Fatalf("%d messages at the root during quiet hours, want the case's top only", len(roots(msgs)))
		}
		for _, m := range msgs {
			if m.Broadcast {
				t.Errorf("broadcast during quiet hours: %q", m.Text)
			}
		}
		if len(msgs) != 3 || !strings.Contains(msgs[1].Blocks, "Story on the case") || !strings.Contains(msgs[2].Blocks, "ORDER granting motion") || msgs[2].ThreadTS != msgs[0].TS {
			t.Fatalf("%d messages; want the top, and the story and the order in its thread", len(msgs))
		}
		if held, _, err := db.Held("slack:C1", 10); err != nil || len(held) != 2 {
			t.Fatalf("held %d (%v), want the new story and the order's broadcast", len(held), err)
		}

		time.Sleep(6 * time.Hour) // down at 07:00; started again at 08:00
		drainQuiet(t, db, s)
		rs := roots(fk.Messages("C1"))
		if len(rs) != 2 {
			t.Fatalf("%d messages at the root after the hours, want the top and one digest", len(rs))
		}
		dg := unJSON.Replace(rs[1].Blocks)
		if !strings.Contains(dg, "Digest: 2 items") || !strings.Contains(dg, "New story at night") || !strings.Contains(dg, "ORDER granting motion") {
			t.Errorf("digest %s; want both held alerts", dg)
		}
		if held, _, _ := db.Held("slack:C1", 10); len(held) != 0 {
			t.Errorf("%d still held after the release", len(held))
		}
	})
}
