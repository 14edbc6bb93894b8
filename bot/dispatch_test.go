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

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// fakePoster stands in for a platform: it keeps the messages it posted (by
// alert delivery id, so Delivered can answer), records every call, and
// fails as fail says (nil: accepted).
type fakePoster struct {
	mu     sync.Mutex
	calls  []posterCall
	posted map[string]string // delivery id → ref of the message
	tries  map[string]int    // by op and title
	seq    int
	fail   func(op string, a wirewatch.Alert, try int) error
	// replyRef answers a Reply (default: th.Ref, as a platform that
	// threads as asked).
	replyRef func(th wirewatch.Thread) string
	// openRef: Open's answer; PostTop sets Ref itself unless twoStep.
	twoStep bool
	// editGate, when set, blocks every EditTop until it receives.
	editGate chan struct{}
	checks   int
}

type posterCall struct {
	op        string // PostTop, Open, Reply, EditTop, Delivered
	a         wirewatch.Alert
	th        wirewatch.Thread // as the dispatcher passed it in
	broadcast bool
	at        time.Time
}

func (p *fakePoster) record(op string, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tries == nil {
		p.tries, p.posted = map[string]int{}, map[string]string{}
	}
	p.tries[op+" "+a.Title]++
	p.calls = append(p.calls, posterCall{op: op, a: a, th: th, broadcast: broadcast, at: time.Now()})
	if p.fail != nil {
		return p.fail(op, a, p.tries[op+" "+a.Title])
	}
	return nil
}

func (p *fakePoster) Check(context.Context) error {
	p.mu.Lock()
	p.checks++
	p.mu.Unlock()
	return p.record("Check", wirewatch.Thread{}, wirewatch.Alert{}, false)
}

