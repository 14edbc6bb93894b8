package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
)

// noticePoster is a fakePoster that posts notices: it keeps them, with
// the thread they went to.
type noticePoster struct {
	*fakePoster
	nmu     sync.Mutex
	notices []string // "REF TEXT"; REF empty at the channel's root
}

func (p *noticePoster) PostNotice(_ context.Context, th wirewatch.Thread, text string) error {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	p.notices = append(p.notices, th.Ref+" "+text)
	return nil
}

func (p *noticePoster) said() []string {
	p.nmu.Lock()
	defer p.nmu.Unlock()
	return append([]string(nil), p.notices...)
}

// A feed a case thread's alerts came from fails: nothing for the first
// hour, then one warning in the case's thread, none again while it stays
// broken (across a restart), one note when it works again, and no second
// warning that day when it fails again. A channel that never got its
// alerts hears nothing.
func TestFeedFailingForAnHourWarnsOnceAndNotesTheRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch, other = wirewatch.Destination("slack:C1"), wirewatch.Destination("slack:C2")
		p := &noticePoster{fakePoster: &fakePoster{}}
		opts := DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard(), Location: time.UTC}
		a := alert(ch, wirewatch.CaseThreadKey("mdd", "8:25-cv-00951"), "ORDER granting motion")
		a.FeedID, a.Source = "cfg-3", "D. Md. <!channel> docket"
		b := alert(other, "w:1", "unrelated")
		b.FeedID = "cfg-4"
		queue(t, db, a, b)
		d := NewDispatcher(db, opts)
		ctx, stop := runDispatcher(t, d)
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		caseRef := thread(t, db, ch, a.Thread).Ref
		fail := wirewatch.FeedState{LastResult: "error", LastError: "HTTP 503", Errors: 3, LastOK: time.Now()}
		if err := db.PutFeedState("cfg-3", fail); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Minute)
		synctest.Wait()
		if n := p.said(); len(n) != 0 {
			t.Fatalf("notices after 50 minutes of failure: %q", n)
		}
		time.Sleep(15 * time.Minute)
		synctest.Wait()
		n := p.said()
		if len(n) != 1 || !strings.HasPrefix(n[0], caseRef+" ⚠️") || !strings.Contains(n[0], "HTTP 503") || !strings.Contains(n[0], "D. Md.") {
			t.Fatalf("notices %q; want one warning in the case's thread %s", n, caseRef)
		}
		stop() // a restart while it is still broken
		_, stop = runDispatcher(t, NewDispatcher(db, opts))
		defer stop()
		time.Sleep(3 * time.Hour)
		synctest.Wait()
		if n := p.said(); len(n) != 1 {
			t.Fatalf("notices %q; want the one warning, not again", n)
		}
		ok := fail
		ok.LastResult, ok.Errors, ok.LastOK = "ok", 0, time.Now()
		if err := db.PutFeedState("cfg-3", ok); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if n := p.said(); len(n) != 2 || !strings.HasPrefix(n[1], caseRef+" ✅") {
			t.Fatalf("notices %q; want the recovery note after the warning", n)
		}
		fail.LastOK = time.Now()
		if err := db.PutFeedState("cfg-3", fail); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		if n := p.said(); len(n) != 2 {
			t.Fatalf("notices %q; a second warning the same day", n)
		}
		// The next day it may warn again.
		time.Sleep(20 * time.Hour)
		synctest.Wait()
		if n := p.said(); len(n) != 3 || !strings.Contains(n[2], "⚠️") {
			t.Fatalf("notices %q; want a warning the next day", n)
		}
	})
}

// A court feed gone stale warns in a news channel's root.
func TestStaleCourtFeedWarnsAtTheRoot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch = wirewatch.Destination("slack:C1")
		p := &noticePoster{fakePoster: &fakePoster{}}
		a := alert(ch, "w:1:2000-01-01", "Story")
		a.FeedID = "cfg-1"
		queue(t, db, a)
		d := NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.PutFeedState("cfg-1", wirewatch.FeedState{LastResult: "ok", LastOK: time.Now(), Stale: true, LastBuild: time.Now().Add(-3 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if n := p.said(); len(n) != 1 || !strings.HasPrefix(n[0], " ⚠️") || !strings.Contains(n[0], "stuck") {
			t.Fatalf("notices %q; want one warning at the root", n)
		}
	})
}

// A parked alert is said in its channel once a day; once the cause is
// fixed and the parked alerts are requeued and delivered, one note says so.
func TestParkedAlertsAreSaidInTheChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch = wirewatch.Destination("slack:C1")
		fixed := false
		p := &noticePoster{fakePoster: &fakePoster{fail: func(op string, a wirewatch.Alert, _ int) error {
			if op == "PostTop" && !fixed {
				return wirewatch.Permanent(errTest("msg_too_long"))
			}
			return nil
		}}}
		opts := DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()}
		queue(t, db, alert(ch, "a", "one"), alert(ch, "b", "two"))
		deliverAll(t, NewDispatcher(db, opts))
		if n := p.said(); len(n) != 1 || !strings.Contains(n[0], "msg_too_long") || !strings.Contains(n[0], "wirewatch requeue slack:C1") {
			t.Fatalf("notices %q; want one saying the alerts were set aside, and how to send them again", n)
		}

		_, stop := runDispatcher(t, NewDispatcher(db, opts))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if n := p.said(); len(n) != 1 {
			t.Fatalf("notices %q; a recovery note while the alerts are still parked", n)
		}
		stop()
		fixed = true
		if n, err := db.Requeue(ch); err != nil || n != 2 {
			t.Fatalf("requeue: %d, %v; want 2", n, err)
		}
		d := NewDispatcher(db, opts)
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Hour)
		synctest.Wait()
		if n := p.said(); len(n) != 2 || !strings.HasPrefix(n[1], " ✅") {
			t.Fatalf("notices %q; want one recovery note at the channel's root after the requeued alerts went", n)
		}
	})
}

type errTest string

func (e errTest) Error() string { return string(e) }
