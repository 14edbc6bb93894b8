package store

import (
	"bytes"
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
	err := db.view(func(tx *bolt.Tx) error {
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
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bOutbox).ForEachBucket(func(k []byte) error {
			if n := tx.Bucket(bOutbox).Bucket(k).Stats().KeyN; n > 0 {
				out[wirewatch.Destination(k)] = n
			}
			return nil
		})
	})
	return out, err
}

// MarkInFlight records, before a send, that a's outcome is not known yet:
// after a crash the dispatcher asks the platform whether it arrived instead
// of posting it again.
func (db *DB) MarkInFlight(a wirewatch.Alert) error {
	a.InFlight = true
	return db.Retry(a)
}

// Retry saves a pending alert as given: its tries and in-flight mark.
func (db *DB) Retry(a wirewatch.Alert) error {
	return db.update(func(tx *bolt.Tx) error { return savePending(tx, a) })
}

// savePending saves alerts of one destination that are still in its outbox
// as given; those already gone (delivered, parked) stay gone.
func savePending(tx *bolt.Tx, as ...wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
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
}

// dropPending removes alerts of one destination from its outbox.
func dropPending(tx *bolt.Tx, as ...wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	return dropIDs(tx.Bucket(bOutbox).Bucket([]byte(as[0].To)), as)
}

// dropIDs deletes the alerts as from b, a destination's bucket of alerts
// by id (nil: it has none).
func dropIDs(b *bolt.Bucket, as []wirewatch.Alert) error {
	if b == nil {
		return nil
	}
	for _, a := range as {
		if err := b.Delete(u64(a.ID)); err != nil {
			return err
		}
	}
	return nil
}

// putThreadOf saves th as the thread of a (its key and destination).
func putThreadOf(tx *bolt.Tx, a wirewatch.Alert, th wirewatch.Thread) error {
	th.Key, th.To = a.Thread, a.To
	return putJSON(tx.Bucket(bThreads), threadKey(a.To, a.Thread), th)
}

// Delivered removes an accepted alert from the outbox and saves its thread,
// in one transaction.
func (db *DB) Delivered(a wirewatch.Alert, th wirewatch.Thread) error {
	err := db.update(func(tx *bolt.Tx) error {
		if err := dropPending(tx, a); err != nil {
			return err
		}
		if err := noteDeps(tx, db.now(), a); err != nil {
			return err
		}
		if err := putMessage(tx, db.now(), a); err != nil {
			return err
		}
		return putThreadOf(tx, a, th)
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
	err := db.update(func(tx *bolt.Tx) error {
		// A held alert whose release its channel refused parks too.
		if err := dropPending(tx, a); err != nil {
			return err
		}
		if err := dropHeld(tx, a); err != nil {
			return err
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
	err := db.view(func(tx *bolt.Tx) error {
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
	err := db.update(func(tx *bolt.Tx) error {
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
	err := db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bThreads).Get(threadKey(dest, key))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &th)
	})
	return th, err
}

// PruneThreads forgets threads not updated since cutoff: a news thread is
// per day, so old ones are never posted to again; and channels' feed
// dependencies whose latest alert is older.
func (db *DB) PruneThreads(cutoff time.Time) (int, error) {
	n := 0
	err := db.update(func(tx *bolt.Tx) error {
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
		if err := pruneMessages(tx, cutoff); err != nil {
			return err
		}
		return pruneDeps(tx, cutoff)
	})
	return n, err
}

// SaveThread saves th as it stands, e.g. a thread whose top message is
// posted but not yet opened as a thread (TopRef set, Ref empty), so that a
// restart opens it instead of posting the top again.
func (db *DB) SaveThread(th wirewatch.Thread) error {
	return db.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bThreads), threadKey(th.To, th.Key), th)
	})
}

// DirtyThreads returns dest's threads whose top message waits for an edit.
func (db *DB) DirtyThreads(dest wirewatch.Destination) ([]wirewatch.Thread, error) {
	var out []wirewatch.Thread
	prefix := threadKey(dest, "")
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bThreads).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var th wirewatch.Thread
			if err := json.Unmarshal(v, &th); err != nil {
				return fmt.Errorf("thread %q: %w", k, err)
			}
			if th.TopDirty && th.TopRef != "" {
				out = append(out, th)
			}
		}
		return nil
	})
	return out, err
}

