package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// FeedStates returns the state of every feed polled so far, queued states
// (QueueFeedState) included.
func (db *DB) FeedStates() (map[string]wirewatch.FeedState, error) {
	out := map[string]wirewatch.FeedState{}
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bFeedState).ForEach(func(k, v []byte) error {
			var st wirewatch.FeedState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("feed state %s: %w", k, err)
			}
			out[string(k)] = st
			return nil
		})
	})
	db.overlayQueued(out)
	return out, err
}

// PutFeedState saves the state of feed id (a poll that brought no items).
func (db *DB) PutFeedState(id string, st wirewatch.FeedState) error {
	return db.update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bFeedState), []byte(id), st)
	})
}

// Ingested says what Ingest did.
type Ingested struct {
	New    int                           // items not seen before
	Alerts map[wirewatch.Destination]int // alerts queued per destination
	// Merged are the items not counted new because another feed's item
	// with the same canonical link (Item.Key) was seen first.
	Merged []Merge
	// Again counts alerts not queued because their destination had the
	// story already, from a watch's search or for one (posted.go).
	Again int
}

// Merge is an item taken for one seen before in another feed.
type Merge struct {
	Item             wirewatch.Item
	WithFeed, WithID string // the item seen first
}

// Ingest records a poll in one transaction (shared with the polls that end
// meanwhile, group.go) and returns once it is committed: items not seen
// before are marked seen and kept among the recent items, alertsFor gives
// the alerts each new item makes (it is called inside the transaction, maybe
// twice: keep it fast, free of I/O and of side effects), they go to the
// outbox, and the feed's state is saved. With st nil, no feed state is
// written (push sources); nor is it for a feed added at run time that was
// dropped meanwhile.
//
// An item is new when its FeedKey was not seen, unless it is a news item
// whose canonical link (Key) was first seen in another feed: the same story
// from two outlets is one (Ingested.Merged). Within one feed, items with
// distinct ids are always distinct.
//
// items should come oldest first, so the outbox keeps their order.
func (db *DB) Ingest(feedID string, st *wirewatch.FeedState, items []wirewatch.Item, alertsFor func(it wirewatch.Item) []wirewatch.Alert) (Ingested, error) {
	res := Ingested{Alerts: map[wirewatch.Destination]int{}}
	now := db.now()
	err := db.commitGrouped(2*len(items)+1, func(tx *bolt.Tx, recent *recentWrites) error {
		res.New, res.Again = 0, 0
		clear(res.Alerts)
		res.Merged = res.Merged[:0]
		sets := db.newSeenSets(tx)
		outbox := tx.Bucket(bOutbox)
		posted := postedSet{tx.Bucket(bPosted)}
		stamp := u64(uint64(now.Unix()))
		for _, it := range items {
			f, merged, err := sets.record(&it, stamp)
			if err != nil {
				return err
			}
			if merged != nil {
				res.Merged = append(res.Merged, *merged)
			}
			edit := false
			if !f.isNew {
				// Seen, and alerted if it matched: a change is an edit of
				// that message (edits.go).
				if merged != nil || alertsFor == nil {
					continue
				}
				if edit, err = sets.noteChange(&f, &it); err != nil {
					return err
				}
				if !edit {
					continue
				}
			} else {
				res.New++
				recent.add(it)
			}
			if it.ArticlePending {
				// Its alerts come with its page (FinishArticle).
				if err := putPending(tx, it, now); err != nil {
					return err
				}
				continue
			}
			if alertsFor == nil {
				continue
			}
			for _, a := range alertsFor(it) {
				if err := queueAlert(outbox, posted, &it, a, now, edit, &res); err != nil {
					return err
				}
			}
		}
		if st == nil {
			return nil
		}
		db.forgetQueued(feedID) // this state is newer (feedstate.go)
		if feedGone(tx, feedID) {
			return nil // dropped while it was polled: its state stays gone
		}
		return putJSON(tx.Bucket(bFeedState), []byte(feedID), st)
	})
	if err != nil {
		return Ingested{}, fmt.Errorf("ingest %s: %w", feedID, err)
	}
	return res, nil
}

// seenSets are the buckets that remember items: seen by FeedKey, stories
// by Key (canonical link) with the item that brought it first. old is set
// while the file may hold keys of before they were grouped (seenkeys.go).
type seenSets struct {
	seen, stories, seenBy *bolt.Bucket
	old                   bool
	// What lookups reuse: a cursor per set (Bucket.Get makes one each
	// time), the key and the seenby key buffers.
	seenC, storiesC *bolt.Cursor
	keys            keyer
	byKey           []byte
}