func (p *fakePoster) PostTop(_ context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, error) {
	if err := p.record("PostTop", th, a, false); err != nil {
		return th, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	th.TopRef = fmt.Sprintf("ref-%d", p.seq)
	if !p.twoStep {
		th.Ref = th.TopRef
	}
	p.posted[a.DeliveryID()] = th.TopRef
	return th, nil
}

func (p *fakePoster) Open(_ context.Context, th wirewatch.Thread) (wirewatch.Thread, error) {
	if err := p.record("Open", th, wirewatch.Alert{}, false); err != nil {
		return th, err
	}
	th.Ref = "thread-" + th.TopRef
	return th, nil
}

func (p *fakePoster) Reply(_ context.Context, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) (string, error) {
	if err := p.record("Reply", th, a, broadcast); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posted[a.DeliveryID()] = th.Ref
	if p.replyRef != nil {
		return p.replyRef(th), nil
	}
	return th.Ref, nil
}

func (p *fakePoster) EditTop(ctx context.Context, th wirewatch.Thread) error {
	if p.editGate != nil {
		select {
		case <-p.editGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return p.record("EditTop", th, wirewatch.Alert{}, false)
}

func (p *fakePoster) Delivered(_ context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, bool, error) {
	if err := p.record("Delivered", th, a, false); err != nil {
		return th, false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ref, ok := p.posted[a.DeliveryID()]
	if ok && th.TopRef == "" {
		th.TopRef, th.Ref = ref, ref
	}
	return th, ok, nil
}

// ops returns the calls of op (all calls when op is "").
func (p *fakePoster) ops(op string) []posterCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []posterCall
	for _, c := range p.calls {
		if op == "" || c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// sentTitles lists what was posted (tops and replies), in order.
func (p *fakePoster) sentTitles() string {
	var out []string
	for _, c := range p.ops("") {
		if c.op == "PostTop" || c.op == "Reply" {
			out = append(out, c.a.Title)
		}
	}
	return strings.Join(out, ",")
}

func openStore(t testing.TB) *store.DB {
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
func queue(t testing.TB, db *store.DB, alerts ...wirewatch.Alert) {
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

func newDispatcher(db *store.DB, posters map[string]wirewatch.Poster) *Dispatcher {
	return NewDispatcher(db, DispatcherOptions{Posters: posters, Log: discard()})
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

// deliverAll runs d until the outbox is empty and the tops are edited.
func deliverAll(t *testing.T, d *Dispatcher) {
	t.Helper()
	ctx, stop := runDispatcher(t, d)
	defer stop()
	if err := d.WaitEmpty(ctx); err != nil {
		t.Fatal(err)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func thread(t *testing.T, db *store.DB, to wirewatch.Destination, key string) wirewatch.Thread {
	t.Helper()
	th, err := db.Thread(to, key)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestDispatcherDeliversInOrderAndSavesThread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		const key = "watch:cfg-1:2026-11-22"
		queue(t, db, alert(to, key, "one"), alert(to, key, "two"), alert(to, key, "three"))
		p := &fakePoster{}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		if got := p.sentTitles(); got != "one,two,three" {
			t.Errorf("sent %s, want one,two,three", got)
		}
		tops, replies := p.ops("PostTop"), p.ops("Reply")
		if len(tops) != 1 || len(replies) != 2 {
			t.Fatalf("%d tops and %d replies, want 1 and 2", len(tops), len(replies))
		}
		// The top is posted with the thread as it stands with its first
		// item: the title decided once, by the dispatcher, in words.
		if top := tops[0].th; top.Title != "Xinis · Nov 22, 2026" || top.Count != 1 || len(top.Recent) != 1 {
			t.Errorf("top posted with %+v", top)
		}
		for _, r := range replies {
			if r.th.Ref != "ref-1" {
				t.Errorf("%s posted in thread %q, want ref-1", r.a.Title, r.th.Ref)
			}
		}
		th := thread(t, db, to, key)
		if th.Ref != "ref-1" || th.TopRef != "ref-1" || th.Count != 3 || th.Posted != 3 || th.Latest != "three" || th.Key != key || th.To != to {
			t.Errorf("saved thread %+v", th)
		}
		if len(th.Recent) != 3 || th.Recent[0].Title != "three" || th.Recent[2].Title != "one" {
			t.Errorf("recent items %+v, want three, two, one", th.Recent)
		}
		if th.Started.IsZero() || th.Updated.IsZero() || th.LastPost.IsZero() || th.TopDirty {
			t.Errorf("saved thread %+v: want times set and the top up to date", th)
		}
		// The last edit showed the final state.
		edits := p.ops("EditTop")
		if len(edits) == 0 || edits[len(edits)-1].th.Count != 3 {
			t.Errorf("edits %+v, the last one should show 3 items", edits)
		}
	})
}

func TestThreadTitleKeepsTheCourtAndSaysTheDay(t *testing.T) {
	docket := alert("slack:C1", "case:mdd:8:25-cv-00951", "ORDER")
	docket.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: "61"}
	news := alert("slack:C1", "watch:w1:2026-11-22", "story")
	news.Watches = []string{"Abrego Garcia"}
	for _, c := range []struct {
		a    wirewatch.Alert
		want string
	}{
		{docket, "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"},
		{news, "Abrego Garcia · Nov 22, 2026"},
		{alert("slack:C1", "other", "x"), "Xinis"},
	} {
		if got := ThreadTitle(c.a); got != c.want {
			t.Errorf("ThreadTitle(%s) = %q, want %q", c.a.Thread, got, c.want)
		}
	}
}

// TestThreadNamesItsWatch: a news thread keeps the watch it belongs to, so
// an adapter can leave it out of the replies; a case thread names none.
func TestThreadNamesItsWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		news := alert("slack:C1", "watch:w1:2026-11-22", "story")
		news.Watches = []string{"Abrego Garcia", "Xinis"}
		docket := alert("slack:C1", "case:mdd:8:25-cv-00951", "ORDER")
		docket.Watches = []string{"Abrego Garcia"}
		docket.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem"}
		queue(t, db, news, docket)
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": &fakePoster{}}))
		for key, want := range map[string]string{news.Thread: "Abrego Garcia", docket.Thread: ""} {
			th, err := db.Thread("slack:C1", key)
			if err != nil {
				t.Fatal(err)
			}
			if th.Ref == "" || th.Watch != want {
				t.Errorf("thread %s: ref %q, watch %q; want a posted thread of watch %q", key, th.Ref, th.Watch, want)
			}
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
		refuse := func(op string, a wirewatch.Alert, _ int) error {
			if a.Title == "bad" {
				return wirewatch.Permanent(errors.New("channel_not_found"))
			}
			return nil
		}
		ss, ds := &fakePoster{fail: refuse}, &fakePoster{fail: refuse}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": ss, "discord": ds}))
		if got := ss.sentTitles(); got != "a1,bad,a2" {
			t.Errorf("slack tried %s, want a1,bad,a2", got)
		}
		if got := ds.sentTitles(); got != "bad,b1" {
			t.Errorf("discord tried %s, want bad,b1", got)
		}
		if ss.tries["Reply bad"] != 1 || ds.tries["PostTop bad"] != 1 {
			t.Errorf("a permanent failure was retried: %v %v", ss.tries, ds.tries)
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
		ss := &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
			if a.Title == "s1" && try == 1 {
				return wirewatch.RetryAfter(errors.New("ratelimited"), wait)
			}
			return nil
		}}
		ds := &fakePoster{}
		start := time.Now()
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": ss, "discord": ds}))
		if got := ss.sentTitles(); got != "s1,s1,s2" {
			t.Errorf("slack tried %s, want s1,s1,s2 (order kept across the retry)", got)
		}
		for _, c := range ds.ops("") {
			if c.at.Sub(start) != 0 {
				t.Errorf("discord %s %s at %v after start; slack's Retry-After delayed it", c.op, c.a.Title, c.at.Sub(start))
			}
		}
		if got := ss.ops("PostTop")[1].at.Sub(start); got < wait {
			t.Errorf("slack retried after %v, want at least the Retry-After %v", got, wait)
		}
		// A rate limit says nothing was posted: the retry does not ask.
		if n := len(ss.ops("Delivered")); n != 0 {
			t.Errorf("%d Delivered checks after a 429, want none", n)
		}
	})
}

func TestDispatcherBacksOffWithoutRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		to := wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "t", "flaky"))
		p := &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
			if op == "PostTop" && try <= 3 {
				return errors.New("connection reset")
			}
			return nil
		}}
		start := time.Now()
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		tops := p.ops("PostTop")
		if len(tops) != 4 {
			t.Fatalf("tries %d; want 4", len(tops))
		}
		// Backoffs of 2, 4 and 8 s with jitter down to half: at least 7 s.
		if got := tops[3].at.Sub(start); got < 7*time.Second || got > 14*time.Second {
			t.Errorf("delivered %v after start, want 7–14 s of backoff", got)
		}
		// A failure that may have posted it: each retry asks first.
		if n := len(p.ops("Delivered")); n != 3 {
			t.Errorf("%d Delivered checks before the 3 retries, want 3", n)
		}
	})
}

func TestWaitEmptyNamesWhatIsPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		queue(t, db, alert("slack:C1", "t", "ok"), alert("discord:42", "t", "stuck"), alert("discord:42", "t", "stuck2"))
		p := &fakePoster{}
		// No discord poster: its token is not set.
		d := newDispatcher(db, map[string]wirewatch.Poster{"slack": p})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := d.WaitEmpty(wctx)
		if err == nil || !strings.Contains(err.Error(), "discord:42: 2") {
			t.Errorf("WaitEmpty = %v, want an error naming discord:42: 2", err)
		}
		if got := p.sentTitles(); got != "ok" {
			t.Errorf("slack got %s", got)
		}
	})
}

func TestWaitEmptyOnEmptyOutbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		d := newDispatcher(db, nil)
		// Not running: an empty outbox needs no dispatcher.
		if err := d.WaitEmpty(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDispatcherCountsRoutineAlertsWithoutPosting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		const key = "case:mdd:8:25-cv-00951"
		quiet := alert(to, key, "NOTICE of Appearance")
		quiet.Quiet = true
		early := alert(to, key, "SUMMONS issued")
		early.Quiet = true
		queue(t, db, early, alert(to, key, "ORDER"), quiet)
		p := &fakePoster{}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		if got := p.sentTitles(); got != "ORDER" {
			t.Fatalf("posted %s; routine entries must only be counted", got)
		}
		// The top counts the routine entry before it.
		if top := p.ops("PostTop")[0].th; top.Count != 2 || top.Posted != 1 {
			t.Errorf("top posted as %+v, want 2 items, 1 posted", top)
		}
		th := thread(t, db, to, key)
		if th.Count != 3 || th.Posted != 1 || th.Routine() != 2 || th.TopDirty {
			t.Errorf("thread %+v, want 3 items, 1 posted, top up to date", th)
		}
		edits := p.ops("EditTop")
		if len(edits) != 1 || edits[0].th.Count != 3 {
			t.Errorf("edits %+v, want one showing 3 items", edits)
		}
	})
}

