package bot

import (
	"context"
	"time"

	"github.com/wirewatch/wirewatch"
)

// Digest channels: a channel with a digest schedule gets its alerts held
// in the outbox (durable across restarts) and posted as one message when
// the schedule comes round after the oldest of them was queued. A digest
// due while the process was down goes out at the next start.

// digestOf returns dest's schedule (the config file's, else one set from
// chat), if it has one its Poster can post.
func (d *Dispatcher) digestOf(dest wirewatch.Destination, p wirewatch.Poster) (wirewatch.Digest, wirewatch.Digester, bool) {
	sch, ok := d.digests[dest]
	if !ok {
		// Set from chat (/watch digest); the config file's wins.
		set, err := d.db.ChannelDigestOf(dest)
		if err != nil {
			return wirewatch.Digest{}, nil, false
		}
		if sch, ok, err = wirewatch.ParseDigest(set); err != nil || !ok {
			return wirewatch.Digest{}, nil, false
		}
	}
	dg, ok := p.(wirewatch.Digester)
	return sch, dg, ok
}

// digestDue returns when dest's held alerts are due (zero: none held).
func (d *Dispatcher) digestDue(dest wirewatch.Destination, sch wirewatch.Digest) (time.Time, error) {
	oldest, err := d.db.Pending(dest, 1)
	if err != nil || len(oldest) == 0 {
		return time.Time{}, err
	}
	due := sch.Next(oldest[0].Queued, d.loc)
	if q, _, ok := d.quietOf(dest, d.posters[dest.Kind()]); ok && q.In(due, d.loc) {
		due = q.End(due, d.loc) // a digest is a post at the root: held too
	}
	return due, nil
}

// deliverDigests posts dest's due digest, FoldMax alerts a message; it
// returns false when alerts stay queued after a failure.
func (d *Dispatcher) deliverDigests(ctx context.Context, p wirewatch.Poster, dg wirewatch.Digester, dest wirewatch.Destination, sch wirewatch.Digest) bool {
	for ctx.Err() == nil {
		due, err := d.digestDue(dest, sch)
		if err != nil {
			d.log.Error("read outbox", "to", dest, "err", err)
			return false
		}
		if due.IsZero() || time.Now().Before(due) {
			return true
		}
		pending, err := d.pending(dest, wirewatch.FoldMax)
		if err != nil {
			d.log.Error("read outbox", "to", dest, "err", err)
			return false
		}
		// Alerts queued after the digest came due wait for the next one;
		// an edit of a changed item is not news for a digest.
		var as []wirewatch.Alert
		for _, a := range pending {
			if a.Edit {
				if !d.deliverEdit(ctx, p, a) {
					return false
				}
				continue
			}
			if a.Queued.Before(due) {
				as = append(as, a)
			}
		}
		if len(as) == 0 {
			continue // all edits, or of a muted thread: look again
		}
		if !d.postDigest(ctx, p, dg, as, d.db.MarkFolded, d.db.DeliveredDigest) {
			return false
		}
	}
	return false
}

// postDigest posts as as one digest message and records it: mark saves
// the group before it is posted, done removes it once posted (from the
// outbox for a digest channel, from the held alerts for quiet hours).
func (d *Dispatcher) postDigest(ctx context.Context, p wirewatch.Poster, dg wirewatch.Digester, as []wirewatch.Alert, mark, done func([]wirewatch.Alert) error) bool {
	lead := as[0]
	start := time.Now()
	if lead.InFlight && lead.Fold == lead.ID {
		_, ok, err := p.Delivered(ctx, wirewatch.Thread{To: lead.To}, lead)
		if err != nil {
			return d.failed(ctx, lead, err)
		}
		if ok {
			d.log.Info("digest in flight at the last stop had arrived; not sent again", "to", lead.To, "alerts", len(as))
			return d.digestDone(as, done, start)
		}
	}
	// Saved as a group before it is posted, as a fold is.
	for i := range as {
		as[i].Fold, as[i].InFlight = lead.ID, true
	}
	if err := mark(as); err != nil {
		d.log.Error("record digest", "to", lead.To, "err", err)
		return false
	}
	if err := dg.PostDigest(ctx, as); err != nil {
		return d.failed(ctx, as[0], err)
	}
	return d.digestDone(as, done, start)
}

func (d *Dispatcher) digestDone(as []wirewatch.Alert, done func([]wirewatch.Alert) error, start time.Time) bool {
	if err := done(as); err != nil {
		d.log.Error("record digest", "to", as[0].To, "err", err)
		return false
	}
	took := time.Since(start)
	for _, a := range as {
		d.delivered(a, wirewatch.Thread{Key: a.Thread, To: a.To}, took)
	}
	return true
}
