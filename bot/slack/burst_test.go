package slack

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

var entryRE = regexp.MustCompile(`Entry \d+`)

// TestDocketBurstFoldsAndBroadcastsTheOrder: through the dispatcher and
// the Slack stand-in, a 26-entry burst in one case for a procedural watch
// (routine entries posted) lands as the top message, folded lists of the
// routine entries, and the order on its own — the only message also sent
// to the channel. Every entry is posted once, in one thread.
func TestDocketBurstFoldsAndBroadcastsTheOrder(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		var as []wirewatch.Alert
		for i := range 26 {
			a := alert("C1", "case:mdd:8:25-cv-00951", fmt.Sprintf("Entry %02d NOTICE of Appearance", i))
			a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: fmt.Sprint(i)}
			a.Routine = true // a procedural watch posts routine entries
			if i == 10 {
				a.Title, a.Routine = "Entry 10 ORDER granting motion", false
			}
			as = append(as, a)
		}
		deliver(t, db, s, as...)
		msgs := fk.Messages("C1")
		if len(roots(msgs)) != 1 {
			t.Fatalf("%d messages at the root, want the one top", len(roots(msgs)))
		}
		got := map[string]int{}
		for _, m := range msgs {
			for _, e := range entryRE.FindAllString(m.Blocks, -1) {
				got[e]++
			}
		}
		for i := range 26 {
			if e := fmt.Sprintf("Entry %02d", i); got[e] != 1 {
				t.Errorf("%s posted %d times, want once", e, got[e])
			}
		}
		// Top, the order, and the routine entries in lists of at most
		// FoldMax: 4 messages, not 26.
		if len(msgs) != 4 {
			t.Errorf("%d messages, want 4 (top, two folded lists, the order)", len(msgs))
		}
		var broadcast []string
		for _, c := range fk.Calls("chat.postMessage") {
			if c.Form.Get("reply_broadcast") == "true" {
				broadcast = append(broadcast, c.Form.Get("text"))
			}
		}
		if len(broadcast) != 1 || !strings.Contains(broadcast[0], "ORDER") {
			t.Errorf("broadcast %q, want the order alone", broadcast)
		}
	})
}
