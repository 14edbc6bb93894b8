package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Pending returns up to n alerts waiting for dest, oldest first.
func (db *DB) Pending(dest wirewatch.Destination, n int) ([]wirewatch.Alert, error) {
	var out []wirewatch.Alert
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox).Bucket([]byte(dest))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(out) < n; k, v = c.Next() {
			var a wirewatch.Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("outbox %s/%d: %w", dest, beUint(k), err)
			}
			a.ID = beUint(k)
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// Depths returns how many alerts wait per destination (destinations with
// none are left out).
func (db *DB) Depths() (map[wirewatch.Destination]int, error) {
	out := map[wirewatch.Destination]int{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bOutbox).ForEachBucket(func(k []byte) error {
			if n := tx.Bucket(bOutbox).Bucket(k).Stats().KeyN; n > 0 {
				out[wirewatch.Destination(k)] = n
			}
			return nil
		})
	})
	return out, err
}

// Retry saves the number of tries of a pending alert.
func (db *DB) Retry(a wirewatch.Alert) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox).Bucket([]byte(a.To))
		if b == nil || b.Get(u64(a.ID)) == nil {
			return nil
		}
		return putJSON(b, u64(a.ID), a)
	})
}

// Delivered removes an accepted alert from the outbox and saves its thread,
// in one transaction.
func (db *DB) Delivered(a wirewatch.Alert, th wirewatch.Thread) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bOutbox).Bucket([]byte(a.To)); b != nil {
			if err := b.Delete(u64(a.ID)); err != nil {
				return err
			}
		}
		th.Key, th.To = a.Thread, a.To
		return putJSON(tx.Bucket(bThreads), threadKey(a.To, a.Thread), th)
	})
	if err != nil {
		return fmt.Errorf("delivered %s/%d: %w", a.To, a.ID, err)
	}
	return nil
}

// Parked is an alert its destination refused for good.
type Parked struct {
	Alert  wirewatch.Alert `json:"alert"`
	Reason string          `json:"reason"`
	At     time.Time       `json:"at"`
}

// Park moves an alert from the outbox to the parked alerts with the reason.
func (db *DB) Park(a wirewatch.Alert, reason string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bOutbox).Bucket([]byte(a.To)); b != nil {
			if err := b.Delete(u64(a.ID)); err != nil {
				return err
			}
		}
		p, err := tx.Bucket(bParked).CreateBucketIfNotExists([]byte(a.To))
		if err != nil {
			return err
		}
		n, err := p.NextSequence()
		if err != nil {
			return err
		}
		return putJSON(p, u64(n), Parked{Alert: a, Reason: reason, At: db.now().UTC()})
	})
	if err != nil {
		return fmt.Errorf("park %s/%d: %w", a.To, a.ID, err)
	}
	return nil
}

// ParkedSummary is what status shows of a destination's parked alerts.
type ParkedSummary struct {
	Count      int
	LastReason string
	LastAt     time.Time
}

// ParkedAlerts summarizes the parked alerts per destination.
func (db *DB) ParkedAlerts() (map[wirewatch.Destination]ParkedSummary, error) {
	out := map[wirewatch.Destination]ParkedSummary{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bParked).ForEachBucket(func(k []byte) error {
			b := tx.Bucket(bParked).Bucket(k)
			s := ParkedSummary{Count: b.Stats().KeyN}
			if _, v := b.Cursor().Last(); v != nil {
				var p Parked
				if err := json.Unmarshal(v, &p); err == nil {
					s.LastReason, s.LastAt = p.Reason, p.At
				}
			}
			if s.Count > 0 {
				out[wirewatch.Destination(k)] = s
			}
			return nil
		})
	})
	return out, err
}

// Requeue moves dest's parked alerts back to its outbox (after the cause was
// fixed: the bot invited to the channel, a token renewed). It returns how
// many.
func (db *DB) Requeue(dest wirewatch.Destination) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		p := tx.Bucket(bParked).Bucket([]byte(dest))
		if p == nil {
			return nil
		}
		o, err := tx.Bucket(bOutbox).CreateBucketIfNotExists([]byte(dest))
		if err != nil {
			return err
		}
		var all []Parked
		if err := p.ForEach(func(_, v []byte) error {
			var pk Parked
			if err := json.Unmarshal(v, &pk); err != nil {
				return err
			}
			all = append(all, pk)
			return nil
		}); err != nil {
			return err
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].Alert.Queued.Before(all[j].Alert.Queued) })
		for _, pk := range all {
			seq, err := o.NextSequence()
			if err != nil {
				return err
			}
			pk.Alert.ID, pk.Alert.Tries = seq, 0
			if err := putJSON(o, u64(seq), pk.Alert); err != nil {
				return err
			}
			n++
		}
		return tx.Bucket(bParked).DeleteBucket([]byte(dest))
	})
	return n, err
}

func threadKey(d wirewatch.Destination, key string) []byte {
	return []byte(string(d) + "\x00" + key)
}

// Thread returns the thread of key in dest (zero Thread if none yet).
func (db *DB) Thread(dest wirewatch.Destination, key string) (wirewatch.Thread, error) {
	th := wirewatch.Thread{Key: key, To: dest}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bThreads).Get(threadKey(dest, key))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &th)
	})
	return th, err
}

// PruneThreads forgets threads not updated since cutoff: a news thread is
// per day, so old ones are never posted to again.
func (db *DB) PruneThreads(cutoff time.Time) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bThreads).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var th wirewatch.Thread
			if json.Unmarshal(v, &th) == nil && th.Updated.Before(cutoff) {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