func TestDispatcherStdoutPrintsRoutineAlerts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		quiet := alert("stdout", "case:mdd:1", "NOTICE")
		quiet.Quiet = true
		queue(t, db, alert("stdout", "case:mdd:1", "ORDER"), quiet)
		var out strings.Builder
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"stdout": NewWriter(&out)}))
		if n := strings.Count(out.String(), "\n"); n != 2 || !strings.Contains(out.String(), "NOTICE") {
			t.Errorf("stdout got %q, want both alerts, one a line", out.String())
		}
		if dirty, _ := db.DirtyThreads("stdout"); len(dirty) != 0 {
			t.Errorf("stdout threads wait for edits: %+v", dirty)
		}
	})
}

func TestDispatcherStartsAnewWhenTheThreadIsGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("discord:42")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"), alert(to, "k", "three"))
		p := &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
			if op == "Reply" && a.Title == "two" {
				return fmt.Errorf("unknown channel: %w", wirewatch.ErrGone)
			}
			return nil
		}}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"discord": p}))
		tops := p.ops("PostTop")
		if len(tops) != 2 || tops[1].a.Title != "two" || tops[1].th.Count != 1 {
			t.Fatalf("tops %+v; want two to start a new thread of 1 item", tops)
		}
		th := thread(t, db, to, "k")
		if th.Ref != "ref-2" || th.Count != 2 || th.Posted != 2 {
			t.Errorf("thread %+v, want the new thread ref-2 with two and three", th)
		}
	})
}

func TestDispatcherFollowsTheParentThePlatformNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"), alert(to, "k", "three"))
		p := &fakePoster{replyRef: func(wirewatch.Thread) string { return "ref-real" }}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		th := thread(t, db, to, "k")
		if th.Ref != "ref-real" || th.TopRef != "ref-real" || th.Count != 3 || th.Posted != 3 {
			t.Errorf("thread %+v, want ref-real adopted with the counts kept", th)
		}
		if n := len(p.ops("PostTop")); n != 1 {
			t.Errorf("%d tops posted; a reply under another parent is no new thread", n)
		}
	})
}

