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
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox).Bucket([]byte(as[0].To))
		if b == nil {
			return nil
		}
		for _, a := range as {
			if b.Get(u64(a.ID)) == nil {
				continue
			}
			if err := putJSON(b, u64(a.ID), a); err != nil {
				return err
			}
		}
		return nil
	})
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
		if b := tx.Bucket(bOutbox).Bucket([]byte(a.To)); b != nil {
			for _, m := range as {
				if err := b.Delete(u64(m.ID)); err != nil {
					return err
				}
			}
		}
		th.Key, th.To = a.Thread, a.To
		return putJSON(tx.Bucket(bThreads), threadKey(a.To, a.Thread), th)
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
		b := tx.Bucket(bOutbox).Bucket([]byte(as[0].To))
		if b == nil {
			return nil
		}
		for _, a := range as {
			if err := b.Delete(u64(a.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delivered a digest of %d alerts to %s: %w", len(as), as[0].To, err)
	}
	return nil
}
