package store

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// commitGroup lets concurrent Ingest calls share one write transaction: one
// commit, and its two fsyncs, for all the polls that finished while the
// previous commit was being written, instead of one commit each. Nobody
// waits on purpose: the first caller commits at once, alone; the callers
// that arrive while it writes queue, and the first of them commits the
// whole queue next. The more polls end together (seeding, a busy cycle),
// the bigger the groups.
//
// Every caller returns only once its own writes are committed (or failed),
// so what a caller was told is saved is on disk, and a feed is polled again
// only after the transaction with its items, alerts and state committed.
//
// bbolt's DB.Batch does the same after a fixed wait (10 ms by default); the
// poller's 16 workers are too few for that wait to pay.
type commitGroup struct {
	mu      sync.Mutex
	queue   []*groupCall
	leading bool // a caller is committing; the queue waits for it
}

// groupCall is one caller's writes.
type groupCall struct {
	// apply writes the call's part in tx, and hands the items it adds to
	// the recent bucket to recent (written once for the whole transaction).
	// It may run twice (alone after its group failed), each time in a fresh
	// transaction: it must set all it reports anew on each run.
	apply func(tx *bolt.Tx, recent *recentWrites) error
	size  int   // keys it writes, about: bounds a group's transaction
	err   error // set before done is sent
	// done hears false when the call is committed or failed (err), true
	// when it is to commit the queue next.
	done chan bool
}

// maxGroupKeys bounds the keys one group transaction writes, about, so a
// commit stays short enough for the dispatcher's transactions between.
const maxGroupKeys = 20000

// commitGrouped runs apply in a write transaction shared with other callers'
// and returns when that transaction committed (nil) or failed.
func (db *DB) commitGrouped(size int, apply func(tx *bolt.Tx, recent *recentWrites) error) error {
	c := &groupCall{apply: apply, size: size, done: make(chan bool, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.leading {
		g.mu.Unlock()
		if lead := <-c.done; !lead {
			return c.err
		}
		g.mu.Lock()
	}
	g.leading = true
	// c is first in the queue: the queue was empty, or c was woken as its head.
	n, keys := 1, c.size
	for n < len(g.queue) && keys+g.queue[n].size <= maxGroupKeys {
		keys += g.queue[n].size
		n++
	}
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()

	db.commitBatch(batch)

	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- true
	} else {
		g.leading = false
		g.queue = nil // let the old backing array go
	}
	g.mu.Unlock()
	for _, o := range batch[1:] {
		o.done <- false
	}
	return c.err
}

// commitBatch writes the calls of batch in one transaction. If that fails,
// each is tried alone, so one call's failure (a value that cannot be
// written) is its own; a commit that fails (a full disk) fails them all.
func (db *DB) commitBatch(batch []*groupCall) {
	err := db.update(func(tx *bolt.Tx) error { return applyAll(tx, batch) })
	if err == nil || len(batch) == 1 {
		for _, c := range batch {
			c.err = err
		}
		return
	}
	for i, c := range batch {
		c.err = db.update(func(tx *bolt.Tx) error { return applyAll(tx, batch[i:i+1]) })
	}
}

// applyAll writes calls in tx, in order, then the recent items they added.
func applyAll(tx *bolt.Tx, calls []*groupCall) error {
	var recent recentWrites
	for _, c := range calls {
		if err := c.apply(tx, &recent); err != nil {
			return err
		}
	}
	return recent.write(tx.Bucket(bRecent))
}