func TestDispatcherReRootsOnlyWhenTheTopIsGone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"), alert(to, "k", "three"), alert(to, "k", "four"))
		var gone bool
		p := &fakePoster{replyRef: func(wirewatch.Thread) string { return "" }}
		p.fail = func(op string, a wirewatch.Alert, try int) error {
			if op == "Reply" && a.Title == "three" {
				gone = true // the top was deleted before three was posted
			}
			if op == "EditTop" && gone {
				return fmt.Errorf("message_not_found: %w", wirewatch.ErrGone)
			}
			return nil
		}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		// two: the answer named no parent, but the top is there: the
		// thread is kept. three: the top is gone: four starts anew.
		tops := p.ops("PostTop")
		if len(tops) != 2 || tops[0].a.Title != "one" || tops[1].a.Title != "four" {
			t.Fatalf("tops %+v, want one, then four", tops)
		}
		if th := thread(t, db, to, "k"); th.Ref != "ref-2" || th.Count != 1 {
			t.Errorf("thread %+v, want four's new thread", th)
		}
	})
}

func TestDispatcherSavesThePartialThreadBeforeOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("discord:42")
		queue(t, db, alert(to, "k", "one"))
		opening := make(chan struct{})
		ctx, crash := context.WithCancel(t.Context())
		p := &fakePoster{twoStep: true, fail: func(op string, a wirewatch.Alert, try int) error {
			if op == "Open" {
				close(opening)
				<-ctx.Done() // the process dies here
				return ctx.Err()
			}
			return nil
		}}
		d := newDispatcher(db, map[string]wirewatch.Poster{"discord": p})
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		<-opening
		th := thread(t, db, to, "k")
		if th.TopRef != "ref-1" || th.Ref != "" {
			t.Fatalf("while opening, the store has %+v; want the top saved, not yet a thread", th)
		}
		crash()
		<-done
		// A new process with the next alert opens the thread instead of
		// posting the top again.
		queue(t, db, alert(to, "k", "two"))
		p2 := &fakePoster{twoStep: true}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"discord": p2}))
		if n := len(p2.ops("PostTop")); n != 0 {
			t.Errorf("the top was posted again after the crash")
		}
		if opens := p2.ops("Open"); len(opens) != 1 || opens[0].th.TopRef != "ref-1" {
			t.Errorf("opens %+v, want ref-1 opened", opens)
		}
		if th := thread(t, db, to, "k"); th.Ref != "thread-ref-1" || th.Count != 2 {
			t.Errorf("thread %+v", th)
		}
	})
}

func TestDispatcherAsksBeforeResendingAnAlertInFlight(t *testing.T) {
	for _, arrived := range []bool{true, false} {
		t.Run(fmt.Sprint("arrived=", arrived), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				db := openStore(t)
				const to = wirewatch.Destination("slack:C1")
				queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"))
				posting := make(chan struct{})
				ctx, crash := context.WithCancel(t.Context())
				p := &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
					if op == "Reply" {
						close(posting)
						<-ctx.Done() // the process dies with two in flight
						return ctx.Err()
					}
					return nil
				}}
				d := newDispatcher(db, map[string]wirewatch.Poster{"slack": p})
				done := make(chan error)
				go func() { done <- d.Run(ctx) }()
				<-posting
				crash()
				<-done
				pending, err := db.Pending(to, 10)
				if err != nil || len(pending) != 1 || !pending[0].InFlight {
					t.Fatalf("pending %+v, %v; want two marked in flight", pending, err)
				}
				p2 := &fakePoster{}
				p2.record("", wirewatch.Thread{}, wirewatch.Alert{}, false) // make the maps
				if arrived {
					p2.posted[pending[0].DeliveryID()] = "ref-1"
				}
				deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p2}))
				if n := len(p2.ops("Delivered")); n != 1 {
					t.Errorf("%d Delivered checks, want 1", n)
				}
				want := ""
				if !arrived {
					want = "two"
				}
				if got := p2.sentTitles(); got != want {
					t.Errorf("after the restart sent %q, want %q", got, want)
				}
				if th := thread(t, db, to, "k"); th.Count != 2 || th.Posted != 2 {
					t.Errorf("thread %+v, want both counted", th)
				}
			})
		})
	}
}

