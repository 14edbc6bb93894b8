package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// queuedStates are feed states waiting for the next group commit
// (FlushFeedStates): one write transaction, and one fsync, for all the polls
// of a few hundred milliseconds that brought no items, instead of one each.
//
// The order of writes stays right without holding the lock during I/O: a
// flush takes its batch inside its write transaction, and Ingest and
// DropFeed drop the feed's queued state inside theirs. bbolt runs one write
// transaction at a time, so a queued state never lands over a newer one
// written with a poll's items, nor brings back a dropped feed.
type queuedStates struct {
	mu  sync.Mutex
	m   map[string]queuedState
	seq uint64
}

type queuedState struct {
	st  wirewatch.FeedState
	seq uint64 // which queueing: a flush removes only what it wrote
}

// QueueFeedState keeps the state of feed id (a poll that brought no items)
// for the next FlushFeedStates. FeedStates sees it at once. A state lost
// in a crash before the flush costs one more conditional GET of that feed
// after the restart: the validators and the seen items that matter were
// written with the items (Ingest).
func (db *DB) QueueFeedState(id string, st wirewatch.FeedState) {
	q := &db.queued
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string]queuedState{}
	}
	q.seq++
	q.m[id] = queuedState{st: st, seq: q.seq}
}

// FlushFeedStates writes the queued feed states in one transaction. On
// failure they stay queued, to be written by the next flush (Close flushes
// too).
func (db *DB) FlushFeedStates() error {
	q := &db.queued
	q.mu.Lock()
	n := len(q.m)
	q.mu.Unlock()
	if n == 0 {
		return nil
	}
	var batch []flushedState
	err := db.update(func(tx *bolt.Tx) error {
		q.mu.Lock()
		batch = make([]flushedState, 0, len(q.m))
		for id, s := range q.m {
			batch = append(batch, flushedState{id, s})
		}
		q.mu.Unlock()
		b := tx.Bucket(bFeedState)
		// The states' JSON goes into one buffer, the same bytes as
		// json.Marshal's without its copy per state: bbolt keeps the values
		// it is given until the commit, and a slice of the buffer keeps
		// pointing at the bytes written even after the buffer grew. bbolt
		// copies keys, so one key buffer serves.
		var buf bytes.Buffer
		buf.Grow(len(batch) * 384)
		enc := json.NewEncoder(&buf)
		var key []byte
		for i := range batch {
			from := buf.Len()
			if err := enc.Encode(&batch[i].s.st); err != nil {
				return err
			}
			key = append(key[:0], batch[i].id...)
			if err := b.Put(key, bytes.TrimSuffix(buf.Bytes()[from:], []byte("\n"))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save %d feed states: %w", len(batch), err)
	}
	q.mu.Lock()
	for _, s := range batch {
		if q.m[s.id].seq == s.s.seq {
			delete(q.m, s.id) // not queued again meanwhile
		}
	}
	q.mu.Unlock()
	return nil
}

// flushedState is a queued state taken by a flush.
type flushedState struct {
	id string
	s  queuedState
}

// forgetQueued drops the queued state of feed id; call it inside the write
// transaction that writes or deletes the feed's state. If that transaction
// fails, the dropped state (older than the one it carried) is lost: one more
// conditional GET.
func (db *DB) forgetQueued(id string) {
	q := &db.queued
	q.mu.Lock()
	delete(q.m, id)
	q.mu.Unlock()
}

// overlayQueued puts the queued states over those read from the file.
func (db *DB) overlayQueued(m map[string]wirewatch.FeedState) {
	q := &db.queued
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, s := range q.m {
		m[id] = s.st
	}
}
