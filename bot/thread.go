package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// The thread state machine: what an alert does to its thread. Every step
// the platform takes is recorded in the store before the next one, so a
// crash repeats at most the call in flight, and that call is checked with
// Poster.Delivered before it is made again.

// flatPoster is a Poster of lines rather than threads (stdout): every
// alert is posted, routine (quiet) ones too, and no top is ever edited.
type flatPoster interface{ Flat() bool }

// post delivers a into th with p and records it; it returns the thread as
// it now stands.
func (d *Dispatcher) post(ctx context.Context, p wirewatch.Poster, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, error) {
	now := time.Now().UTC()
	flat := false
	if f, ok := p.(flatPoster); ok && f.Flat() {
		a.Quiet, flat = false, true
	}
	if a.Quiet {
		// Counted, not posted: the top message shows it at its next edit.
		next := advance(th, a, now, false)
		next.TopDirty = th.TopRef != ""
		return next, d.record(a, th, next)
	}
	if a.InFlight {
		got, ok, err := p.Delivered(ctx, th, a)
		if err != nil {
			return th, err
		}
		if ok {
			d.log.Info("alert in flight at the last stop had arrived; not sent again", "to", a.To, "thread", a.Thread, "title", a.Title)
			next := advance(th, a, now, true)
			if th.TopRef == "" {
				next.TopRef, next.Ref = got.TopRef, got.Ref
			} else {
				next.TopDirty = true
			}
			if err := d.record(a, th, next); err != nil {
				return th, err
			}
			if next.Ref == "" && next.TopRef != "" {
				return d.open(ctx, p, next), nil
			}
			return next, nil
		}
	}
	if th.TopRef != "" && th.Ref == "" {
		// A top message posted before a crash or a failure, not yet a
		// thread: open it rather than post another.
		var err error
		if th, err = d.openOrErr(ctx, p, th); err != nil {
			return th, err
		}
	}
	// In quiet hours nothing new shows at the channel's root: a new
	// thread waits for the hours' end, a broadcast stays in its thread
	// and a copy waits.
	quiet := !flat && d.quietNow(a.To, p, now)
	if quiet && th.TopRef == "" {
		return th, d.holdQuiet(a, now)
	}
	// A line cannot be looked for once printed: stdout skips the mark (and
	// its write), and is at least once. An alert read back in flight is
	// marked in the store already: no second commit.
	if !flat && !a.InFlight {
		if err := d.db.MarkInFlight(a); err != nil {
			return th, err
		}
	}
	if th.TopRef == "" {
		return d.startThread(ctx, p, th, a, now)
	}
	bc := broadcast(th, a, now)
	var ref string
	var err error
	if e, ok := p.(wirewatch.Editor); ok {
		// The message is kept, so that a change of the item edits it;
		// not an "also in" line's, which names outlets and nothing of the
		// item's text that an edit would correct (an edit of it would
		// turn the line into the story's card).
		var msg string
		ref, msg, err = e.ReplyRef(ctx, th, a, bc && !quiet)
		if len(a.AlsoIn) == 0 {
			a.Message = msg
		}
	} else {
		ref, err = p.Reply(ctx, th, a, bc && !quiet)
	}
	switch {
	case errors.Is(err, wirewatch.ErrGone):
		d.log.Info("thread is gone; starting it anew", "to", a.To, "thread", a.Thread)
		if quiet {
			if err := d.db.ThreadGone(th); err != nil {
				return th, err
			}
			return fresh(th), d.holdQuiet(a, now)
		}
		return d.startThread(ctx, p, fresh(th), a, now)
	case err != nil:
		return th, err
	}
	if bc && quiet {
		if err := d.db.HoldCopy(a, now); err != nil {
			return th, err
		}
	}
	next := advance(th, a, now, true)
	next.TopDirty = !flat
	switch {
	case ref != "" && ref != th.Ref:
		// The platform names the parent it used (Slack's thread_ts):
		// that is the thread.
		d.log.Info("the platform placed the reply under another parent; following it", "to", a.To, "thread", a.Thread, "was", th.Ref, "now", ref)
		if th.TopRef == th.Ref {
			next.TopRef = ref
		}
		next.Ref = ref
	case ref == "":
		// The answer names no parent: the top message may be gone. Check
		// with the edit the top needs anyway; only a top the platform
		// says is gone starts the thread anew.
		switch err := p.EditTop(ctx, next); {
		case err == nil:
			next.TopDirty = false
			d.metrics.edit(a.To.Kind(), "ok")
		case errors.Is(err, wirewatch.ErrGone):
			d.log.Info("thread's top message is gone; the next alert starts a new thread", "to", a.To, "thread", a.Thread)
			if err := d.record(a, th, next); err != nil {
				return th, err
			}
			if err := d.db.ThreadGone(next); err != nil {
				return next, err
			}
			return fresh(next), nil
		}
	}
	return next, d.record(a, th, next)
}

