package bot

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
)

// Quiet hours 01:00-07:00: a reply in an open thread still goes, a new
// thread and a broadcast wait (the order is posted in its thread without
// its broadcast); the process is down when the hours end, and the next
// start posts what was held as one digest. Another channel is not quiet.
func TestDispatcherQuietHoursHoldAndReleaseAcrossARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch, other = wirewatch.Destination("slack:C1"), wirewatch.Destination("slack:C2")
		p := &digestPoster{fakePoster: &fakePoster{}}
		opts := DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard(), Location: time.UTC,
			Quiet: map[wirewatch.Destination]wirewatch.Quiet{ch: {From: 60, To: 7 * 60}}}
		// The bubble starts at 2000-01-01 00:00 UTC: not quiet yet.
		queue(t, db, alert(ch, "a", "opening"))
		deliverAll(t, NewDispatcher(db, opts))

		time.Sleep(2 * time.Hour) // 02:00, quiet
		order := alert(ch, "a", "ORDER granting motion")
		order.Broadcast = wirewatch.BroadcastAlways
		queue(t, db, alert(ch, "a", "reply"), alert(ch, "b", "new story"), order, alert(ch, "b", "same story, later"), alert(other, "c", "elsewhere"))
		d := NewDispatcher(db, opts)
		ctx, stop := runDispatcher(t, d)
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err) // held alerts are not pending
		}
		sent := map[wirewatch.Destination][]string{} // destinations are served in parallel
		for _, c := range p.ops("") {
			if c.op == "PostTop" || c.op == "Reply" {
				sent[c.a.To] = append(sent[c.a.To], c.a.Title)
			}
		}
		if got := strings.Join(sent[ch], ","); got != "opening,reply,ORDER granting motion" || len(sent[other]) != 1 {
			t.Errorf("posted %q (and %q elsewhere) during quiet hours; want the replies in the open thread and the other channel's alert", got, sent[other])
		}
		for _, c := range p.ops("Reply") {
			if c.broadcast {
				t.Errorf("%q broadcast during quiet hours", c.a.Title)
			}
		}
		if len(p.digests) != 0 {
			t.Fatalf("digests %v during quiet hours", p.digests)
		}
		time.Sleep(4*time.Hour + 30*time.Minute)
		stop() // down from 06:30 to 07:40
		time.Sleep(70 * time.Minute)

		d = NewDispatcher(db, opts)
		ctx, stop = runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.digests[0], ","); len(p.digests) != 1 || got != "new story,ORDER granting motion,same story, later" {
			t.Fatalf("digests %v; want one with the new thread's two alerts and the order's broadcast", p.digests)
		}
		if held, _, err := db.Held(ch, 10); err != nil || len(held) != 0 {
			t.Errorf("still held after the release: %v %v", held, err)
		}
		// After the hours a new thread starts as usual.
		queue(t, db, alert(ch, "d", "morning"))
		d.Kick()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := p.ops("PostTop"); got[len(got)-1].a.Title != "morning" {
			t.Errorf("last top %q, want morning", got[len(got)-1].a.Title)
		}
	})
}

// A release cut short by a crash (the digest marked in flight) is asked
// about, not posted twice.
func TestQuietReleaseInFlightIsNotPostedTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch = wirewatch.Destination("slack:C1")
		queue(t, db, alert(ch, "a", "held one"), alert(ch, "b", "held two"))
		as, err := db.Pending(ch, 10)
		if err != nil || len(as) != 2 {
			t.Fatal(as, err)
		}
		for _, a := range as {
			if err := db.HoldQuiet(a, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		// The digest was posted; the process died before recording it.
		for i := range as {
			as[i].Fold, as[i].InFlight = as[0].ID, true
		}
		if err := db.MarkHeld(as); err != nil {
			t.Fatal(err)
		}
		p := &digestPoster{fakePoster: &fakePoster{}}
		p.record("seed", wirewatch.Thread{}, wirewatch.Alert{}, false)
		p.posted[as[0].DeliveryID()] = "digest"
		deliverAll(t, NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()}))
		if len(p.digests) != 0 || len(p.ops("Delivered")) != 1 {
			t.Errorf("digests %v, asked %d times; want the one in flight found, not posted again", p.digests, len(p.ops("Delivered")))
		}
		if held, _, _ := db.Held(ch, 10); len(held) != 0 {
			t.Errorf("still held: %v", held)
		}
	})
}

