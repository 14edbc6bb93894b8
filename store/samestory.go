package store

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The same-story index (bot/samestory.go, neardup) lives in memory; each
// story it records is saved here too, so that after a restart an outlet
// of a story that alerted before is an "also in" line, not a second post.
// A record's key is the story's time (unix nanoseconds) and an id, so the
// bucket is in time order: the oldest are pruned from the front, and the
// stories load oldest first. Its count is kept in meta (storyCount), so
// bounding it reads no more than it deletes.

var storyCount = []byte("samestory.n")

// Story is one story's record to keep: the time it was first seen, its
// id, and what bot/samestory.go encodes of it.
type Story struct {
	At  time.Time
	ID  uint64
	Rec []byte
}

// SaveStories keeps each of ss in place of what was kept for it before, in
// one transaction (one poll's stories: one commit), then prunes the stories
// older than maxAge and the oldest beyond keep.
func (db *DB) SaveStories(ss []Story, keep int, maxAge time.Duration) error {
	if len(ss) == 0 {
		return nil
	}
	return db.update(func(tx *bolt.Tx) error {
		b, meta := tx.Bucket(bSameStory), tx.Bucket(bMeta)
		n := uint64(0)
		if v := meta.Get(storyCount); len(v) == 8 {
			n = beUint(v)
		}
		for _, st := range ss {
			k := binary.BigEndian.AppendUint64(u64(uint64(st.At.UnixNano())), st.ID)
			if b.Get(k) == nil {
				n++
			}
			if err := b.Put(k, st.Rec); err != nil {
				return err
			}
		}
		limit := uint64(db.now().Add(-maxAge).UnixNano())
		c := b.Cursor()
		for ck, _ := c.First(); ck != nil; ck, _ = c.First() {
			if n <= uint64(max(keep, 1)) && (len(ck) == 16 && beUint(ck) >= limit) {
				break
			}
			if err := c.Delete(); err != nil {
				return err
			}
			if n > 0 { // a count lost with meta: the fresh kept are counted again from here
				n--
			}
		}
		return meta.Put(storyCount, u64(n))
	})
}

// Stories calls fn with each story kept that is at most maxAge old,
// oldest first. rec is valid only during the call.
func (db *DB) Stories(maxAge time.Duration, fn func(at time.Time, rec []byte) error) error {
	limit := u64(uint64(db.now().Add(-maxAge).UnixNano()))
	return db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSameStory).Cursor()
		for k, v := c.Seek(limit); k != nil; k, v = c.Next() {
			if len(k) != 16 {
				continue
			}
			if err := fn(time.Unix(0, int64(beUint(k))), v); err != nil {
				return err
			}
		}
		return nil
	})
}