// broadcast tells whether the reply a in th is also shown in the channel:
// as its watches say (Alert.Broadcast), and for auto when it matters: a
// docket entry that is not routine by the routine-entry classifier
// (Alert.Routine; a routine one is posted only for a procedural watch, and
// stays in the thread), or the first item after the thread was quiet for
// wirewatch.BroadcastAfter.
func broadcast(th wirewatch.Thread, a wirewatch.Alert, now time.Time) bool {
	if a.Broadcast == wirewatch.BroadcastNever {
		return false
	}
	return mustBroadcast(a) || !th.LastPost.IsZero() && now.Sub(th.LastPost) > wirewatch.BroadcastAfter
}

// mustBroadcast: a is shown in the channel whatever its thread's state: its
// watches say always, or (auto) it is a docket entry that is not routine.
func mustBroadcast(a wirewatch.Alert) bool {
	switch a.Broadcast {
	case wirewatch.BroadcastAlways:
		return true
	case wirewatch.BroadcastNever:
		return false
	}
	return a.Docket != nil && !a.Routine && !a.Docket.Procedural
}

// startThread posts a as the top message of a new thread, records it, and
// opens the thread where that is a second step.
func (d *Dispatcher) startThread(ctx context.Context, p wirewatch.Poster, th wirewatch.Thread, a wirewatch.Alert, now time.Time) (wirewatch.Thread, error) {
	next := advance(th, a, now, true)
	got, err := p.PostTop(ctx, next, a)
	if err != nil {
		return th, err
	}
	next.TopRef, next.Ref, next.TopDirty = got.TopRef, got.Ref, false
	if next.TopRef == "" {
		next.TopRef = next.Ref
	}
	if _, ok := p.(wirewatch.Editor); ok {
		a.Message = next.TopRef // the top carries the alert
	}
	// Saved before Open: a crash now opens this top, not a second one.
	if err := d.record(a, th, next); err != nil {
		return th, err
	}
	if next.Ref == "" {
		return d.open(ctx, p, next), nil
	}
	return next, nil
}

// open turns th's top message into a thread and saves it. A failure is
// logged: the next alert of the thread opens it.
func (d *Dispatcher) open(ctx context.Context, p wirewatch.Poster, th wirewatch.Thread) wirewatch.Thread {
	next, err := d.openOrErr(ctx, p, th)
	if err != nil && ctx.Err() == nil {
		d.log.Warn("open thread; the next alert tries again", "to", th.To, "thread", th.Key, "err", err)
	}
	return next
}

func (d *Dispatcher) openOrErr(ctx context.Context, p wirewatch.Poster, th wirewatch.Thread) (wirewatch.Thread, error) {
	got, err := p.Open(ctx, th)
	switch {
	case errors.Is(err, wirewatch.ErrGone):
		// The top was deleted before it became a thread: start anew.
		if err := d.db.ThreadGone(th); err != nil {
			return th, err
		}
		return fresh(th), nil
	case err != nil:
		return th, err
	}
	th.Ref = got.Ref
	return th, d.db.SaveThread(th)
}

// record removes a from the outbox and saves its thread, and has the top
// message edited when the thread changed.
func (d *Dispatcher) record(a wirewatch.Alert, before, th wirewatch.Thread) error {
	if err := d.db.Delivered(a, th); err != nil {
		return err
	}
	if th.TopDirty {
		if before.TopDirty {
			// Folded into the edit already pending.
			d.metrics.coalesced(a.To.Kind())
		}
		d.kickEdits(a.To)
	}
	return nil
}

// advance returns th counting a (posted, or only counted).
func advance(th wirewatch.Thread, a wirewatch.Alert, now time.Time, posted bool) wirewatch.Thread {
	th.Key, th.To = a.Thread, a.To
	if th.Title == "" {
		th.Title, th.Watch = ThreadTitle(a), threadWatch(a)
	}
	if posted {
		th.Posted++
		th.LastPost = now
	}
	if len(a.AlsoIn) > 0 && th.Count > 0 {
		// Another outlet of a story the thread has: not an item more.
		th.Updated = now
		return th
	}
	th.Count++
	th.Latest = a.Headline()
	when := a.Published
	if when.IsZero() {
		when = a.Queued
	}
	item := wirewatch.ThreadItem{Title: th.Latest, Link: a.Link, Source: a.Source, Time: when}
	recent := make([]wirewatch.ThreadItem, 0, wirewatch.RecentItems)
	recent = append(recent, item)
	for _, it := range th.Recent {
		if len(recent) == wirewatch.RecentItems {
			break
		}
		recent = append(recent, it)
	}
	th.Recent = recent
	if th.Started.IsZero() {
		th.Started = now
	}
	th.Updated = now
	return th
}

