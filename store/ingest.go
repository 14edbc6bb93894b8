package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// FeedStates returns the state of every feed polled so far, queued states
// (QueueFeedState) included.
func (db *DB) FeedStates() (map[string]wirewatch.FeedState, error) {
	out := map[string]wirewatch.FeedState{}
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bFeedState).ForEach(func(k, v []byte) error {
			var st wirewatch.FeedState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("feed state %s: %w", k, err)
			}
			out[string(k)] = st
			return nil
		})
	})
	db.overlayQueued(out)
	return out, err
}

// PutFeedState saves the state of feed id (a poll that brought no items).
func (db *DB) PutFeedState(id string, st wirewatch.FeedState) error {
	return db.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bFeedState), []byte(id), st)
	})
}

// Ingested says what Ingest did.
type Ingested struct {
	New    int                           // items not seen before
	Alerts map[wirewatch.Destination]int // alerts queued per destination
}

// Ingest records a poll in one transaction: items not seen before are marked
// seen and kept among the recent items, alertsFor gives the alerts each new
// item makes (it is called inside the transaction: keep it fast and free of
// I/O), they go to the outbox, and the feed's state is saved. With st nil,
// no feed state is written (push sources).
//
// items should come oldest first, so the outbox keeps their order.
func (db *DB) Ingest(feedID string, st *wirewatch.FeedState, items []wirewatch.Item, alertsFor func(it wirewatch.Item) []wirewatch.Alert) (Ingested, error) {
	res := Ingested{Alerts: map[wirewatch.Destination]int{}}
	now := db.now()
	err := db.update(func(tx *bolt.Tx) error {
		res.New = 0
		clear(res.Alerts)
		seen, seenBy, recent := tx.Bucket(bSeen), tx.Bucket(bSeenBy), tx.Bucket(bRecent)
		outbox := tx.Bucket(bOutbox)
		stamp := u64(uint64(now.Unix()))
		for _, it := range items {
			h := hashKey(it.Key())
			if seen.Get(h) != nil {
				continue
			}
			res.New++
			if err := seen.Put(h, stamp); err != nil {
				return err
			}
			if err := seenBy.Put(append(append([]byte{}, stamp...), h...), nil); err != nil {
				return err
			}
			if err := keepRecent(recent, it); err != nil {
				return err
			}
			if alertsFor == nil {
				continue
			}
			for _, a := range alertsFor(it) {
				b, err := outbox.CreateBucketIfNotExists([]byte(a.To))
				if err != nil {
					return err
				}
				n, err := b.NextSequence()
				if err != nil {
					return err
				}
				a.ID, a.Queued = n, now.UTC()
				if err := putJSON(b, u64(n), a); err != nil {
					return err
				}
				res.Alerts[a.To]++
			}
		}
		if st == nil {
			return nil
		}
		db.forgetQueued(feedID) // this state is newer (feedstate.go)
		return putJSON(tx.Bucket(bFeedState), []byte(feedID), st)
	})
	if err != nil {
		return Ingested{}, fmt.Errorf("ingest %s: %w", feedID, err)
	}
	return res, nil
}

// Unseen reports, in one read transaction, which items have not been seen.
func (db *DB) Unseen(items []wirewatch.Item) ([]bool, error) {
	out := make([]bool, len(items))
	err := db.view(func(tx *bolt.Tx) error {
		seen := tx.Bucket(bSeen)
		for i := range items {
			out[i] = seen.Get(hashKey(items[i].Key())) == nil
		}
		return nil
	})
	return out, err
}

func keepRecent(b *bolt.Bucket, it wirewatch.Item) error {
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	if err := putJSON(b, u64(n), it); err != nil {
		return err
	}
	if n > RecentItems {
		return b.Delete(u64(n - RecentItems))
	}
	return nil
}

// Recent returns up to n of the most recently seen items, newest first.
func (db *DB) Recent(n int) ([]wirewatch.Item, error) {
	var out []wirewatch.Item
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRecent).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var it wirewatch.Item
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// pruneBatch bounds one pruning transaction, so the dispatcher and poller
// are not held up behind a long write.
const pruneBatch = 10000

// Prune forgets items first seen before cutoff, walking the time-ordered
// index from its start; freed pages are reused, so the file stops growing
// once retention is reached. It returns how many were forgotten.
func (db *DB) Prune(cutoff time.Time) (int, error) {
	limit := uint64(cutoff.Unix())
	total := 0
	for {
		n := 0
		err := db.update(func(tx *bolt.Tx) error {
			seen, c := tx.Bucket(bSeen), tx.Bucket(bSeenBy).Cursor()
			for k, _ := c.First(); k != nil && n < pruneBatch; k, _ = c.Next() {
				if binary.BigEndian.Uint64(k[:8]) >= limit {
					break
				}
				// The hash may have been seen again later; only drop it from
				// seen if this index entry is the one it points to.
				if v := seen.Get(k[8:]); v != nil && string(v) == string(k[:8]) {
					if err := seen.Delete(k[8:]); err != nil {
						return err
					}
				}
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("prune: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// SeenCount is the number of item keys remembered.
func (db *DB) SeenCount() int {
	var n int
	db.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bSeen).Stats().KeyN
		return nil
	})
	return n
}

func beUint(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
