package store

import (
	"bytes"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Warnings where people read: a channel depends on the feeds whose alerts
// it got (bDeps: destination \x00 feed id → Dep, written with each
// delivery, pruned with the threads), and what was said of each feed in
// each channel is kept (bNotices: destination \x00 key → Notice), so that
// a warning is posted at most once a day and its recovery note once, across
// restarts. Both made by Open.
var (
	bDeps    = []byte("feeddeps")
	bNotices = []byte("notices")
)

// Dep is a channel's dependency on a feed: its latest alert from it.
type Dep struct {
	To     wirewatch.Destination `json:"to"`
	FeedID string                `json:"feed_id"`
	Source string                `json:"source,omitempty"` // the feed's name in that alert
	Thread string                `json:"thread,omitempty"` // that alert's thread key
	Last   time.Time             `json:"last"`
}

func depKey(to wirewatch.Destination, key string) []byte {
	return []byte(string(to) + "\x00" + key)
}

// noteDeps records that the alerts' channel depends on their feeds.
func noteDeps(tx *bolt.Tx, now time.Time, as ...wirewatch.Alert) error {
	b := tx.Bucket(bDeps) // made by Open
	for _, a := range as {
		if a.FeedID == "" {
			continue
		}
		d := Dep{To: a.To, FeedID: a.FeedID, Source: wirewatch.Clip(a.Source, 200), Thread: a.Thread, Last: now.UTC()}
		if err := putJSON(b, depKey(a.To, a.FeedID), d); err != nil {
			return err
		}
	}
	return nil
}

// Deps returns every channel's feed dependencies.
func (db *DB) Deps() ([]Dep, error) {
	var out []Dep
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDeps)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var d Dep
			if json.Unmarshal(v, &d) == nil {
				out = append(out, d)
			}
			return nil
		})
	})
	return out, err
}

// pruneDeps forgets dependencies whose latest alert is older than cutoff.
func pruneDeps(tx *bolt.Tx, cutoff time.Time) error {
	return pruneBefore(tx, bDeps, cutoff, func(d Dep) time.Time { return d.Last })
}

// pruneBefore deletes from bucket (if there) the JSON records whose time,
// as at tells it, is before cutoff, and those that do not decode.
func pruneBefore[T any](tx *bolt.Tx, bucket []byte, cutoff time.Time, at func(T) time.Time) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var r T
		if json.Unmarshal(v, &r) != nil || at(r).Before(cutoff) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Notice is what was said in a channel about one cause (a feed failing,
// alerts parked): when a warning was last posted, and whether it stands
// (no recovery note yet).
type Notice struct {
	Warned time.Time `json:"warned"`
	Active bool      `json:"active,omitempty"`
}

// Notices returns what was said, by destination and key.
func (db *DB) Notices() (map[wirewatch.Destination]map[string]Notice, error) {
	out := map[wirewatch.Destination]map[string]Notice{}
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bNotices)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			to, key, ok := bytes.Cut(k, []byte{0})
			var n Notice
			if !ok || json.Unmarshal(v, &n) != nil {
				return nil
			}
			dest := wirewatch.Destination(to)
			if out[dest] == nil {
				out[dest] = map[string]Notice{}
			}
			out[dest][string(key)] = n
			return nil
		})
	})
	return out, err
}

// SetNotice records what was said in to about key.
func (db *DB) SetNotice(to wirewatch.Destination, key string, n Notice) error {
	return db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bNotices) // made by Open
		return putJSON(b, depKey(to, key), n)
	})
}