// fresh is th with nothing posted: the next alert starts it.
func fresh(th wirewatch.Thread) wirewatch.Thread {
	return wirewatch.Thread{Key: th.Key, To: th.To, Title: th.Title, Updated: th.Updated}
}

// ThreadTitle says what a new thread is about, once, for every platform:
// the case with its court ("Abrego Garcia v. Noem, 8:25-cv-00951 (D.
// Md.)"), or the watch and the day of a news thread ("Abrego Garcia · Nov
// 22, 2026"; the thread key's day is already in the configured time zone).
func ThreadTitle(a wirewatch.Alert) string {
	if k := a.Docket; k != nil && k.Number != "" {
		return court.Title(wirewatch.Docket{CaseName: k.CaseName, Number: k.Number, Court: k.Court})
	}
	label := "watch"
	if len(a.Watches) > 0 {
		label = a.Watches[0]
	}
	if i := strings.LastIndexByte(a.Thread, ':'); i >= 0 {
		if day, err := time.Parse(time.DateOnly, a.Thread[i+1:]); err == nil {
			return label + " · " + day.Format("Jan 2, 2006")
		}
	}
	return label
}

// threadWatch is the watch a news thread belongs to: the first one its
// first alert names, as its thread key and title are (ThreadKey).
func threadWatch(a wirewatch.Alert) string {
	if a.Docket != nil && a.Docket.Number != "" || len(a.Watches) == 0 {
		return ""
	}
	return a.Watches[0]
}

// kickEdits has dest's editor bring its dirty top messages up to date.
func (d *Dispatcher) kickEdits(dest wirewatch.Destination) {
	p := d.posters[dest.Kind()]
	if p == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.editing[dest] {
		d.editAgain[dest] = true
		return
	}
	if d.base == nil {
		return // not running
	}
	d.editing[dest] = true
	d.wg.Add(1)
	go d.edits(d.base, dest, p)
}

// edits brings dest's top messages up to date, one edit per thread at a
// time with the thread's latest state, as fast as p's edit budget allows:
// changes made while an edit waits are folded into it.
func (d *Dispatcher) edits(ctx context.Context, dest wirewatch.Destination, p wirewatch.Poster) {
	defer d.wg.Done()
	defer func() {
		d.mu.Lock()
		d.editing[dest] = false
		d.mu.Unlock()
		d.notify()
	}()
	tries := 0
	for ctx.Err() == nil && !d.authHeld(dest.Kind()) {
		ths, err := d.db.DirtyThreads(dest)
		if err != nil {
			d.log.Error("read threads", "to", dest, "err", err)
			return
		}
		if len(ths) == 0 {
			d.mu.Lock()
			again := d.editAgain[dest]
			d.editAgain[dest] = false
			d.mu.Unlock()
			if again {
				continue
			}
			return
		}
		for _, th := range ths {
			err := p.EditTop(ctx, th)
			se := wirewatch.Class(err)
			switch {
			case err == nil:
				tries = 0
				d.metrics.edit(dest.Kind(), "ok")
				if err := d.db.TopEdited(th); err != nil {
					d.log.Error("record edit", "to", dest, "err", err)
				}
				continue
			case ctx.Err() != nil:
				return
			case errors.Is(err, wirewatch.ErrGone):
				d.metrics.edit(dest.Kind(), "gone")
				d.log.Info("thread's top message is gone; the next alert starts a new thread", "to", dest, "thread", th.Key)
				if err := d.db.ThreadGone(th); err != nil {
					d.log.Error("record thread gone", "to", dest, "err", err)
				}
				continue
			case se.Auth:
				d.holdAuth(ctx, dest.Kind(), err)
				return
			case se.Permanent || se.Hold:
				// This top cannot be edited (too old, not ours): the
				// thread goes on without its summary.
				d.metrics.edit(dest.Kind(), "failed")
				d.mu.Lock()
				d.warnOnce("edit "+string(dest)+" "+err.Error(), "thread summary cannot be updated", "to", dest, "thread", th.Key, "err", err)
				d.mu.Unlock()
				if err := d.db.TopEdited(th); err != nil {
					d.log.Error("record edit", "to", dest, "err", err)
				}
				continue
			}
			// Rate limited or a passing failure: the top is refreshed
			// with the then latest state once the wait is over.
			d.metrics.edit(dest.Kind(), "retry")
			tries++
			sleep(ctx, max(se.After, backoff(tries)))
			break
		}
	}
}
