// Package store keeps wirewatch's state in one bbolt file.
//
// Buckets, all created when the file is opened:
//
//	feeds      id → runtime feed (JSON); feeds of the config file are not here
//	feedstate  feed id → FeedState (JSON): validators, schedule, errors
//	watches    id → runtime watch (JSON)
//	seen       hash of Item.FeedKey, grouped by feed (seenkeys.go) → 8-byte big-endian
//	           unix seconds first seen, 8-byte hash of its content and a byte counting
//	           its edits (edits.go; older values are the 8-byte seconds alone; older
//	           files hold whole hashes of Item.FeedKey, and before FeedKey of
//	           Item.Key, here too)
//	stories    hash of Item.Key of a linked news item, grouped by host → 8-byte unix
//	           seconds + the feed id, "\x00", the item id of the first item seen with it
//	seenby     8-byte unix seconds + hash → nothing (seen), or "s" (stories): both
//	           sets in time order, so retention prunes from the front instead of scanning
//	outbox     one nested bucket per destination: 8-byte sequence → Alert (JSON)
//	parked     one nested bucket per destination: 8-byte sequence → Parked (JSON)
//	threads    destination + "\x00" + thread key → Thread (JSON)
//	recent     8-byte sequence → Item (JSON), the last RecentItems items seen
//	audit      8-byte sequence → AuditEntry (JSON), who added and dropped what
//	hookkeys   webhook Idempotency-Key → 8-byte unix seconds it was accepted
//	replaykeys chat platform prefix + hash of a signed command → 8-byte unix
//	           seconds until which a replay of it is refused
//	posted     16-byte hash of "s" or "r", destination and a story key → 8-byte
//	           unix seconds: stories posted per channel, from a search or not (posted.go)
//	pendingarticles hash of Item.FeedKey → PendingArticle (JSON): an item seen
//	           whose alerts wait for its linked page (pending.go)
//	samestory  8-byte unix nanoseconds + 8-byte id → a story of the same-story index
//	           (bot's encoding), kept across restarts (samestory.go)
//
// An item is marked seen and its alerts written to the outbox in the same
// transaction, so a crash loses neither. An alert leaves the outbox only when
// its destination accepted it (Delivered) or refused it for good (Park).
// Values are copied out of transactions before they end.
package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	bFeeds     = []byte("feeds")
	bFeedState = []byte("feedstate")
	bWatches   = []byte("watches")
	bSeen      = []byte("seen")
	bSeenBy    = []byte("seenby")
	bStories   = []byte("stories")
	bOutbox    = []byte("outbox")
	bParked    = []byte("parked")
	bThreads   = []byte("threads")
	bRecent    = []byte("recent")
	bAudit     = []byte("audit")
	bMeta      = []byte("meta")
	bHookKeys  = []byte("hookkeys")
	bReplay    = []byte("replaykeys")
	bPosted    = []byte("posted")
	bPending   = []byte("pendingarticles")
	bSameStory = []byte("samestory")

	allBuckets = [][]byte{bFeeds, bFeedState, bWatches, bSeen, bSeenBy, bStories, bOutbox, bParked, bThreads, bRecent, bAudit, bMeta, bHookKeys, bReplay, bPosted, bPending, bSameStory,
		bChannels, bMessages, bLinks, bMutes, bHeld, bDeps, bNotices}
)

// RecentItems is how many recently seen items are kept for "/watch test".
const RecentItems = 500

// maxAudit bounds the audit trail.
const maxAudit = 10000

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("store is in use by another process")

// ErrNotFound is returned for an unknown feed or watch id.
var ErrNotFound = errors.New("not found")

// ErrDamaged is returned when bbolt panicked reading or writing the file:
// its pages are corrupt (a disk fault, a copy taken mid-write). Every
// transaction goes through view or update, which turn that panic into this
// error, so a damaged file stops the daemon with a message instead of a
// stack trace.
var ErrDamaged = errors.New("store file is damaged")

// bboltCheck is the command that reports what is wrong with a bbolt file;
// its version is the one go.mod requires.
const bboltCheck = "go run go.etcd.io/bbolt/cmd/bbolt@v1.5.0 check"

// damaged is the error for a panic p from bbolt on the file at path.
func damaged(path string, p any) error {
	return fmt.Errorf("store %s: %w (%v): stop wirewatch, then run `%s %s` to see what is wrong, and restore the file from a backup (or move it aside to start with an empty store)",
		path, ErrDamaged, p, bboltCheck, path)
}

