package bot

import (
	"context"
	"errors"
	"time"

	"github.com/wirewatch/wirewatch"
)

// Bursts: when many alerts arrive for one thread at once (a docket feed
// catching up, one story carried by thirty outlets), the first is posted
// at once and the rest fold into one message listing them, so the thread
// is not forty messages. An alert to be broadcast (a non-routine docket
// entry, a watch saying always) is never folded: it is posted, and shown
// in the channel, on its own.

// burstGap: a thread posted in this recently is in a burst, so even the
// first alert of a new outbox batch folds with those after it.
const burstGap = time.Minute

// deliverBatch delivers one batch read from a destination's outbox,
// folding what it can; it stops at the first alert that stays queued.
func (d *Dispatcher) deliverBatch(ctx context.Context, p wirewatch.Poster, alerts []wirewatch.Alert) {
	f, _ := p.(wirewatch.Folder)
	if fp, ok := p.(flatPoster); ok && fp.Flat() {
		// Lines, not threads: each is printed and recorded on its own,
		// so a kill repeats at most the line in flight (a printed line
		// cannot be looked for).
		f = nil
	}
	done := make(map[uint64]bool, len(alerts))
	posted := map[string]bool{} // threads with an alert posted in this batch
	for i, a := range alerts {
		if done[a.ID] {
			continue
		}
		if f != nil {
			if group := d.foldGroup(alerts[i:], done, posted); len(group) > 1 {
				for _, m := range group {
					done[m.ID] = true
				}
				posted[a.Thread] = true
				if !d.deliverFold(ctx, p, f, group) {
					return
				}
				continue
			}
		}
		done[a.ID] = true
		if !a.Quiet {
			posted[a.Thread] = true
		}
		if !d.deliver(ctx, p, a) {
			return
		}
	}
}

// foldGroup returns rest[0] and the alerts after it that fold with it into
// one message (nil when it goes on its own): a group saved before a crash
// as it was, else rest[0]'s later foldable alerts of its thread, once its
// thread had a post in this batch or within burstGap.
func (d *Dispatcher) foldGroup(rest []wirewatch.Alert, done map[uint64]bool, posted map[string]bool) []wirewatch.Alert {
	a := rest[0]
	if a.Fold != 0 {
		if a.Fold != a.ID {
			return nil // its group's first alert is gone (parked): alone
		}
		group := []wirewatch.Alert{a}
		for _, m := range rest[1:] {
			if m.Fold == a.ID && !done[m.ID] {
				group = append(group, m)
			}
		}
		return group
	}
	if !foldable(a) {
		return nil
	}
	if !posted[a.Thread] {
		th, err := d.db.Thread(a.To, a.Thread)
		if err != nil || th.Ref == "" || time.Since(th.LastPost) > burstGap {
			return nil
		}
	}
	group := []wirewatch.Alert{a}
	for _, m := range rest[1:] {
		if len(group) == wirewatch.FoldMax {
			break
		}
		if m.Thread == a.Thread && !done[m.ID] && foldable(m) {
			group = append(group, m)
		}
	}
	return group
}

// foldable: a may be listed in a folded message. Routine alerts are only
// counted, an alert in flight at a crash is looked for on its own, one to
// be broadcast is posted on its own, and an edit posts nothing.
func foldable(a wirewatch.Alert) bool {
	return !a.Quiet && !a.InFlight && !a.Edit && a.Fold == 0 && !mustBroadcast(a)
}

// deliverFold posts group as one message in its thread and records it; it
// returns false when the group stays queued.
func (d *Dispatcher) deliverFold(ctx context.Context, p wirewatch.Poster, f wirewatch.Folder, group []wirewatch.Alert) bool {
	lead := group[0]
	th, err := d.db.Thread(lead.To, lead.Thread)
	if err != nil {
		d.log.Error("read thread", "to", lead.To, "thread", lead.Thread, "err", err)
		return false
	}
	if th.TopRef == "" || th.Ref == "" {
		// The thread is gone or not open yet (a group saved before a
		// crash): one by one, each looked for first if in flight.
		for _, a := range group {
			if !d.deliver(ctx, p, a) {
				return false
			}
		}
		return true
	}
	start, now := time.Now(), time.Now().UTC()
	if lead.InFlight && lead.Fold == lead.ID {
		_, ok, err := p.Delivered(ctx, th, lead)
		if err != nil {
			return d.failed(ctx, lead, err)
		}
		if ok {
			d.log.Info("folded alerts in flight at the last stop had arrived; not sent again", "to", lead.To, "thread", lead.Thread, "alerts", len(group))
			return d.foldDone(th, "", group, now, start)
		}
	}
	// Saved as a group before it is posted: a crash now asks about, and
	// posts again, this same group.
	for i := range group {
		group[i].Fold, group[i].InFlight = lead.ID, true
	}
	if err := d.db.MarkFolded(group); err != nil {
		d.log.Error("record folded alerts", "to", lead.To, "err", err)
		return false
	}
	ref, err := f.ReplyFolded(ctx, th, group)
	switch {
	case errors.Is(err, wirewatch.ErrGone):
		d.log.Info("thread is gone; starting it anew", "to", lead.To, "thread", lead.Thread)
		if err := d.db.ThreadGone(th); err != nil {
			d.log.Error("record thread gone", "to", lead.To, "err", err)
		}
		return false // read again: the group goes one by one into a new thread
	case err != nil:
		return d.failed(ctx, group[0], err)
	}
	return d.foldDone(th, ref, group, now, start)
}

// foldDone records the folded group as delivered in th (under ref, the
// parent the platform named, when it differs).
func (d *Dispatcher) foldDone(th wirewatch.Thread, ref string, group []wirewatch.Alert, now, start time.Time) bool {
	next := th
	for _, a := range group {
		next = advance(next, a, now, true)
	}
	next.TopDirty = true
	if ref != "" && ref != th.Ref {
		d.log.Info("the platform placed the reply under another parent; following it", "to", th.To, "thread", th.Key, "was", th.Ref, "now", ref)
		if th.TopRef == th.Ref {
			next.TopRef = ref
		}
		next.Ref = ref
	}
	if err := d.db.DeliveredFolded(group, next); err != nil {
		d.log.Error("record folded alerts", "to", th.To, "err", err)
		return false
	}
	if next.TopDirty {
		if th.TopDirty {
			d.metrics.coalesced(th.To.Kind())
		}
		d.kickEdits(th.To)
	}
	took := time.Since(start)
	for _, a := range group {
		d.delivered(a, next, took)
	}
	return true
}
