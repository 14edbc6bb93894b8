package bot

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
)

// digestPoster is a fakePoster that posts digests: it keeps each digest's
// titles.
type digestPoster struct {
	*fakePoster
	digests [][]string
}

func (p *digestPoster) PostDigest(_ context.Context, as []wirewatch.Alert) error {
	if err := p.record("PostDigest", wirewatch.Thread{}, as[0], false); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ts []string
	for _, a := range as {
		ts = append(ts, a.Title)
	}
	p.digests = append(p.digests, ts)
	p.posted[as[0].DeliveryID()] = "digest"
	return nil
}

// A daily 08:00 digest channel: alerts are held (nothing posted at 07:58),
// the process is down when the digest comes due, and the next start posts
// one message with them all; an alert queued after 08:00 waits for
// tomorrow's. Another channel is served as it comes.
func TestDispatcherDigestReleasesOnScheduleAcrossARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Skip("no time zone data:", err)
		}
		db := openStore(t)
		const dg, flat = wirewatch.Destination("slack:C1"), wirewatch.Destination("slack:C2")
		// The bubble starts at 2000-01-01 00:00 UTC: 19:00 the evening
		// before in New York; the digest is due at 08:00 there (13:00 UTC).
		queue(t, db, alert(dg, "a", "one"), alert(dg, "b", "two"), alert(dg, "a", "three"), alert(flat, "c", "now"))
		p := &digestPoster{fakePoster: &fakePoster{}}
		opts := DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard(),
			Digests: map[wirewatch.Destination]wirewatch.Digest{dg: {At: 8 * 60}}, Location: ny}
		ctx, stop := runDispatcher(t, NewDispatcher(db, opts))
		if err := NewDispatcher(db, opts).WaitEmpty(ctx); err != nil {
			t.Fatal(err) // held alerts are not pending
		}
		time.Sleep(12*time.Hour + 58*time.Minute)
		synctest.Wait()
		if got := p.sentTitles(); got != "now" || len(p.digests) != 0 {
			t.Fatalf("before 08:00 posted %q and digests %v; want only the other channel's alert", got, p.digests)
		}
		stop() // down from 07:58 to 08:30
		time.Sleep(20 * time.Minute)
		queue(t, db, alert(dg, "a", "late"))
		time.Sleep(12 * time.Minute)

		d := NewDispatcher(db, opts)
		ctx, stop = runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if len(p.digests) != 1 || len(p.digests[0]) != 3 || p.digests[0][0] != "one" || p.digests[0][2] != "three" {
			t.Fatalf("digests %v, want one of one, two, three", p.digests)
		}
		if got := p.sentTitles(); got != "now" {
			t.Errorf("posted on their own %q; want only the other channel's", got)
		}
		if n, _ := db.Depths(); n[dg] != 1 {
			t.Errorf("held for the next digest: %v, want the late alert", n)
		}
		// Tomorrow 08:00 the late one goes.
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if len(p.digests) != 2 || len(p.digests[1]) != 1 || p.digests[1][0] != "late" {
			t.Errorf("digests %v, want the late alert in the second", p.digests)
		}
	})
}

func TestDigestNext(t *testing.T) {
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
	d, ok, err := wirewatch.ParseDigest("daily 08:00")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	for _, tc := range []struct{ from, want string }{
		{"2026-11-22 07:59", "2026-11-22 08:00"},
		{"2026-11-22 08:00", "2026-11-23 08:00"},
		{"2026-11-22 23:00", "2026-11-23 08:00"},
		{"2026-03-07 09:00", "2026-03-08 08:00"}, // across the DST change
	} {
		if got := d.Next(at(tc.from), ny); !got.Equal(at(tc.want)) {
			t.Errorf("Next(%s) = %s, want %s", tc.from, got, tc.want)
		}
	}
	h, _, _ := wirewatch.ParseDigest("hourly")
	if got := h.Next(at("2026-11-22 07:15"), ny); !got.Equal(at("2026-11-22 08:00")) {
		t.Errorf("hourly Next = %s", got)
	}
	for _, bad := range []string{"daily", "daily 8:00", "daily 25:00", "weekly", "hourly 08:00"} {
		if _, _, err := wirewatch.ParseDigest(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, ok, err := wirewatch.ParseDigest("off"); ok || err != nil {
		t.Errorf("off: %v %v", ok, err)
	}
}

// TestDigestCommand: /watch digest sets this channel's schedule (saved,
// audited) and the dispatcher holds its alerts until it is due; off posts
// as they come again; a channel the config file sets, stdout and a bad
// schedule are refused.
func TestDigestCommand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newTestCommands(t)
		s.Location = time.UTC
		s.ConfigDigests = map[wirewatch.Destination]wirewatch.Digest{"slack:C9": {Hourly: true}}
		const ch = wirewatch.Destination("slack:C1")
		c, err := wirewatch.ParseCommandText("digest Daily 08:00")
		if err != nil {
			t.Fatal(err)
		}
		c.Channel, c.User = ch, "U1"
		if got := mustCommand(t, s, c); !strings.Contains(got, "daily at 08:00 (UTC)") {
			t.Errorf("reply %q", got)
		}
		if set, err := s.DB.ChannelDigests(); err != nil || set[ch] != "daily 08:00" {
			t.Errorf("saved %v, %v", set, err)
		}
		if log, _ := s.DB.Audit(5); len(log) == 0 || log[len(log)-1].Action != "channel digest" {
			t.Errorf("audit %+v, want the change", log)
		}
		for _, bad := range []wirewatch.Command{
			{Verb: wirewatch.CmdDigest, Arg: "hourly", Channel: "slack:C9"},
			{Verb: wirewatch.CmdDigest, Arg: "hourly", Channel: "stdout"},
			{Verb: wirewatch.CmdDigest, Arg: "weekly", Channel: ch},
		} {
			if r := s.Command(context.Background(), bad); !r.Refused {
				t.Errorf("%+v accepted: %s", bad, r.Text)
			}
		}

		// The bubble's clock: 2000-01-01 00:00 UTC; due at 08:00.
		queue(t, s.DB, alert(ch, "k", "held"))
		p := &digestPoster{fakePoster: &fakePoster{}}
		d := NewDispatcher(s.DB, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if len(p.ops("")) != 0 {
			t.Fatalf("posted before the digest was due: %+v", p.ops(""))
		}
		time.Sleep(8*time.Hour + time.Minute)
		synctest.Wait()
		if len(p.digests) != 1 || p.digests[0][0] != "held" {
			t.Fatalf("digests %v, want the held alert at 08:00", p.digests)
		}
		mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdDigest, Arg: "off", Channel: ch})
		queue(t, s.DB, alert(ch, "k", "live"))
		d.Kick()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := p.sentTitles(); got != "live" {
			t.Errorf("after off, posted %q, want live at once", got)
		}
	})
}
