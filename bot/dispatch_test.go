package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// fakeSender records what it is asked to send and answers with fail's error
// (nil: accepted). It builds threads as a platform would: the first alert
// of a thread gets a Ref, later ones are posted in it.
type fakeSender struct {
	mu    sync.Mutex
	sent  []sentAlert
	fail  func(a wirewatch.Alert, try int) error
	tries map[string]int // by title
}

type sentAlert struct {
	a  wirewatch.Alert
	th wirewatch.Thread // as the dispatcher passed it in
	at time.Time
}

func (s *fakeSender) Send(_ context.Context, a wirewatch.Alert, th wirewatch.Thread) (wirewatch.Thread, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tries == nil {
		s.tries = map[string]int{}
	}
	s.tries[a.Title]++
	if s.fail != nil {
		if err := s.fail(a, s.tries[a.Title]); err != nil {
			return th, err
		}
	}
	s.sent = append(s.sent, sentAlert{a: a, th: th, at: time.Now()})
	if th.Ref == "" {
		th.Ref = fmt.Sprintf("ref-%d", len(s.sent))
	}
	th.Count++
	th.Posted++
	th.Latest = a.Title
	return th, nil
}

func (s *fakeSender) titles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, x := range s.sent {
		out = append(out, x.a.Title)
	}
	return out
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "wirewatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var queueSeq int

// queue puts alerts in the outbox through Ingest, one fresh item each, in
// order.
func queue(t *testing.T, db *store.DB, alerts ...wirewatch.Alert) {
	t.Helper()
	items := make([]wirewatch.Item, len(alerts))
	byKey := map[string]wirewatch.Alert{}
	for i, a := range alerts {
		queueSeq++
		items[i] = wirewatch.Item{ID: fmt.Sprint(queueSeq), Link: fmt.Sprintf("https://news.example/%d", queueSeq), Title: a.Title}
		byKey[items[i].Key()] = a
	}
	_, err := db.Ingest("test", nil, items, func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{byKey[it.Key()]}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func alert(to wirewatch.Destination, thread, title string) wirewatch.Alert {
	return wirewatch.Alert{To: to, Thread: thread, Title: title, Watches: []string{"Xinis"}}
}

// runDispatcher starts d.Run inside the current bubble and returns a stop
// function that cancels it and waits for it to return.
func runDispatcher(t *testing.T, d *Dispatcher) (context.Context, func()) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return ctx, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestDispatcherDeliversInOrderAndSavesThread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		const key = "watch:cfg-1:2026-11-22"
		queue(t, db, alert(to, key, "one"), alert(to, key, "two"), alert(to, key, "three"))
		s := &fakeSender{}
		d := NewDispatcher(db, map[string]wirewatch.Sender{"slack": s}, discard(), nil)
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(s.titles(), ","); got != "one,two,three" {
			t.Errorf("sent %s, want one,two,three", got)
		}
		depths, err := db.Depths()
		if err != nil {
			t.Fatal(err)
		}
		if len(depths) != 0 {
			t.Errorf("outbox after delivery: %v", depths)
		}
		// The first alert starts the thread; the others are posted in it.
		s.mu.Lock()
		if s.sent[0].th.Ref != "" {
			t.Errorf("first alert got thread %+v, want a new one", s.sent[0].th)
		}
		if s.sent[0].th.Title != "Xinis · 2026-11-22" {
			t.Errorf("new thread title %q", s.sent[0].th.Title)
		}
		for _, x := range s.sent[1:] {
			if x.th.Ref != "ref-1" {
				t.Errorf("%s posted in thread %q, want ref-1", x.a.Title, x.th.Ref)
			}
		}
		s.mu.Unlock()
		th, err := db.Thread(to, key)
		if err != nil {
			t.Fatal(err)
		}
		if th.Ref != "ref-1" || th.Count != 3 || th.Latest != "three" || th.Key != key || th.To != to {
			t.Errorf("saved thread %+v", th)
		}
		if th.Started.IsZero() || th.Updated.IsZero() {
			t.Errorf("saved thread without times: %+v", th)
		}
	})
}

func TestDispatcherParksPermanentFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		slack, discord := wirewatch.Destination("slack:C1"), wirewatch.Destination("discord:42")
		queue(t, db,
			alert(slack, "t1", "a1"), alert(slack, "t1", "bad"), alert(slack, "t1", "a2"),
			alert(discord, "t2", "bad"), alert(discord, "t2", "b1"))
		refuse := func(a wirewatch.Alert, _ int) error {
			if a.Title == "bad" {
				return wirewatch.Permanent(errors.New("channel_not_found"))
			}
			return nil
		}
		ss, ds := &fakeSender{fail: refuse}, &fakeSender{fail: refuse}
		d := NewDispatcher(db, map[string]wirewatch.Sender{"slack": ss, "discord": ds}, discard(), nil)
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(ss.titles(), ","); got != "a1,a2" {
			t.Errorf("slack got %s, want a1,a2", got)
		}
		if got := strings.Join(ds.titles(), ","); got != "b1" {
			t.Errorf("discord got %s, want b1", got)
		}
		if ss.tries["bad"] != 1 || ds.tries["bad"] != 1 {
			t.Errorf("a permanent failure was retried: slack %d, discord %d tries", ss.tries["bad"], ds.tries["bad"])
		}
		parked, err := db.ParkedAlerts()
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []wirewatch.Destination{slack, discord} {
			p := parked[to]
			if p.Count != 1 || !strings.Contains(p.LastReason, "channel_not_found") {
				t.Errorf("parked for %s: %+v", to, p)
			}
		}
	})
}