// newSeenSets are the sets of tx; seenBy is nil in a read transaction.
func (db *DB) newSeenSets(tx *bolt.Tx) *seenSets {
	s := &seenSets{seen: tx.Bucket(bSeen), stories: tx.Bucket(bStories), old: db.oldKeys.Load()}
	s.seenC = s.seen.Cursor()
	if s.stories != nil {
		s.storiesC = s.stories.Cursor()
	}
	if tx.Writable() {
		s.seenBy = tx.Bucket(bSeenBy)
	}
	return s
}

// get is Bucket.Get through a cursor kept for many lookups.
func get(c *bolt.Cursor, key []byte) []byte {
	if k, v := c.Seek(key); bytes.Equal(k, key) {
		return v
	}
	return nil
}

// storyKey is the cross-feed key of a linked news item, or "" for items
// that have none besides FeedKey (docket entries, items without a link).
func storyKey(it *wirewatch.Item) string {
	if it.SearchFor != "" {
		return "" // a search's items are deduplicated per channel (posted.go)
	}
	if k := it.Key(); k != it.FeedKey() && it.Link != "" {
		return k
	}
	return ""
}

// found is what lookup found of an item, with the keys it made on the way
// for record to write with.
type found struct {
	// isNew: the item was not seen; else, owner is the feed and id of the
	// item of another feed that brought its story first, or legacy says
	// its story key was written before stories were kept apart (Item.Key
	// in seen): the item was seen then.
	isNew  bool
	owner  []byte
	legacy bool
	// seen is the item's seen record (under its grouped key), nil if none.
	seen []byte
	// sk is storyKey and story its stories entry (nil if none), both set
	// when the item was not seen.
	sk       string
	story    []byte
	seenKey  [16]byte
	storyKey [16]byte // set with sk
}

// lookup says whether it is new and, when its story was seen first in
// another feed, with which item.
func (s *seenSets) lookup(it *wirewatch.Item) (f found) {
	f.seenKey = [16]byte(s.keys.seen(it))
	if f.seen = get(s.seenC, f.seenKey[:]); f.seen != nil || s.old && s.seen.Get(hashKey(it.FeedKey())) != nil {
		return f
	}
	f.isNew = true
	if f.sk = storyKey(it); f.sk == "" {
		return f
	}
	f.storyKey = [16]byte(s.keys.story(f.sk))
	f.story = s.storyAt(f.sk, f.storyKey[:])
	if len(f.story) > 8 {
		if feed, _, _ := bytes.Cut(f.story[8:], []byte{0}); string(feed) != it.FeedID {
			f.isNew, f.owner = false, f.story[8:]
		}
		return f
	}
	if s.old && s.seen.Get(hashKey(f.sk)) != nil {
		f.isNew, f.legacy = false, true
	}
	return f
}

// storyAt is the stories entry of story key sk, whose grouped key is sh;
// nil if there is none.
func (s *seenSets) storyAt(sk string, sh []byte) []byte {
	if s.stories == nil {
		return nil // a file opened read-only that predates the bucket
	}
	if v := get(s.storiesC, sh); v != nil || !s.old {
		return v
	}
	return s.stories.Get(hashKey(sk))
}

// record marks it seen and says what lookup found (f.isNew: whether it was
// new; f.seen: its seen record, for noteChange), and the merge when its
// story was another feed's.
func (s *seenSets) record(it *wirewatch.Item, stamp []byte) (f found, _ *Merge, _ error) {
	f = s.lookup(it)
	if !f.isNew && f.owner == nil && !f.legacy {
		return f, nil, nil // this very item, seen before
	}
	// Remember the item itself, so a merge is said once and a later poll
	// finds it at the first look.
	if err := s.seen.Put(f.seenKey[:], seenValue(stamp, it, 0)); err != nil {
		return f, nil, err
	}
	// bbolt copies keys (not values): one buffer serves every seenby key.
	s.byKey = append(append(s.byKey[:0], stamp...), f.seenKey[:]...)
	if err := s.seenBy.Put(s.byKey, nil); err != nil {
		return f, nil, err
	}
	if f.sk != "" && f.owner == nil && f.story == nil {
		// New, or seen before stories were kept apart: this item brings the
		// story from now on (an old file's live blog gets its posts back).
		if err := s.putStory(it, f.storyKey[:], stamp); err != nil {
			return f, nil, err
		}
	}
	if f.owner != nil {
		feed, id, _ := bytes.Cut(f.owner, []byte{0})
		return f, &Merge{Item: *it, WithFeed: string(feed), WithID: string(id)}, nil
	}
	return f, nil, nil
}

// putStory records it as the item that brings the story whose stories key
// is sh.
func (s *seenSets) putStory(it *wirewatch.Item, sh, stamp []byte) error {
	id := wirewatch.Clip(it.ID, 256)
	v := make([]byte, 0, len(stamp)+len(it.FeedID)+1+len(id))
	v = append(append(append(append(v, stamp...), it.FeedID...), 0), id...)
	if err := s.stories.Put(sh, v); err != nil {
		return err
	}
	s.byKey = append(append(s.byKey[:0], stamp...), sh...)
	return s.seenBy.Put(s.byKey, storyMark)
}

