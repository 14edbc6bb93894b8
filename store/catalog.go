package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// AddWatch saves a runtime watch, giving it a new id ("w" and a number), and
// records who added it.
func (db *DB) AddWatch(w wirewatch.Watch) (wirewatch.Watch, error) {
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bWatches)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		w.ID = "w" + strconv.FormatUint(n, 10)
		if w.AddedAt.IsZero() {
			w.AddedAt = db.now().UTC()
		}
		if err := putJSON(b, []byte(w.ID), w); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: w.AddedAt, User: w.AddedBy, Action: "watch add", ID: w.ID, Detail: w.Query, To: joinDest(w.To)})
	})
	if err != nil {
		return wirewatch.Watch{}, fmt.Errorf("add watch: %w", err)
	}
	return w, nil
}

// Watches returns the runtime watches, oldest first.
func (db *DB) Watches() ([]wirewatch.Watch, error) {
	return readCatalog(db, bWatches, "watch", func(w wirewatch.Watch) string { return w.ID })
}

// readCatalog reads every record of a catalog bucket (watches, feeds),
// oldest id first; kind names a damaged record in the error.
func readCatalog[T any](db *DB, bucket []byte, kind string, id func(T) string) ([]T, error) {
	var out []T
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var rec T
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%s %s: %w", kind, k, err)
			}
			out = append(out, rec)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return wirewatch.IDLess(id(out[i]), id(out[j])) })
	return out, err
}

// DropWatch removes a runtime watch and records who dropped it. keep, when
// not nil, may refuse the drop (a watch of another channel) by returning an
// error, which DropWatch returns.
func (db *DB) DropWatch(id, by string, keep func(wirewatch.Watch) error) (wirewatch.Watch, error) {
	var w wirewatch.Watch
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bWatches)
		var err error
		if w, err = getWatch(b, id); err != nil {
			return err
		}
		if keep != nil {
			if err := keep(w); err != nil {
				return err
			}
		}
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
		if err := db.dropSearchStates(tx, id); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: db.now().UTC(), User: by, Action: "watch drop", ID: id, Detail: w.Query, To: joinDest(w.To)})
	})
	return w, err
}

// getWatch reads watch id from the watches bucket, or ErrNotFound.
func getWatch(b *bolt.Bucket, id string) (wirewatch.Watch, error) {
	var w wirewatch.Watch
	v := b.Get([]byte(id))
	if v == nil {
		return w, ErrNotFound
	}
	err := json.Unmarshal(v, &w)
	return w, err
}

// UpdateWatch changes a runtime watch in place and records it in the audit
// trail under action ("watch alias"). change gets the watch as stored; it
// edits it and returns the audit detail, or an error (a watch of another
// channel, an alias it has already), which UpdateWatch returns unchanged.
// The id and the time it was added are kept whatever change does.
func (db *DB) UpdateWatch(id, by, action string, change func(w *wirewatch.Watch) (string, error)) (wirewatch.Watch, error) {
	var w wirewatch.Watch
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bWatches)
		var err error
		if w, err = getWatch(b, id); err != nil {
			return err
		}
		kept, at := w.ID, w.AddedAt
		detail, err := change(&w)
		if err != nil {
			return err
		}
		w.ID, w.AddedAt = kept, at
		if err := putJSON(b, []byte(id), w); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: db.now().UTC(), User: by, Action: action, ID: id, Detail: detail, To: joinDest(w.To)})
	})
	return w, err
}

// AddFeed saves a runtime feed with a new id ("f" and a number).
func (db *DB) AddFeed(f wirewatch.Feed) (wirewatch.Feed, error) {
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bFeeds)
		var dup error
		b.ForEach(func(_, v []byte) error {
			var old wirewatch.Feed
			if json.Unmarshal(v, &old) == nil && old.URL == f.URL {
				dup = fmt.Errorf("%s is already feed %s", f.URL, old.ID)
			}
			return nil
		})
		if dup != nil {
			return dup
		}
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		f.ID = "f" + strconv.FormatUint(n, 10)
		if f.AddedAt.IsZero() {
			f.AddedAt = db.now().UTC()
		}
		if err := putJSON(b, []byte(f.ID), f); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: f.AddedAt, User: f.AddedBy, Action: "feed add", ID: f.ID, Detail: f.URL})
	})
	if err != nil {
		return wirewatch.Feed{}, fmt.Errorf("add feed: %w", err)
	}
	return f, nil
}

// Feeds returns the runtime feeds, oldest first.
func (db *DB) Feeds() ([]wirewatch.Feed, error) {
	return readCatalog(db, bFeeds, "feed", func(f wirewatch.Feed) string { return f.ID })
}

// DropFeed removes a runtime feed and its state, and records who dropped it.
func (db *DB) DropFeed(id, by string) (wirewatch.Feed, error) {
	var f wirewatch.Feed
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bFeeds)
		v := b.Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(v, &f); err != nil {
			return err
		}
		if err := b.Delete([]byte(id)); err != nil {
			return err
		}
		db.forgetQueued(id)
		if err := tx.Bucket(bFeedState).Delete([]byte(id)); err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: db.now().UTC(), User: by, Action: "feed drop", ID: id, Detail: f.URL})
	})
	return f, err
}

// AuditEntry records one change made from chat or the shell.
type AuditEntry struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"` // "watch add", "watch drop", "watch alias", "feed add", "feed drop"
	ID     string    `json:"id"`
	Detail string    `json:"detail"` // the query or URL
	To     string    `json:"to,omitempty"`
}

func audit(tx *bolt.Tx, e AuditEntry) error {
	b := tx.Bucket(bAudit)
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	if err := putJSON(b, u64(n), e); err != nil {
		return err
	}
	// Keep the trail bounded: drop the oldest entries past maxAudit.
	if n > maxAudit {
		c := b.Cursor()
		for k, _ := c.First(); len(k) == 8 && beUint(k) <= n-maxAudit; k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Audit returns the last n audit entries, oldest first.
func (db *DB) Audit(n int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bAudit).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

func joinDest(ds []wirewatch.Destination) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ",")
}