func TestDispatcherRetryAfterDelaysOnlyItsDestination(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		slack, discord := wirewatch.Destination("slack:C1"), wirewatch.Destination("discord:42")
		queue(t, db, alert(slack, "t1", "s1"), alert(slack, "t1", "s2"), alert(discord, "t2", "d1"), alert(discord, "t2", "d2"))
		const wait = 10 * time.Minute
		ss := &fakeSender{fail: func(a wirewatch.Alert, try int) error {
			if a.Title == "s1" && try == 1 {
				return wirewatch.RetryAfter(errors.New("ratelimited"), wait)
			}
			return nil
		}}
		ds := &fakeSender{}
		d := NewDispatcher(db, map[string]wirewatch.Sender{"slack": ss, "discord": ds}, discard(), nil)
		start := time.Now()
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(ss.titles(), ","); got != "s1,s2" {
			t.Errorf("slack got %s, want s1,s2 (order kept across the retry)", got)
		}
		if got := strings.Join(ds.titles(), ","); got != "d1,d2" {
			t.Errorf("discord got %s", got)
		}
		// The clock is the bubble's: discord's alerts went out at once,
		// slack's first one only after the wait the platform asked for.
		for _, x := range ds.sent {
			if x.at.Sub(start) != 0 {
				t.Errorf("discord alert %s sent %v after start; slack's Retry-After delayed it", x.a.Title, x.at.Sub(start))
			}
		}
		if got := ss.sent[0].at.Sub(start); got < wait {
			t.Errorf("slack retried after %v, want at least the Retry-After %v", got, wait)
		}
		if ss.tries["s1"] != 2 {
			t.Errorf("s1 tried %d times, want 2", ss.tries["s1"])
		}
	})
}

func TestDispatcherBacksOffWithoutRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		to := wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "t", "flaky"))
		s := &fakeSender{fail: func(a wirewatch.Alert, try int) error {
			if try <= 3 {
				return errors.New("connection reset")
			}
			return nil
		}}
		d := NewDispatcher(db, map[string]wirewatch.Sender{"slack": s}, discard(), nil)
		start := time.Now()
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if s.tries["flaky"] != 4 || len(s.sent) != 1 {
			t.Fatalf("tries %d, sent %d; want 4 tries, 1 delivery", s.tries["flaky"], len(s.sent))
		}
		// Backoffs of 2, 4 and 8 s with jitter down to half: at least 7 s.
		if got := s.sent[0].at.Sub(start); got < 7*time.Second || got > 14*time.Second {
			t.Errorf("delivered %v after start, want 7–14 s of backoff", got)
		}
	})
}

func TestWaitEmptyNamesWhatIsPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		queue(t, db, alert("slack:C1", "t", "ok"), alert("discord:42", "t", "stuck"), alert("discord:42", "t", "stuck2"))
		s := &fakeSender{}
		// No discord sender: its token is not set.
		d := NewDispatcher(db, map[string]wirewatch.Sender{"slack": s}, discard(), nil)
		ctx, stop := runDispatcher(t, d)
		defer stop()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := d.WaitEmpty(wctx)
		if err == nil || !strings.Contains(err.Error(), "discord:42: 2") {
			t.Errorf("WaitEmpty = %v, want an error naming discord:42: 2", err)
		}
		if got := strings.Join(s.titles(), ","); got != "ok" {
			t.Errorf("slack got %s", got)
		}
	})
}

func TestWaitEmptyOnEmptyOutbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		d := NewDispatcher(db, nil, discard(), nil)
		// Not running: an empty outbox needs no dispatcher.
		if err := d.WaitEmpty(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDispatcherPassesQuietThroughTheOutbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		quiet := alert(to, "case:mdd:8:25-cv-00951", "NOTICE of Appearance")
		quiet.Quiet = true
		queue(t, db, alert(to, "case:mdd:8:25-cv-00951", "ORDER"), quiet)
		s := &fakeSender{}
		d := NewDispatcher(db, map[string]wirewatch.Sender{"slack": s}, discard(), nil)
		ctx, stop := runDispatcher(t, d)
		defer stop()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(s.sent) != 2 || s.sent[0].a.Quiet || !s.sent[1].a.Quiet {
			t.Fatalf("sent %+v; want ORDER loud, then the notice quiet", s.sent)
		}
		if s.sent[1].th.Ref != "ref-1" {
			t.Errorf("quiet alert got thread %q, want the case's ref-1", s.sent[1].th.Ref)
		}
	})
}
