package bot

import (
	"github.com/wirewatch/wirewatch"
)

// pending reads up to n of dest's queued alerts, as store.Pending, leaving
// out (and dropping from the outbox) those of threads muted in dest: a mute
// is thread state, kept in the store, and the dispatcher posts nothing in
// a muted thread, whichever way it would post (alone, folded, in a
// digest). It returns none only when the outbox is empty. A failure to
// read the mutes is logged and the alerts are posted: better a muted
// thread's post than a lost alert.
func (d *Dispatcher) pending(dest wirewatch.Destination, n int) ([]wirewatch.Alert, error) {
	for {
		as, err := d.db.Pending(dest, n)
		if err != nil || len(as) == 0 {
			return as, err
		}
		rest, err := d.db.SkipMuted(as)
		if err != nil {
			d.log.Error("read muted threads; posting", "to", dest, "err", err)
			return as, nil
		}
		if skipped := len(as) - len(rest); skipped > 0 {
			d.log.Info("alerts of muted threads dropped", "to", dest, "count", skipped)
		}
		if len(rest) > 0 {
			return rest, nil
		}
	}
}

// unmutedHeld leaves out of as (alerts held for quiet hours) those of
// threads muted since they were held, dropping them: the release's digest
// posts nothing of a muted thread either. On a store failure as is posted
// whole.
func (d *Dispatcher) unmutedHeld(as []wirewatch.Alert) []wirewatch.Alert {
	m, err := d.db.MutedAlerts(as)
	if err != nil {
		d.log.Error("read muted threads; posting", "err", err)
		return as
	}
	var rest, muted []wirewatch.Alert
	for i, a := range as {
		if m[i] {
			muted = append(muted, a)
		} else {
			rest = append(rest, a)
		}
	}
	if len(muted) > 0 {
		if err := d.db.Released(muted); err != nil {
			d.log.Error("drop held alerts of muted threads; posting", "to", as[0].To, "err", err)
			return as
		}
		d.log.Info("held alerts of muted threads dropped", "to", as[0].To, "count", len(muted))
	}
	return rest
}
