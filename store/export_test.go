package store

import (
	"encoding/json"

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
		ok = tx.Bucket(bSeen).Get(hashKey(it.FeedKey())) != nil
		return nil
	})
	return ok, err
}

// Path is the file's path.
func (db *DB) Path() string { return db.path }