func TestDispatcherCoalescesTopEdits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		const n = 30
		var as []wirewatch.Alert
		for i := range n {
			as = append(as, alert(to, "k", fmt.Sprint("item ", i)))
		}
		queue(t, db, as...)
		p := &fakePoster{editGate: make(chan struct{})}
		reg := prometheus.NewRegistry()
		m := NewMetrics(reg, func() map[wirewatch.Destination]int { return nil })
		d := NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard(), Metrics: m})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		// The edit budget is spent: every reply is posted while the first
		// edit waits.
		for len(p.ops("Reply")) < n-1 {
			synctest.Wait()
			if len(p.ops("Reply")) < n-1 {
				t.Fatalf("%d replies posted while the edit waits", len(p.ops("Reply")))
			}
		}
		go func() {
			for {
				select {
				case p.editGate <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		edits := p.ops("EditTop")
		if len(edits) > 2 {
			t.Errorf("%d edits for %d replies; want the waiting edit and one with the latest state", len(edits), n-1)
		}
		if last := edits[len(edits)-1].th; last.Count != n || last.Latest != fmt.Sprint("item ", n-1) {
			t.Errorf("last edit showed %d items, latest %q; want %d and the last item", last.Count, last.Latest, n)
		}
		if got := counterValue(t, m.TopEditsCoalesced.WithLabelValues("slack")); got < n-3 {
			t.Errorf("coalesced counter %v, want ≥ %d", got, n-3)
		}
	})
}

func TestDispatcherRefreshesTheTopAfterAnEditRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"))
		const wait = 30 * time.Second
		p := &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
			if op == "EditTop" && try == 1 {
				return wirewatch.RetryAfter(errors.New("ratelimited"), wait)
			}
			return nil
		}}
		start := time.Now()
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		edits := p.ops("EditTop")
		if len(edits) != 2 || edits[1].th.Count != 2 || edits[1].at.Sub(start) < wait {
			t.Errorf("edits %+v; want the refused one, then one with 2 items after %v", edits, wait)
		}
		if th := thread(t, db, to, "k"); th.TopDirty {
			t.Errorf("top still waits for its edit: %+v", th)
		}
	})
}

func TestDispatcherResumesPendingEditsAfterARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		if err := db.SaveThread(wirewatch.Thread{Key: "k", To: to, Ref: "r", TopRef: "r", Count: 4, Posted: 4, TopDirty: true}); err != nil {
			t.Fatal(err)
		}
		p := &fakePoster{}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		if edits := p.ops("EditTop"); len(edits) != 1 || edits[0].th.Count != 4 {
			t.Errorf("edits %+v, want the pending one", edits)
		}
	})
}

func TestDispatcherBroadcastsDocketEntriesAndLateNews(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		order := alert(to, "case:mdd:1", "ORDER")
		order.Docket = &wirewatch.Docket{Court: "mdd", Number: "1"}
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"), order, order)
		p := &fakePoster{}
		d := newDispatcher(db, map[string]wirewatch.Poster{"slack": p})
		deliverAll(t, d)
		time.Sleep(wirewatch.BroadcastAfter + time.Minute)
		queue(t, db, alert(to, "k", "three"))
		deliverAll(t, d)
		got := map[string]bool{}
		for _, r := range p.ops("Reply") {
			got[r.a.Title] = r.broadcast
		}
		if got["two"] || !got["ORDER"] || !got["three"] {
			t.Errorf("broadcast %v; want ORDER and the late three, not two", got)
		}
	})
}

