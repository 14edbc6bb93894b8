package bot

import (
	"context"
	"errors"
	"time"

	"github.com/wirewatch/wirewatch"
)

// Edit in place: when an alerted item changes (a headline corrected, an
// RSS stub replaced by the full entry, a docket entry's description
// filled in), ingest queues its alerts again marked Edit (at most
// wirewatch.MaxEdits times per item). The dispatcher edits the message
// that carried the alert in each channel, noting the time, and posts
// nothing; where no message is known (never posted there, folded into a
// list, a digest, an "also in" line, or forgotten after retention) or the
// Poster cannot edit, the edit is dropped.

// deliverEdit edits the message carrying a's item in a.To; it returns
// false when a stays queued.
func (d *Dispatcher) deliverEdit(ctx context.Context, p wirewatch.Poster, a wirewatch.Alert) bool {
	e, ok := p.(wirewatch.Editor)
	msg, key := "", ""
	if ok && a.Item != "" {
		var err error
		if msg, key, err = d.db.Message(a.To, a.Item); err != nil {
			d.log.Error("read message of an item", "to", a.To, "err", err)
			return false
		}
	}
	if msg == "" {
		return d.edited(a, "no message of it to edit")
	}
	th, err := d.db.Thread(a.To, key)
	if err != nil {
		d.log.Error("read thread", "to", a.To, "thread", key, "err", err)
		return false
	}
	err = e.EditAlert(ctx, th, msg, a, time.Now())
	switch {
	case errors.Is(err, wirewatch.ErrGone):
		return d.edited(a, "its message is gone")
	case err != nil && wirewatch.Class(err).Permanent:
		// An edit refused (a message too old, an archived thread) is
		// dropped, not parked: the message still says what it said.
		return d.edited(a, "refused: "+err.Error())
	case err != nil:
		return d.failed(ctx, a, err)
	}
	if th.TopRef != "" {
		// The top's list of latest items shows the new headline too.
		changed := false
		for i, it := range th.Recent {
			if it.Link == a.Link && it.Title != a.Headline() {
				th.Recent[i].Title, changed = a.Headline(), true
			}
		}
		if changed {
			th.TopDirty = true
			if err := d.db.SaveThread(th); err != nil {
				d.log.Error("save thread", "to", a.To, "err", err)
			}
			d.kickEdits(a.To)
		}
	}
	return d.edited(a, "")
}

// edited drops the edit a from the outbox and logs why nothing was edited
// (skipped) or that it was.
func (d *Dispatcher) edited(a wirewatch.Alert, skipped string) bool {
	if err := d.db.Edited(a); err != nil {
		d.log.Error("record edit", "to", a.To, "err", err)
		return false
	}
	if skipped != "" {
		d.log.Debug("changed item not edited: "+skipped, "to", a.To, "title", a.Title)
	} else {
		d.log.Info("changed item: its message edited", "to", a.To, "title", a.Title)
	}
	d.notify()
	return true
}
