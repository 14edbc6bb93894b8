package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/wirewatch/wirewatch"
)

// foldPoster is a fakePoster that folds: it keeps each folded message's
// titles.
type foldPoster struct {
	*fakePoster
	folds [][]string
}

func (p *foldPoster) ReplyFolded(_ context.Context, th wirewatch.Thread, as []wirewatch.Alert) (string, error) {
	if len(as) < 2 || len(as) > wirewatch.FoldMax {
		return "", fmt.Errorf("folded %d alerts, want 2 to %d", len(as), wirewatch.FoldMax)
	}
	if err := p.record("ReplyFolded", th, as[0], false); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var ts []string
	for _, a := range as {
		ts = append(ts, a.Title)
	}
	p.folds = append(p.folds, ts)
	p.posted[as[0].DeliveryID()] = th.Ref
	return th.Ref, nil
}

// A burst of 17 alerts in one thread: the first starts the thread at once,
// the order among them is posted on its own and broadcast, the 15 other
// entries fold into one message; the thread counts all 17.
func TestDispatcherFoldsABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		var as []wirewatch.Alert
		for i := range 16 {
			as = append(as, alert(to, "case:mdd:1", fmt.Sprintf("entry %02d", i)))
		}
		order := alert(to, "case:mdd:1", "ORDER")
		order.Docket = &wirewatch.Docket{Court: "mdd", Number: "1", ShortDescription: "ORDER"}
		as = append(as[:11], append([]wirewatch.Alert{order}, as[11:]...)...)
		queue(t, db, as...)
		p := &foldPoster{fakePoster: &fakePoster{}}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))

		if got := p.sentTitles(); got != "entry 00,ORDER" {
			t.Errorf("posted on their own: %s; want the first entry and the order", got)
		}
		if r := p.ops("Reply"); len(r) != 1 || !r[0].broadcast {
			t.Errorf("replies %+v, want the order, broadcast", r)
		}
		if len(p.folds) != 1 || len(p.folds[0]) != 15 || p.folds[0][0] != "entry 01" || p.folds[0][14] != "entry 15" {
			t.Errorf("folded messages %v, want one of entries 01–15", p.folds)
		}
		th := thread(t, db, to, "case:mdd:1")
		// The fold is formed at its first entry and goes before the order.
		if th.Count != 17 || th.Posted != 17 || th.Recent[0].Title != "ORDER" || th.Recent[1].Title != "entry 15" {
			t.Errorf("thread %+v, want 17 items, latest the order, then entry 15", th)
		}
	})
}

// A folded message whose answer was lost (a 5xx after Slack posted it) is
// looked for before it is sent again, as one group: not posted twice.
func TestDispatcherAsksBeforeRefoldingAGroupInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const to = wirewatch.Destination("slack:C1")
		var as []wirewatch.Alert
		for i := range 6 {
			as = append(as, alert(to, "k", fmt.Sprintf("item %d", i)))
		}
		queue(t, db, as...)
		var p *foldPoster
		p = &foldPoster{fakePoster: &fakePoster{fail: func(op string, a wirewatch.Alert, try int) error {
			if op == "ReplyFolded" && try == 1 {
				p.posted[a.DeliveryID()] = "ref-1" // it arrived; the answer did not
				return errors.New("slack: HTTP 503")
			}
			return nil
		}}}
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"slack": p}))
		if len(p.folds) != 0 || len(p.ops("ReplyFolded")) != 1 {
			t.Errorf("folded %v after %d tries; want the one try, not repeated", p.folds, len(p.ops("ReplyFolded")))
		}
		if d := p.ops("Delivered"); len(d) != 1 || d[0].a.Title != "item 1" {
			t.Errorf("Delivered asked %+v, want once for the group's first alert", d)
		}
		th := thread(t, db, to, "k")
		if th.Count != 6 || th.Posted != 6 {
			t.Errorf("thread counts %d/%d, want 6/6", th.Count, th.Posted)
		}
		if got := p.sentTitles(); !strings.HasPrefix(got, "item 0") || strings.Count(got, ",") != 0 {
			t.Errorf("posted on their own: %s; want only the first", got)
		}
	})
}

// On stdout a burst is not folded: one line per alert, in order, each
// once, each recorded as printed (a kill repeats at most one line).
func TestDispatcherStdoutPrintsAFoldedBurstLineByLine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		var as []wirewatch.Alert
		for i := range 30 {
			as = append(as, alert("stdout", "k", fmt.Sprintf("item %02d", i)))
		}
		queue(t, db, as...)
		var out strings.Builder
		deliverAll(t, newDispatcher(db, map[string]wirewatch.Poster{"stdout": NewWriter(&out)}))
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 30 {
			t.Fatalf("%d lines, want 30", len(lines))
		}
		for i, l := range lines {
			if !strings.Contains(l, fmt.Sprintf(`"title":"item %02d"`, i)) {
				t.Errorf("line %d = %s, want item %02d", i, l, i)
			}
		}
		if th := thread(t, db, "stdout", "k"); th.Count != 30 {
			t.Errorf("thread counts %d, want 30", th.Count)
		}
	})
}