func TestDispatcherHoldsAPlatformWhoseTokenIsRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		slack, discord := wirewatch.Destination("slack:C1"), wirewatch.Destination("discord:42")
		queue(t, db, alert(slack, "a", "s1"), alert("slack:C2", "b", "s2"), alert(discord, "c", "d1"))
		var revoked = true
		var mu sync.Mutex
		ss := &fakePoster{}
		ss.fail = func(op string, a wirewatch.Alert, try int) error {
			mu.Lock()
			defer mu.Unlock()
			if revoked {
				return wirewatch.Auth(errors.New("token_revoked"))
			}
			return nil
		}
		ds := &fakePoster{}
		d := newDispatcher(db, map[string]wirewatch.Poster{"slack": ss, "discord": ds})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := ds.sentTitles(); got != "d1" {
			t.Errorf("discord sent %q; a slack token has nothing to do with it", got)
		}
		if n := len(ss.ops("PostTop")); n > 2 {
			t.Errorf("%d slack posts tried while its token is refused; want at most one per channel", n)
		}
		if h := d.Holds(); h["slack"] == "" {
			t.Errorf("holds %v, want slack's token", h)
		}
		holds, _ := db.Holds()
		if !holds["slack"].Auth {
			t.Errorf("stored holds %+v, want slack's", holds)
		}
		parked, _ := db.ParkedAlerts()
		if len(parked) != 0 {
			t.Errorf("parked %v: a refused token holds alerts, never parks them", parked)
		}
		pending, _ := db.Pending(slack, 10)
		if len(pending) != 1 || pending[0].Tries != 0 {
			t.Errorf("pending %+v, want s1 kept with no tries counted", pending)
		}
		mu.Lock()
		revoked = false // renewed
		mu.Unlock()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if ss.checks == 0 {
			t.Error("the token was never checked again")
		}
		if got := ss.ops("PostTop"); got[len(got)-1].at.Sub(got[0].at) < authEvery {
			t.Errorf("resumed %v after the refusal, want after a check (%v)", got[len(got)-1].at.Sub(got[0].at), authEvery)
		}
		if h := d.Holds(); len(h) != 0 {
			t.Errorf("holds %v after the token works again", h)
		}
	})
}

func TestDispatcherHoldsAChannelThatRefusesForNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"))
		var invited time.Time
		start := time.Now()
		p := &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
			if invited.IsZero() && time.Since(start) > 90*time.Second {
				invited = time.Now()
			}
			if invited.IsZero() {
				return wirewatch.Hold(errors.New("not_in_channel"))
			}
			return nil
		}}
		d := newDispatcher(db, map[string]wirewatch.Poster{"slack": p})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if h := d.Holds(); !strings.Contains(h[string(to)], "not_in_channel") {
			t.Errorf("holds %v, want the channel's", h)
		}
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if parked, _ := db.ParkedAlerts(); len(parked) != 0 {
			t.Errorf("parked %v; the channel was only refusing for a while", parked)
		}
		if got := p.sentTitles(); !strings.HasSuffix(got, "one,two") || len(p.ops("PostTop")) > 4 {
			t.Errorf("tried %s; want a few slow retries, then one and two", got)
		}
		if holds, _ := db.Holds(); len(holds) != 0 {
			t.Errorf("holds %v after the channel accepted", holds)
		}
	})
}

func TestDispatcherParksAfterAHoldOf24Hours(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("discord:42")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"), alert(to, "k", "three"))
		p := &fakePoster{fail: func(string, wirewatch.Alert, int) error {
			return wirewatch.Hold(errors.New("missing access"))
		}}
		start := time.Now()
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"discord": p}))
		parked, _ := db.ParkedAlerts()
		if parked[to].Count != 3 || time.Since(start) < holdFor {
			t.Errorf("parked %+v after %v; want all three parked after %v", parked, time.Since(start), holdFor)
		}
		if got := p.sentTitles(); strings.Contains(got, "two") {
			t.Errorf("tried %s; the backlog behind one should park without a try each", got)
		}
		if n := len(p.ops("PostTop")); n > int(2*holdFor/holdMax) {
			t.Errorf("%d tries in a day of holding: not a long backoff", n)
		}
	})
}

