package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// A watch's search feeds (watches[].search) are made from the watch, never
// stored (feeds/search): they live as long as their watch, and only their
// state (feedstate, under wirewatch.SearchFeedID) is kept.

// feedGone says whether feed id was dropped: a runtime feed no longer
// stored, or a search feed whose watch is no longer stored. Feeds of the
// config file, their watches' search feeds included, are never gone.
func feedGone(tx *bolt.Tx, id string) bool {
	if wirewatch.ConfigID(id) {
		return false
	}
	if w := wirewatch.SearchFeedWatch(id); w != "" {
		return tx.Bucket(bWatches).Get([]byte(w)) == nil
	}
	return tx.Bucket(bFeeds).Get([]byte(id)) == nil
}

// dropSearchStates deletes the state of watch id's search feeds, in the
// transaction that drops the watch.
func (db *DB) dropSearchStates(tx *bolt.Tx, watch string) error {
	prefix := []byte(watch + ".")
	var ids [][]byte
	c := tx.Bucket(bFeedState).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if wirewatch.SearchFeedWatch(string(k)) == watch {
			ids = append(ids, append([]byte{}, k...))
		}
	}
	for _, k := range ids {
		db.forgetQueued(string(k))
		if err := tx.Bucket(bFeedState).Delete(k); err != nil {
			return err
		}
	}
	return nil
}