// storyMark is the seenby value of a stories key.
var storyMark = []byte("s")

// Unseen reports, in one read transaction, which items have not been seen
// (as Ingest would count them new, unless an item of the same poll or of a
// poll committing meanwhile brings its story first).
func (db *DB) Unseen(items []wirewatch.Item) ([]bool, error) {
	out, _, err := db.seenOrChanged(items, false)
	return out, err
}

// UnseenOrChanged is Unseen, and also which of the seen items now read
// otherwise than when seen (their alerts are made again, as edits; see
// edits.go), in the same read transaction.
func (db *DB) UnseenOrChanged(items []wirewatch.Item) (unseen, changed []bool, err error) {
	return db.seenOrChanged(items, true)
}

func (db *DB) seenOrChanged(items []wirewatch.Item, edits bool) (unseen, changed []bool, err error) {
	unseen, changed = make([]bool, len(items)), make([]bool, len(items))
	err = db.view(func(tx *bolt.Tx) error {
		sets := db.newSeenSets(tx)
		for i := range items {
			f := sets.lookup(&items[i])
			unseen[i] = f.isNew
			changed[i] = edits && !f.isNew && changedValue(f.seen, &items[i]) != nil
		}
		return nil
	})
	return unseen, changed, err
}

// recentWrites are the items one transaction adds to the recent bucket,
// which keeps only the latest RecentItems: of a seeding group's thousands
// of new items, only the last RecentItems are kept here and written, and
// the bucket is pruned once, instead of writing every item's JSON and
// deleting most of it again in the same transaction.
type recentWrites struct {
	last []wirewatch.Item // the latest RecentItems added, a ring: item i at i%RecentItems
	n    int              // items added
}

func (r *recentWrites) add(it wirewatch.Item) {
	if len(r.last) < RecentItems {
		r.last = append(r.last, it)
	} else {
		r.last[r.n%RecentItems] = it
	}
	r.n++
}

// write gives the items added the bucket's next sequence numbers, in the
// order they were added, stores those among the latest RecentItems and
// deletes the keys they push out: the bucket ends as if each item had been
// put, and the one RecentItems before it deleted, one at a time.
func (r *recentWrites) write(b *bolt.Bucket) error {
	if r.n == 0 {
		return nil
	}
	first := b.Sequence() + 1
	last := b.Sequence() + uint64(r.n)
	if err := b.SetSequence(last); err != nil {
		return err
	}
	if last > RecentItems {
		// Only keys written before are there to delete: of this
		// transaction's, those pushed out were never written.
		for k := max(first, RecentItems+1) - RecentItems; k <= min(last-RecentItems, first-1); k++ {
			if err := b.Delete(u64(k)); err != nil {
				return err
			}
		}
	}
	for i := max(r.n-RecentItems, 0); i < r.n; i++ {
		v, err := itemJSON(&r.last[i%RecentItems])
		if err != nil {
			return err
		}
		if err := b.Put(u64(first+uint64(i)), v); err != nil {
			return err
		}
	}
	return nil
}

// Recent returns up to n of the most recently seen items, newest first.
func (db *DB) Recent(n int) ([]wirewatch.Item, error) {
	var out []wirewatch.Item
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bRecent).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var it wirewatch.Item
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// pruneBatch bounds one pruning transaction, so the dispatcher and poller
// are not held up behind a long write.
const pruneBatch = 10000

// Prune forgets items first seen before cutoff, walking the time-ordered
// index from its start; freed pages are reused, so the file stops growing
// once retention is reached. It returns how many were forgotten.
func (db *DB) Prune(cutoff time.Time) (int, error) {
	limit := uint64(cutoff.Unix())
	total := 0
	for {
		n := 0
		err := db.update(func(tx *bolt.Tx) error {
			seen, stories, c := tx.Bucket(bSeen), tx.Bucket(bStories), tx.Bucket(bSeenBy).Cursor()
			for k, kind := c.First(); k != nil && n < pruneBatch; k, kind = c.Next() {
				if binary.BigEndian.Uint64(k[:8]) >= limit {
					break
				}
				set := seen
				if string(kind) == "s" {
					set = stories
				}
				// The hash may have been seen again later; only drop it if
				// this index entry is the one it points to.
				if v := set.Get(k[8:]); len(v) >= 8 && string(v[:8]) == string(k[:8]) {
					if err := set.Delete(k[8:]); err != nil {
						return err
					}
				}
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("prune: %w", err)
		}
		if n < pruneBatch {
			return total, db.oldKeysPruned(limit)
		}
	}
}

// SeenCount is the number of item keys remembered.
func (db *DB) SeenCount() int {
	var n int
	db.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bSeen).Stats().KeyN
		return nil
	})
	return n
}

func beUint(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
