package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// bMutes holds the threads muted in a channel: destination + "\x00" +
// thread key → Mute. Apart from the threads bucket, so that a mute outlives
// the thread's record (a deleted top message, a pruned thread): a case
// muted stays muted until someone unmutes it. Made by Open.
var bMutes = []byte("mutes")

// MaxMutes bounds the muted threads of one channel.
const MaxMutes = 500

// Mute is a thread muted in one channel: its alerts there are dropped
// instead of posted.
type Mute struct {
	Key   string                `json:"key"`
	To    wirewatch.Destination `json:"to"`
	Title string                `json:"title"` // the thread's title when muted
	By    string                `json:"by"`
	At    time.Time             `json:"at"`
	// Skipped counts the alerts dropped since; Last is when the latest was.
	Skipped int       `json:"skipped,omitempty"`
	Last    time.Time `json:"last,omitzero"`
}

// Muted reports whether key is muted in dest.
func (db *DB) Muted(dest wirewatch.Destination, key string) (bool, error) {
	m, err := db.MutedAlerts([]wirewatch.Alert{{To: dest, Thread: key}})
	return err == nil && m[0], err
}

// MutedAlerts reports, in one read, which of as have their thread muted in
// their destination.
func (db *DB) MutedAlerts(as []wirewatch.Alert) ([]bool, error) {
	out := make([]bool, len(as))
	err := db.view(func(tx *bolt.Tx) error {
		for i, a := range as {
			out[i] = muted(tx, a)
		}
		return nil
	})
	return out, err
}

// muted tells whether a's thread is muted in its destination.
func muted(tx *bolt.Tx, a wirewatch.Alert) bool {
	b := tx.Bucket(bMutes)
	return b != nil && b.Get(threadKey(a.To, a.Thread)) != nil
}

// MuteThread mutes m.Key in m.To and writes it to the audit trail; muting a
// muted thread again changes nothing. A channel holds at most MaxMutes.
func (db *DB) MuteThread(m Mute) error {
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMutes) // made by Open
		k := threadKey(m.To, m.Key)
		if b.Get(k) != nil {
			return nil
		}
		prefix := threadKey(m.To, "")
		n := 0
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			n++
		}
		if n >= MaxMutes {
			return fmt.Errorf("this channel has %d muted threads, the most it may have; unmute one first (see /watch list)", n)
		}
		if err := putJSON(b, k, m); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: m.At, User: m.By, Action: "thread mute", ID: m.Key, Detail: m.Title, To: string(m.To)})
	})
	if err != nil {
		return fmt.Errorf("mute %s in %s: %w", m.Key, m.To, err)
	}
	return nil
}

// UnmuteThread lifts the mute of key in dest (ErrNotFound when there is
// none) and writes it to the audit trail.
func (db *DB) UnmuteThread(dest wirewatch.Destination, key, by string) (Mute, error) {
	var m Mute
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMutes)
		if b == nil {
			return ErrNotFound
		}
		k := threadKey(dest, key)
		v := b.Get(k)
		if v == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(v, &m); err != nil {
			return err
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: db.now().UTC(), User: by, Action: "thread unmute", ID: key, Detail: m.Title, To: string(dest)})
	})
	return m, err
}

// Mutes lists the threads muted in dest, by key.
func (db *DB) Mutes(dest wirewatch.Destination) ([]Mute, error) {
	var out []Mute
	prefix := threadKey(dest, "")
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMutes)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var m Mute
			if json.Unmarshal(v, &m) == nil {
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

// SkipMuted drops from the outbox the alerts of as (one destination's)
// whose thread is muted there, counting them on the mute, and returns the
// others. Nothing is written when none is muted.
func (db *DB) SkipMuted(as []wirewatch.Alert) ([]wirewatch.Alert, error) {
	if len(as) == 0 {
		return as, nil
	}
	m, err := db.MutedAlerts(as)
	if err != nil || !slices.Contains(m, true) {
		return as, err
	}
	var rest []wirewatch.Alert
	err = db.update(func(tx *bolt.Tx) error {
		rest = rest[:0]
		now := db.now().UTC()
		for _, a := range as {
			if !muted(tx, a) {
				rest = append(rest, a)
				continue
			}
			if err := dropPending(tx, a); err != nil {
				return err
			}
			b := tx.Bucket(bMutes)
			k := threadKey(a.To, a.Thread)
			var m Mute
			if json.Unmarshal(b.Get(k), &m) == nil {
				m.Skipped++
				m.Last = now
				if err := putJSON(b, k, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return as, fmt.Errorf("skip muted alerts: %w", err)
	}
	return rest, nil
}

// PruneMutes forgets the mutes of news threads (a watch's day) that saw no
// alert since cutoff: their day is over and no alert comes to them again.
// A case's mute stays until it is lifted.
func (db *DB) PruneMutes(cutoff time.Time) (int, error) {
	n := 0
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMutes)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var m Mute
			if json.Unmarshal(v, &m) != nil {
				continue
			}
			last := m.At
			if m.Last.After(last) {
				last = m.Last
			}
			if (wirewatch.Thread{Key: m.Key}).Case() || !last.Before(cutoff) {
				continue
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Record writes e to the audit trail on its own: a button press, which
// the trail keeps whether it changed anything or was refused.
func (db *DB) Record(e AuditEntry) error {
	return db.update(func(tx *bolt.Tx) error { return audit(tx, e) })
}
