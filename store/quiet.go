package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Quiet hours: what would show at a channel's root during them (a new
// thread's top message, a broadcast copy) is moved out of the outbox into
// bHeld (destination → alert id → heldAlert) and released as one digest
// when they end. Keyed by the outbox id, so an alert is held once. Made by Open
// (a file opened read-only may lack it and reads as holding none).
var bHeld = []byte("held")

type heldAlert struct {
	Alert wirewatch.Alert `json:"alert"`
	At    time.Time       `json:"at"` // when it was held
}

// HoldQuiet moves a from the outbox to dest's held alerts, in one
// transaction.
func (db *DB) HoldQuiet(a wirewatch.Alert, at time.Time) error {
	err := db.update(func(tx *bolt.Tx) error {
		if err := dropPending(tx, a); err != nil {
			return err
		}
		return putHeld(tx, a, at)
	})
	if err != nil {
		return fmt.Errorf("hold %s/%d for quiet hours: %w", a.To, a.ID, err)
	}
	return nil
}

// HoldCopy keeps a copy of a, delivered in its thread without its
// broadcast, for the digest that ends the quiet hours.
func (db *DB) HoldCopy(a wirewatch.Alert, at time.Time) error {
	a.InFlight, a.Tries, a.Fold = false, 0, 0
	err := db.update(func(tx *bolt.Tx) error { return putHeld(tx, a, at) })
	if err != nil {
		return fmt.Errorf("hold a copy of %s/%d for quiet hours: %w", a.To, a.ID, err)
	}
	return nil
}

func putHeld(tx *bolt.Tx, a wirewatch.Alert, at time.Time) error {
	root := tx.Bucket(bHeld) // made by Open
	b, err := root.CreateBucketIfNotExists([]byte(a.To))
	if err != nil {
		return err
	}
	a.InFlight, a.Fold = false, 0
	return putJSON(b, u64(a.ID), heldAlert{Alert: a, At: at.UTC()})
}

// Held returns up to n of dest's held alerts, oldest first, and when the
// oldest was held (zero: none).
func (db *DB) Held(dest wirewatch.Destination, n int) ([]wirewatch.Alert, time.Time, error) {
	var out []wirewatch.Alert
	var since time.Time
	err := db.view(func(tx *bolt.Tx) error {
		b := heldOf(tx, dest)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
			var h heldAlert
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("held %s/%d: %w", dest, beUint(k), err)
			}
			h.Alert.ID = beUint(k)
			if since.IsZero() || h.At.Before(since) {
				since = h.At
			}
			out = append(out, h.Alert)
		}
		return nil
	})
	return out, since, err
}

// HeldSince returns, per destination holding alerts, when the oldest of
// them was held.
func (db *DB) HeldSince() (map[wirewatch.Destination]time.Time, error) {
	out := map[wirewatch.Destination]time.Time{}
	err := db.view(func(tx *bolt.Tx) error {
		root := tx.Bucket(bHeld)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(k []byte) error {
			return root.Bucket(k).ForEach(func(_, v []byte) error {
				var h heldAlert
				if json.Unmarshal(v, &h) != nil {
					return nil
				}
				dest := wirewatch.Destination(k)
				if t, ok := out[dest]; !ok || h.At.Before(t) {
					out[dest] = h.At
				}
				return nil
			})
		})
	})
	return out, err
}

// MarkHeld saves held alerts of one destination as given (their Fold and
// InFlight marks: a release in flight), in one transaction; those already
// released stay gone.
func (db *DB) MarkHeld(as []wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	err := db.update(func(tx *bolt.Tx) error {
		b := heldOf(tx, as[0].To)
		if b == nil {
			return nil
		}
		for _, a := range as {
			v := b.Get(u64(a.ID))
			var h heldAlert
			if v == nil || json.Unmarshal(v, &h) != nil {
				continue
			}
			h.Alert = a
			if err := putJSON(b, u64(a.ID), h); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark held %s: %w", as[0].To, err)
	}
	return nil
}

// Released removes the alerts of one posted release from the held ones, in
// one transaction.
func (db *DB) Released(as []wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	err := db.update(func(tx *bolt.Tx) error { return dropHeld(tx, as...) })
	if err != nil {
		return fmt.Errorf("released %d held alerts to %s: %w", len(as), as[0].To, err)
	}
	return nil
}

func heldOf(tx *bolt.Tx, dest wirewatch.Destination) *bolt.Bucket {
	root := tx.Bucket(bHeld)
	if root == nil {
		return nil
	}
	return root.Bucket([]byte(dest))
}

// dropHeld removes alerts of one destination from its held ones.
func dropHeld(tx *bolt.Tx, as ...wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	return dropIDs(heldOf(tx, as[0].To), as)
}