// DirtyDestinations lists the destinations with a thread whose top message
// waits for an edit (after a restart).
func (db *DB) DirtyDestinations() ([]wirewatch.Destination, error) {
	seen := map[wirewatch.Destination]bool{}
	var out []wirewatch.Destination
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bThreads).ForEach(func(_, v []byte) error {
			var th wirewatch.Thread
			if json.Unmarshal(v, &th) == nil && th.TopDirty && th.TopRef != "" && !seen[th.To] {
				seen[th.To] = true
				out = append(out, th.To)
			}
			return nil
		})
	})
	return out, err
}

// sameState tells whether the stored thread still is the one an edit or a
// check was made from.
func sameState(a, b wirewatch.Thread) bool {
	return a.Ref == b.Ref && a.TopRef == b.TopRef && a.Count == b.Count && a.Posted == b.Posted && a.Latest == b.Latest
}

// TopEdited records that th's top message now shows th: it is clean unless
// the thread changed meanwhile (then the next edit shows the change).
func (db *DB) TopEdited(th wirewatch.Thread) error {
	return db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bThreads)
		k := threadKey(th.To, th.Key)
		var cur wirewatch.Thread
		v := b.Get(k)
		if v == nil || json.Unmarshal(v, &cur) != nil || !sameState(cur, th) || !cur.TopDirty {
			return nil
		}
		cur.TopDirty = false
		return putJSON(b, k, cur)
	})
}

// ThreadGone forgets th's platform references (its top message was
// deleted), unless the thread was started anew meanwhile: the next alert
// starts it again. The title and key stay.
func (db *DB) ThreadGone(th wirewatch.Thread) error {
	return db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bThreads)
		k := threadKey(th.To, th.Key)
		var cur wirewatch.Thread
		v := b.Get(k)
		if v == nil || json.Unmarshal(v, &cur) != nil || cur.Ref != th.Ref || cur.TopRef != th.TopRef {
			return nil
		}
		return putJSON(b, k, wirewatch.Thread{Key: cur.Key, To: cur.To, Title: cur.Title, Updated: cur.Updated})
	})
}

// Hold is a delivery stopped for a cause people fix: a platform refusing
// its token (Key is the kind, "slack"), or a channel refusing the bot for
// now (Key is the destination).
type Hold struct {
	Key    string    `json:"key"`
	Reason string    `json:"reason"`
	Since  time.Time `json:"since"`
	Auth   bool      `json:"auth,omitempty"`
}

func holdKey(key string) []byte { return []byte("hold\x00" + key) }

// SetHold records h, keeping the time of an earlier hold with the same key.
func (db *DB) SetHold(h Hold) (Hold, error) {
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMeta)
		var old Hold
		if v := b.Get(holdKey(h.Key)); v != nil && json.Unmarshal(v, &old) == nil && !old.Since.IsZero() {
			h.Since = old.Since
		}
		return putJSON(b, holdKey(h.Key), h)
	})
	return h, err
}

// ClearHold forgets the hold of key.
func (db *DB) ClearHold(key string) error {
	return db.update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete(holdKey(key)) })
}

// Holds returns every recorded hold, by key.
func (db *DB) Holds() (map[string]Hold, error) {
	out := map[string]Hold{}
	prefix := holdKey("")
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bMeta).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var h Hold
			if json.Unmarshal(v, &h) == nil {
				out[h.Key] = h
			}
		}
		return nil
	})
	return out, err
}
