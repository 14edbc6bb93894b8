package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Folded alerts: several alerts of one thread posted as one message. The
// group is saved before it is posted (every member marked in flight and
// naming its first alert in Fold), so after a crash the same group is
// asked about, and posted again, as one.

// MarkFolded saves the alerts of one destination as given (their Fold and
// InFlight marks), in one transaction.
func (db *DB) MarkFolded(as []wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	err := db.update(func(tx *bolt.Tx) error { return savePending(tx, as...) })
	if err != nil {
		return fmt.Errorf("mark folded %s: %w", as[0].To, err)
	}
	return nil
}

// DeliveredFolded removes the accepted alerts of one folded message from
// the outbox and saves their thread, in one transaction.
func (db *DB) DeliveredFolded(as []wirewatch.Alert, th wirewatch.Thread) error {
	if len(as) == 0 {
		return nil
	}
	a := as[0]
	err := db.update(func(tx *bolt.Tx) error {
		if err := dropPending(tx, as...); err != nil {
			return err
		}
		if err := noteDeps(tx, db.now(), as...); err != nil {
			return err
		}
		return putThreadOf(tx, a, th)
	})
	if err != nil {
		return fmt.Errorf("delivered %d folded alerts to %s: %w", len(as), a.To, err)
	}
	return nil
}

// DeliveredDigest removes the alerts of one posted digest from the outbox,
// in one transaction.
func (db *DB) DeliveredDigest(as []wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	err := db.update(func(tx *bolt.Tx) error {
		if err := dropPending(tx, as...); err != nil {
			return err
		}
		return noteDeps(tx, db.now(), as...)
	})
	if err != nil {
		return fmt.Errorf("delivered a digest of %d alerts to %s: %w", len(as), as[0].To, err)
	}
	return nil
}
