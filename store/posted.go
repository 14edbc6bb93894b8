package store

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// A watch's search feed (watches[].search) brings stories and docket entries
// that other feeds may bring too. Its items are kept apart from the other
// feeds' (Item.FeedKey): an entry first seen in a docket feed, where the
// watch did not match, must still alert the watch when its search finds
// it. So the same story is recognised per destination instead, when its
// alert is queued: each queued alert records its item's story keys (the
// canonical link or docket entry, Item.Key, and the publisher's site with
// the headline, Item.HeadlineKey) for its destination, marked "s" when a
// search brought it and "r" otherwise. An alert is not queued again when
//
//   - it comes from a search and the destination got the story from a
//     search or another feed, or
//   - it comes from another feed and the destination got the story from a
//     search.
//
// Two alerts of ordinary feeds never meet here: their items are one story
// by canonical link already (Ingest), and a headline alone is not enough to
// call two such items one ("Live updates", twice a day). Headlines count for
// headlineWindow, links and docket entries for postedWindow; older records
// are pruned (PrunePosted).
const (
	headlineWindow = 48 * time.Hour
	postedWindow   = 14 * 24 * time.Hour
)

type postedSet struct{ b *bolt.Bucket }

// again says whether the alert of it for to repeats a story to posted
// there (see above); if not, it records the alert's story keys. Called in
// Ingest's transaction, per alert queued.
func (p postedSet) again(it *wirewatch.Item, to wirewatch.Destination, now time.Time) (bool, error) {
	if p.b == nil {
		return false, nil
	}
	mine, seen := "r", []string{"s"}
	if it.SearchFor != "" {
		mine, seen = "s", []string{"s", "r"}
	}
	keys := [2]string{it.Key(), it.HeadlineKey()}
	for i, k := range keys {
		if k == "" {
			continue
		}
		window := postedWindow
		if i == 1 {
			window = headlineWindow
		}
		for _, kind := range seen {
			if v := p.b.Get(postedKey(kind, to, k)); len(v) == 8 && now.Sub(time.Unix(int64(beUint(v)), 0)) < window {
				return true, nil
			}
		}
	}
	stamp := u64(uint64(now.Unix()))
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := p.b.Put(postedKey(mine, to, k), stamp); err != nil {
			return false, err
		}
	}
	return false, nil
}

func postedKey(kind string, to wirewatch.Destination, key string) []byte {
	return hashKey(kind + string(to) + "\x00" + key)
}

// PrunePosted forgets the stories posted longer ago than matters
// (postedWindow) and returns how many records went.
func (db *DB) PrunePosted() (int, error) {
	limit := uint64(db.now().Add(-postedWindow).Unix())
	var old [][]byte
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPosted)
		old = old[:0]
		b.ForEach(func(k, v []byte) error {
			if len(v) != 8 || beUint(v) < limit {
				old = append(old, append([]byte{}, k...))
			}
			return nil
		})
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	return len(old), err
}