func TestDryRunSaysWhatItDid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		queue(t, db, alert("slack:C1", "k", "one"))
		var logs strings.Builder
		var out strings.Builder
		w := NewWriter(&out)
		d := NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": w}, DryRun: true,
			Log: slog.New(slog.NewTextHandler(&logs, nil))})
		deliverAll(t, d)
		if strings.Contains(logs.String(), "alert delivered") || !strings.Contains(logs.String(), "not delivered") {
			t.Errorf("dry-run log:\n%s", logs.String())
		}
	})
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestWaitEmptyDoesNotWaitForSummaries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		queue(t, db, alert(to, "k", "one"), alert(to, "k", "two"))
		p := &fakePoster{editGate: make(chan struct{})} // the edit budget never comes
		d := newDispatcher(db, map[string]wirewatch.Poster{"slack": p})
		ctx, stop := runDispatcher(t, d)
		defer stop()
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := d.WaitEmpty(wctx); err != nil {
			t.Errorf("WaitEmpty = %v; every alert is out, the edit is saved for later", err)
		}
		if dirty, _ := db.DirtyThreads(to); len(dirty) != 1 {
			t.Errorf("dirty threads %+v, want the one waiting for its edit", dirty)
		}
	})
}

// A watch's broadcast setting decides over auto: always shows every reply
// in the channel, never none, not even an order; under auto a routine
// entry that a procedural watch has posted stays in its thread.
func TestDispatcherBroadcastFollowsTheWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		with := func(a wirewatch.Alert, mode string, k *wirewatch.Docket) wirewatch.Alert {
			a.Broadcast, a.Docket = mode, k
			a.Routine = k != nil && k.Procedural // as Watchlist.Alerts sets it
			return a
		}
		order := &wirewatch.Docket{Court: "mdd", Number: "1", ShortDescription: "ORDER"}
		routine := &wirewatch.Docket{Court: "mdd", Number: "1", ShortDescription: "NOTICE of Appearance", Procedural: true}
		queue(t, db,
			alert(to, "a", "a-top"), with(alert(to, "a", "always-news"), wirewatch.BroadcastAlways, nil),
			alert(to, "n", "n-top"), with(alert(to, "n", "never-order"), wirewatch.BroadcastNever, order),
			alert(to, "p", "p-top"), with(alert(to, "p", "auto-routine"), wirewatch.BroadcastAuto, routine),
			with(alert(to, "p", "auto-order"), "", order),
		)
		p := &fakePoster{}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		got := map[string]bool{}
		for _, r := range p.ops("Reply") {
			got[r.a.Title] = r.broadcast
		}
		want := map[string]bool{"always-news": true, "never-order": false, "auto-routine": false, "auto-order": true}
		for title, b := range want {
			if v, ok := got[title]; !ok || v != b {
				t.Errorf("%s: broadcast %v (replied %v), want %v", title, v, ok, b)
			}
		}
	})
}

// An alert naming several watches: always wins, never needs them all.
func TestBroadcastOfSeveralWatches(t *testing.T) {
	w := func(modes ...string) []wirewatch.Watch {
		out := make([]wirewatch.Watch, len(modes))
		for i, m := range modes {
			out[i].Broadcast = m
		}
		return out
	}
	for _, tc := range []struct {
		ws   []wirewatch.Watch
		want string
	}{
		{w(""), wirewatch.BroadcastAuto},
		{w("never"), wirewatch.BroadcastNever},
		{w("never", "never"), wirewatch.BroadcastNever},
		{w("never", ""), wirewatch.BroadcastAuto},
		{w("never", "always"), wirewatch.BroadcastAlways},
		{w("auto", "always", "never"), wirewatch.BroadcastAlways},
	} {
		if got := broadcastOf(tc.ws); got != tc.want {
			t.Errorf("broadcastOf(%+v) = %s, want %s", tc.ws, got, tc.want)
		}
	}
}
