package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxHookKey bounds a stored Idempotency-Key (CourtListener's are UUIDs).
const maxHookKey = 200

// SeenHookKey reports whether the webhook Idempotency-Key key was accepted
// at or after since, so a retry of an event already taken, even across a
// restart, is not processed again.
func (db *DB) SeenHookKey(key string, since time.Time) (bool, error) {
	if key == "" || len(key) > maxHookKey {
		return false, nil
	}
	var seen bool
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHookKeys)
		if b == nil { // a file opened read-only, from before the bucket
			return nil
		}
		if v := b.Get([]byte(key)); len(v) == 8 {
			seen = int64(beUint(v)) >= since.Unix()
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("webhook key: %w", err)
	}
	return seen, nil
}

// PutHookKey records that key was accepted at at, and forgets the keys
// accepted before forget (they are past the time a retry may come).
func (db *DB) PutHookKey(key string, at, forget time.Time) error {
	if key == "" || len(key) > maxHookKey {
		return nil
	}
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHookKeys)
		var old [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) != 8 || int64(beUint(v)) < forget.Unix() {
				old = append(old, append([]byte(nil), k...))
			}
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Put([]byte(key), u64(uint64(at.Unix())))
	})
	if err != nil {
		return fmt.Errorf("webhook key: %w", err)
	}
	return nil
}
