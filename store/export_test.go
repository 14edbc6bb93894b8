package store

import (
	"encoding/json"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Accessors only the tests need.

// FeedState returns the state of feed id (zero if never polled).
func (db *DB) FeedState(id string) (wirewatch.FeedState, error) {
	var st wirewatch.FeedState
	err := db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bFeedState).Get([]byte(id))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &st)
	})
	return st, err
}

// Seen reports whether an item with this key was seen.
func (db *DB) Seen(it wirewatch.Item) (bool, error) {
	var ok bool
	err := db.view(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bSeen).Get(new(keyer).seen(&it)) != nil
		return nil
	})
	return ok, err
}

// Path is the file's path.
func (db *DB) Path() string { return db.path }

// writtenBefore makes db's file one written before seen and stories keys
// were grouped: it runs put on the file, removes the mark of grouped keys
// and opens the file again (at now), as the new code opens an old file.
func writtenBefore(t *testing.T, db *DB, now func() time.Time, put func(tx *bolt.Tx) error) *DB {
	t.Helper()
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := put(tx); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(metaKeysSince)
	}); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close() })
	return again
}
