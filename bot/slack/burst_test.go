package slack

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

var entryRE = regexp.MustCompile(`Entry \d+`)

// TestDocketBurstFoldsAndBroadcastsTheOrder: through the dispatcher and
// the Slack stand-in, a 40-entry burst in one case for a procedural watch
// (routine entries posted) lands as the top message, one folded list of
// the 38 routine entries after it, and the order on its own — the only
// message also sent to the channel. Every entry is posted once, in one
// thread, within Slack's limits.
func TestDocketBurstFoldsAndBroadcastsTheOrder(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		var as []wirewatch.Alert
		for i := range 40 {
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
		for i := range 40 {
			if e := fmt.Sprintf("Entry %02d", i); got[e] != 1 {
				t.Errorf("%s posted %d times, want once", e, got[e])
			}
		}
		// Top, the order, and the routine entries in one list: 3
		// messages, not 40.
		if len(msgs) != 3 {
			t.Errorf("%d messages, want 3 (top, one folded list, the order)", len(msgs))
		}
		for _, m := range msgs {
			if n := utf8.RuneCountInString(m.Blocks); n > maxListText+2000 {
				t.Errorf("a message of %d characters of blocks (JSON), over Slack's limit", n)
			}
		}
		if fold := unJSON.Replace(msgs[1].Blocks); strings.Count(fold, "<https://news.example/Entry-") != 38 {
			t.Errorf("folded list links %d of its 38 headlines, want all (they fit)", strings.Count(fold, "<https://news.example/Entry-"))
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
