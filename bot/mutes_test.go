package bot

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// A muted thread gets no more posts in its channel, whether its alerts
// come one at a time or in a burst that would fold; the same thread in
// another channel, and the channel's other threads, go on.
func TestDispatcherSkipsMutedThreads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const c1, c2 = wirewatch.Destination("slack:C1"), wirewatch.Destination("slack:C2")
		const muted, other = "case:mdd:8:25-cv-00951", "watch:w1:2026-11-22"
		p := &fakePoster{}
		d := newDispatcher(db, map[string]wirewatch.Poster{"slack": p})
		queue(t, db, alert(c1, muted, "first"), alert(c2, muted, "first elsewhere"))
		deliverAll(t, d)

		if err := db.MuteThread(store.Mute{Key: muted, To: c1, By: "ann", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		var burst []wirewatch.Alert
		for _, title := range []string{"m1", "m2", "m3", "m4"} {
			burst = append(burst, alert(c1, muted, title))
		}
		queue(t, db, append(burst, alert(c1, other, "news"), alert(c2, muted, "second elsewhere"))...)
		deliverAll(t, d)

		// Destinations deliver side by side: compare each channel's posts.
		sent := map[wirewatch.Destination][]string{}
		for _, c := range p.ops("") {
			if c.op == "PostTop" || c.op == "Reply" {
				sent[c.a.To] = append(sent[c.a.To], c.a.Title)
			}
		}
		if got, want := strings.Join(sent[c1], ","), "first,news"; got != want {
			t.Errorf("sent to %s: %s, want %s", c1, got, want)
		}
		if got, want := strings.Join(sent[c2], ","), "first elsewhere,second elsewhere"; got != want {
			t.Errorf("sent to %s: %s, want %s", c2, got, want)
		}
		if th := thread(t, db, c1, muted); th.Count != 1 {
			t.Errorf("muted thread: count %d, want 1 (nothing after the mute)", th.Count)
		}
		if depth, _ := db.Depths(); len(depth) != 0 {
			t.Errorf("outbox: %v, want empty", depth)
		}

		// Unmuted, the thread goes on where it was.
		if _, err := db.UnmuteThread(c1, muted, "ann"); err != nil {
			t.Fatal(err)
		}
		queue(t, db, alert(c1, muted, "after"))
		deliverAll(t, d)
		last := p.ops("Reply")
		if n := len(last); n == 0 || last[n-1].a.Title != "after" || last[n-1].th.Count != 1 {
			t.Errorf("after unmute: replies %+v, want \"after\" in the thread of 1 item", last)
		}
	})
}

// TestQuietReleaseSkipsThreadsMutedMeanwhile: alerts held for quiet hours
// whose thread is muted before the hours end are not in the release's
// digest, and are not held any more.
func TestQuietReleaseSkipsThreadsMutedMeanwhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch = wirewatch.Destination("slack:C1")
		p := &digestPoster{fakePoster: &fakePoster{}}
		opts := DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard(), Location: time.UTC,
			Quiet: map[wirewatch.Destination]wirewatch.Quiet{ch: {From: 60, To: 7 * 60}}}
		time.Sleep(2 * time.Hour) // 02:00, quiet: new threads are held
		queue(t, db, alert(ch, "a", "muted story"), alert(ch, "b", "other story"))
		d := NewDispatcher(db, opts)
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if held, _, _ := db.Held(ch, 10); len(held) != 2 {
			t.Fatalf("held: %d alerts, want 2", len(held))
		}
		if err := db.MuteThread(store.Mute{Key: "a", To: ch, By: "ann", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(6 * time.Hour) // 08:00: the hours are over
		d.Kick()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(p.digests); got != "[[other story]]" {
			t.Errorf("digests %s, want one with the other story only", got)
		}
		if held, _, _ := db.Held(ch, 10); len(held) != 0 {
			t.Errorf("still held: %+v", held)
		}
	})
}
