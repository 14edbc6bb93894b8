package store

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Keys of the seen and stories buckets.
//
// A key is 4 bytes of the hash of the item's group (its feed; a docket
// entry's case; a story's host) then 12 bytes of the hash of the item's key.
// The items one poll records share a group, so they land in one or two
// pages of each bucket, and a commit writes those pages instead of one
// random page (and its branch pages) per item: at 100 items per feed,
// seeding wrote 100 pages of each bucket per feed. 96 bits of hash within a
// group leave a collision (an item taken for one seen) at about one in 10^19
// for a million items.
//
// Files written before keep the whole 16 bytes of the hash of the item's key
// (hashKey): Open notes the time the file started writing grouped keys
// (metaKeysSince), and until retention (Prune) has passed it, a key not
// found is also looked up the old way.

// metaKeysSince, in the meta bucket: 8-byte unix seconds since which seen
// and stories keys are grouped; 0 when the file holds no key of before.
var metaKeysSince = []byte("keys-grouped-since")

// keyer builds grouped keys into buffers of its own, so a lookup allocates
// nothing: a poll looks up every item of the feed, twice (Unseen, Ingest).
// A key it returns is good until its next call. It keeps the hash of the
// last group of each kind, the same for most items of a poll.
type keyer struct {
	buf          []byte
	key          [16]byte
	feeds, hosts groupHash // the last seen key's group, the last story key's
}

// groupHash is a group and the first 4 bytes of its hash.
type groupHash struct {
	group string
	sum   [4]byte
	set   bool
}

// grouped is the key of key within group; g holds the hash of the last
// group of the kind.
func (kr *keyer) grouped(g *groupHash, group, key string) []byte {
	if !g.set || g.group != group {
		kr.buf = append(kr.buf[:0], group...)
		sum := sha256.Sum256(kr.buf)
		g.group, g.sum, g.set = group, [4]byte(sum[:4]), true
	}
	kr.buf = append(kr.buf[:0], key...)
	k := sha256.Sum256(kr.buf)
	copy(kr.key[:4], g.sum[:])
	copy(kr.key[4:], k[:12])
	return kr.key[:]
}

// seen is the seen bucket's key of it: grouped by feed, a docket entry
// (whatever feed brought it) by case.
func (kr *keyer) seen(it *wirewatch.Item) []byte {
	if it.Docket != nil && it.Docket.Number != "" {
		return kr.grouped(&kr.feeds, it.Docket.CaseKey(), it.FeedKey())
	}
	return kr.grouped(&kr.feeds, it.FeedID, it.FeedKey())
}

// story is the stories bucket's key of story key sk ("l " and a canonical
// link): grouped by the link's host.
func (kr *keyer) story(sk string) []byte {
	host := sk
	if _, rest, ok := strings.Cut(sk, "://"); ok {
		host, _, _ = strings.Cut(rest, "/")
	}
	return kr.grouped(&kr.hosts, host, sk)
}

// keysSince reads metaKeysSince, first writing it if the file has none: 0
// for a file with no seen item yet, else now (or the newest item's time, if
// the clock went back), as every key written until now is of the old kind.
func keysSince(tx *bolt.Tx, now int64) (uint64, error) {
	m := tx.Bucket(bMeta)
	if v := m.Get(metaKeysSince); len(v) == 8 {
		return binary.BigEndian.Uint64(v), nil
	}
	var since uint64
	if k, _ := tx.Bucket(bSeenBy).Cursor().Last(); k != nil {
		since = max(uint64(now), binary.BigEndian.Uint64(k[:8]))
	} else if k, _ := tx.Bucket(bSeen).Cursor().First(); k != nil {
		since = uint64(now) // items of before the time index
	}
	return since, m.Put(metaKeysSince, u64(since))
}

// oldKeysPruned notes that retention has forgotten every key of before
// they were grouped, once Prune has forgotten all items first seen before
// limit (unix seconds): lookups stop trying the old keys.
func (db *DB) oldKeysPruned(limit uint64) error {
	if !db.oldKeys.Load() {
		return nil
	}
	return db.update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if v := m.Get(metaKeysSince); len(v) == 8 && binary.BigEndian.Uint64(v) >= limit {
			return nil // some may be left
		}
		db.oldKeys.Store(false)
		return m.Put(metaKeysSince, u64(0))
	})
}