func TestQuietWindow(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q, ok, err := wirewatch.ParseQuiet(" 22:00 - 07:00 ")
	if err != nil || !ok || q.String() != "22:00-07:00" {
		t.Fatal(q, ok, err)
	}
	for _, tc := range []struct {
		t   string
		in  bool
		end string
	}{
		{"2026-11-22 21:59", false, "2026-11-23 07:00"},
		{"2026-11-22 22:00", true, "2026-11-23 07:00"},
		{"2026-11-23 03:00", true, "2026-11-23 07:00"},
		{"2026-11-23 07:00", false, "2026-11-24 07:00"},
		{"2026-03-07 23:00", true, "2026-03-08 07:00"}, // the night clocks go forward
		{"2026-10-31 23:30", true, "2026-11-01 07:00"}, // and back
	} {
		if got := q.In(at(tc.t), ny); got != tc.in {
			t.Errorf("In(%s) = %v", tc.t, got)
		}
		if got := q.End(at(tc.t), ny); !got.Equal(at(tc.end)) {
			t.Errorf("End(%s) = %s, want %s", tc.t, got, tc.end)
		}
	}
	day, _, _ := wirewatch.ParseQuiet("12:00-13:30")
	if !day.In(at("2026-11-22 13:29"), ny) || day.In(at("2026-11-22 13:30"), ny) || day.In(at("2026-11-22 11:59"), ny) {
		t.Error("a window within one day")
	}
	// The night clocks go back, 01:00-01:59 comes twice: both are quiet.
	fb, _, _ := wirewatch.ParseQuiet("01:00-02:00")
	if !fb.In(at("2026-11-01 01:30").Add(time.Hour), ny) {
		t.Error("the second 01:30 of the night clocks go back is not quiet")
	}
	for _, bad := range []string{"22:00", "22-07", "25:00-07:00", "07:00-07:00", "22:00-07:00-08:00", "night"} {
		if _, _, err := wirewatch.ParseQuiet(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, ok, err := wirewatch.ParseQuiet("OFF"); ok || err != nil {
		t.Errorf("off: %v %v", ok, err)
	}
}

// TestQuietCommand: /watch quiet sets this channel's quiet hours (saved
// with its digest setting, audited) and the dispatcher holds new threads
// during them; off posts as they come; a channel the config file sets,
// stdout and bad hours are refused.
func TestQuietCommand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestCommands(t)
		s.Location = time.UTC
		s.ConfigQuiet = map[wirewatch.Destination]wirewatch.Quiet{"slack:C9": {From: 0, To: 60}}
		const ch = wirewatch.Destination("slack:C1")
		mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdDigest, Arg: "daily 08:00", Channel: ch, User: "U1"})
		c, err := wirewatch.ParseCommandText("quiet 00:00-06:00")
		if err != nil {
			t.Fatal(err)
		}
		c.Channel, c.User = ch, "U1"
		if got := mustCommand(t, s, c); !strings.Contains(got, "00:00-06:00 (UTC)") {
			t.Errorf("reply %q", got)
		}
		if set, err := s.DB.ChannelQuiet(); err != nil || set[ch] != "00:00-06:00" {
			t.Errorf("saved %v, %v", set, err)
		}
		if set, _ := s.DB.ChannelDigests(); set[ch] != "daily 08:00" {
			t.Errorf("the digest setting was lost: %v", set)
		}
		if log, _ := s.DB.Audit(5); len(log) == 0 || log[len(log)-1].Action != "channel quiet" {
			t.Errorf("audit %+v, want the change", log)
		}
		mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdDigest, Arg: "off", Channel: ch, User: "U1"})
		for _, bad := range []wirewatch.Command{
			{Verb: wirewatch.CmdQuiet, Arg: "22:00-07:00", Channel: "slack:C9"},
			{Verb: wirewatch.CmdQuiet, Arg: "22:00-07:00", Channel: "stdout"},
			{Verb: wirewatch.CmdQuiet, Arg: "late", Channel: ch},
		} {
			if r := s.Command(context.Background(), bad); !r.Refused {
				t.Errorf("%+v accepted: %s", bad, r.Text)
			}
		}

		// The bubble's clock: 2000-01-01 00:00 UTC, quiet until 06:00.
		queue(t, s.DB, alert(ch, "k", "held"))
		p := &digestPoster{fakePoster: &fakePoster{}}
		d := NewDispatcher(s.DB, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := p.sentTitles(); got != "" {
			t.Fatalf("posted %q in quiet hours", got)
		}
		time.Sleep(6*time.Hour + time.Minute)
		synctest.Wait()
		if len(p.digests) != 1 || p.digests[0][0] != "held" {
			t.Fatalf("digests %v, want the held alert at 06:00", p.digests)
		}
		mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdQuiet, Arg: "off", Channel: ch})
		if set, _ := s.DB.ChannelQuiet(); len(set) != 0 {
			t.Errorf("after off: %v", set)
		}
	})
}
