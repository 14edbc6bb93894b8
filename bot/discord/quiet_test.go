package discord

import (
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
)

// TestQuietHoursHoldAndRelease: through the real dispatcher and the
// Discord stand-in, a channel in its quiet hours gets no new thread; after
// a restart with the hours over, what was held is posted as one digest
// message in the channel.
func TestQuietHoursHoldAndRelease(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	db := openStore(t)
	// Windows around the wall clock (no fake time here): quiet now, then
	// hours that ended an hour ago.
	m := time.Now().UTC().Hour()*60 + time.Now().UTC().Minute()
	window := func(from, to int) wirewatch.Quiet {
		return wirewatch.Quiet{From: (from + 1440) % 1440, To: (to + 1440) % 1440}
	}
	run := func(q wirewatch.Quiet) {
		t.Helper()
		drain(t, db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Discord: d}, Location: time.UTC,
			Quiet: map[wirewatch.Destination]wirewatch.Quiet{wirewatch.Destination("discord:" + textCh): q}})
	}
	queueAlerts(t, db, testAlert(textCh, "Night story one"), testAlert(textCh, "Night story two"))
	run(window(m-60, m+60))
	if n := len(f.Messages(textCh)); n != 0 {
		t.Fatalf("%d messages during quiet hours, want none", n)
	}
	run(window(m-180, m-60))
	msgs := f.Messages(textCh)
	if len(msgs) != 1 || len(f.Threads(textCh)) != 0 {
		t.Fatalf("%d messages, %d threads after the hours; want one digest and no thread", len(msgs), len(f.Threads(textCh)))
	}
	text := descriptions(msgs[0].Embeds)
	if !strings.Contains(text, "Digest: 2 items") || !strings.Contains(text, "Night story one") || !strings.Contains(text, "Night story two") {
		t.Errorf("digest %q; want both held alerts", text)
	}
}
