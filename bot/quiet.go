package bot

import (
	"context"
	"errors"
	"time"

	"github.com/wirewatch/wirewatch"
)

// Quiet hours: while a channel's quiet hours last, what would show at its
// root is held: an alert that would start a thread is moved out of the
// outbox into the store's held alerts, and a reply that would be
// broadcast is posted in its thread only, with a copy held. Replies in
// threads already open go as usual. When the hours end the held alerts
// are posted as one digest (FoldMax a message); a release due while the
// process was down goes out at the next start.

// errQuietHeld: the alert left the outbox to wait for the quiet hours'
// end (not a failure).
var errQuietHeld = errors.New("held for the channel's quiet hours")

// quietOf returns dest's quiet hours (the config file's, else those set
// from chat), if its Poster can post the digest that releases them.
func (d *Dispatcher) quietOf(dest wirewatch.Destination, p wirewatch.Poster) (wirewatch.Quiet, wirewatch.Digester, bool) {
	dg, ok := p.(wirewatch.Digester)
	if !ok {
		return wirewatch.Quiet{}, nil, false
	}
	if fp, ok := p.(flatPoster); ok && fp.Flat() {
		return wirewatch.Quiet{}, nil, false
	}
	q, ok := d.quiet[dest]
	if !ok {
		set, err := d.db.ChannelQuietOf(dest)
		if err != nil {
			return wirewatch.Quiet{}, nil, false
		}
		if q, ok, err = wirewatch.ParseQuiet(set); err != nil || !ok {
			return wirewatch.Quiet{}, nil, false
		}
	}
	return q, dg, true
}

// quietNow tells whether dest is in its quiet hours at now.
func (d *Dispatcher) quietNow(dest wirewatch.Destination, p wirewatch.Poster, now time.Time) bool {
	q, _, ok := d.quietOf(dest, p)
	return ok && q.In(now, d.loc)
}

// releaseDue returns when dest's held alerts, the oldest held at since,
// are released: when the quiet hours that held them end, or at once when
// the channel has none any more.
func (d *Dispatcher) releaseDue(dest wirewatch.Destination, p wirewatch.Poster, since time.Time) time.Time {
	q, _, ok := d.quietOf(dest, p)
	if !ok || since.IsZero() {
		return since
	}
	if !q.In(since, d.loc) {
		// Held just before the hours ended (or they were changed since):
		// released as soon as the channel is not quiet.
		if !q.In(time.Now(), d.loc) {
			return since
		}
		return q.End(time.Now(), d.loc)
	}
	return q.End(since, d.loc)
}

// releasesDue lists the destinations whose held alerts are due now.
func (d *Dispatcher) releasesDue() map[wirewatch.Destination]bool {
	held, err := d.db.HeldSince()
	if err != nil {
		d.log.Error("read held alerts", "err", err)
		return nil
	}
	out := map[wirewatch.Destination]bool{}
	now := time.Now()
	for dest, since := range held {
		p := d.posters[dest.Kind()]
		if p == nil {
			continue
		}
		if !now.Before(d.releaseDue(dest, p, since)) {
			out[dest] = true
		}
	}
	return out
}

// release posts dest's held alerts as digests once they are due; it
// returns false when some stay held after a failure.
func (d *Dispatcher) release(ctx context.Context, p wirewatch.Poster, dest wirewatch.Destination) bool {
	for ctx.Err() == nil {
		as, since, err := d.db.Held(dest, wirewatch.FoldMax)
		if err != nil {
			d.log.Error("read held alerts", "to", dest, "err", err)
			return false
		}
		if len(as) == 0 || time.Now().Before(d.releaseDue(dest, p, since)) {
			return true
		}
		if as = d.unmutedHeld(as); len(as) == 0 {
			continue // all of threads muted since: look again
		}
		dg, ok := p.(wirewatch.Digester)
		if !ok {
			return true
		}
		if !d.postDigest(ctx, p, dg, as, d.db.MarkHeld, d.db.Released) {
			return false
		}
		d.log.Info("quiet hours over: held alerts posted as one digest", "to", dest, "alerts", len(as))
	}
	return false
}

// holdQuiet moves a out of the outbox until dest's quiet hours end.
func (d *Dispatcher) holdQuiet(a wirewatch.Alert, now time.Time) error {
	if err := d.db.HoldQuiet(a, now); err != nil {
		return err
	}
	return errQuietHeld
}