// guard runs fn, turning a panic (or, with SetPanicOnFault, a fault on the
// memory-mapped file, as when it was truncated under us) into ErrDamaged.
// bbolt rolls back a transaction that panics before the panic leaves View
// or Update, so the DB stays usable for other calls.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = damaged(path, p)
		}
	}()
	return fn()
}

// view runs fn in a read transaction; a panic from bbolt is ErrDamaged. All
// store code uses view and update, never db.bolt.View/Update directly.
// Once the file was found damaged, both refuse at once: the transaction
// that panicked may have left bbolt's locks held, and what it found holds
// for the whole file.
func (db *DB) view(fn func(*bolt.Tx) error) error {
	if err := db.Err(); err != nil {
		return err
	}
	return db.noted(guard(db.path, func() error { return db.bolt.View(fn) }))
}

// update runs fn in a write transaction; a panic from bbolt is ErrDamaged.
func (db *DB) update(fn func(*bolt.Tx) error) error {
	if err := db.Err(); err != nil {
		return err
	}
	return db.noted(guard(db.path, func() error { return db.bolt.Update(fn) }))
}

// noted returns err, first recording it if it is the first ErrDamaged.
func (db *DB) noted(err error) error {
	if errors.Is(err, ErrDamaged) {
		db.damagedOnce.Do(func() {
			db.damagedErr = err
			close(db.damaged)
		})
	}
	return err
}

// Damaged is closed once a transaction has found the file damaged, so the
// daemon can stop with Err instead of failing every poll the same way.
func (db *DB) Damaged() <-chan struct{} { return db.damaged }

// Err is the first ErrDamaged met (nil while none was).
func (db *DB) Err() error {
	select {
	case <-db.damaged:
		return db.damagedErr
	default:
		return nil
	}
}

// DB is the open store.
type DB struct {
	bolt   *bolt.DB
	path   string
	now    func() time.Time
	queued queuedStates // feed states for the next group commit (feedstate.go)
	group  commitGroup  // Ingest calls sharing a transaction (group.go)
	// oldKeys: the file may hold seen and stories keys of before they were
	// grouped (seenkeys.go), to be looked up too.
	oldKeys atomic.Bool
	chans   channelCache // chat-set channel settings (channels.go)

	damaged     chan struct{} // closed at the first ErrDamaged
	damagedOnce sync.Once
	damagedErr  error // set before damaged is closed
}

// Options tune Open.
type Options struct {
	// Timeout is how long to wait for another process to release the file.
	Timeout time.Duration
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// ReadOnly opens the file for reading only.
	ReadOnly bool
}

// Open opens (creating if needed) the store at path with mode 0600 and makes
// sure every bucket exists.
func Open(path string, o Options) (*DB, error) {
	if o.Timeout == 0 {
		o.Timeout = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store %s: %w", path, err)
		}
	}
	var b *bolt.DB
	// bbolt may panic reading a bad meta or freelist page while opening.
	err := guard(path, func() (err error) {
		b, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
		return err
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("store %s: %w (is `wirewatch run` using it? commands reach a running daemon through its socket)", path, ErrLocked)
	}
	if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) || errors.Is(err, bolterrors.ErrVersionMismatch) {
		// Both meta pages are unreadable: the file is damaged (or not a store).
		return nil, damaged(path, err)
	}
	if errors.Is(err, ErrDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path, now: o.Now, damaged: make(chan struct{})}
	if o.ReadOnly {
		db.oldKeys.Store(true)
		return db, nil
	}
	err = db.update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		since, err := keysSince(tx, o.Now().Unix())
		if err != nil {
			return err
		}
		db.oldKeys.Store(since > 0)
		return tx.Bucket(bMeta).Put([]byte("schema"), []byte("1"))
	})
	if err != nil {
		b.Close()
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		return nil, fmt.Errorf("store %s: create buckets: %w", path, err)
	}
	return db, nil
}

// closeWait bounds Close on a damaged file.
const closeWait = time.Second

// Close writes the queued feed states and closes the file. On a damaged
// file the transaction that panicked may have left bbolt's own locks held,
// so Close waits at most closeWait for bbolt and returns the damage.
func (db *DB) Close() error {
	flush := db.FlushFeedStates()
	if err := db.Err(); err != nil {
		done := make(chan struct{})
		go func() {
			db.bolt.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(closeWait):
		}
		return err
	}
	return errors.Join(flush, db.bolt.Close())
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:16]
}
