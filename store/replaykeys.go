package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxReplayKey bounds a stored replay key (prefix + sha256 hex).
const maxReplayKey = 100

// maxReplayKeys bounds the bucket: keys live minutes, and only validly
// signed commands make them, so this is far above what a window holds.
const maxReplayKeys = 10000

// ReplayKeys keeps the signed chat commands already run, under one
// platform's prefix, so that a replay within the signature window is
// refused even after a restart. It implements replay.Store.
type ReplayKeys struct {
	db     *DB
	prefix string
}

// ReplayKeys returns the replay keys of one platform ("slack:", "discord:").
func (db *DB) ReplayKeys(prefix string) ReplayKeys {
	return ReplayKeys{db: db, prefix: prefix}
}

// Seen reports whether key was put with an expiry after now.
func (r ReplayKeys) Seen(key string, now time.Time) (bool, error) {
	k := r.prefix + key
	if key == "" || len(k) > maxReplayKey {
		return false, nil
	}
	var seen bool
	err := r.db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bReplay)
		if b == nil { // a file opened read-only, from before the bucket
			return nil
		}
		if v := b.Get([]byte(k)); len(v) == 8 {
			seen = now.Unix() < int64(beUint(v))
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("replay key: %w", err)
	}
	return seen, nil
}

// Put remembers key until expires (rounded up to the second), and forgets
// the keys already expired.
func (r ReplayKeys) Put(key string, expires time.Time) error {
	k := r.prefix + key
	if key == "" || len(k) > maxReplayKey {
		return nil
	}
	until := expires.Unix()
	if expires.After(time.Unix(until, 0)) {
		until++
	}
	now := time.Now().Unix()
	err := r.db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bReplay)
		if b == nil {
			return errors.New("no replaykeys bucket")
		}
		var old [][]byte
		n := 0
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			n++
			if len(v) != 8 || int64(beUint(v)) <= now {
				old = append(old, append([]byte(nil), k...))
			}
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if n-len(old) >= maxReplayKeys {
			return fmt.Errorf("%d unexpired keys held", n-len(old))
		}
		return b.Put([]byte(k), u64(uint64(until)))
	})
	if err != nil {
		return fmt.Errorf("replay key: %w", err)
	}
	return nil
}
