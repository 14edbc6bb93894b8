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
