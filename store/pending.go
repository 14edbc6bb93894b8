package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Items whose article is being read (feeds[].fulltext) are recorded by the
// feed's Ingest at once, seen, with no alerts: their alerts wait for the
// page. The record keeps such an item until FinishArticle queues what it
// makes, in one transaction with the record's removal, so an item is
// neither lost across a crash nor alerted twice.

// PendingArticle is an item recorded while its article is read.
type PendingArticle struct {
	Item   wirewatch.Item `json:"item"`
	FeedID string         `json:"feed_id"` // Item.FeedID is not kept by Item's JSON
	Since  time.Time      `json:"since"`
}

// putPending records it as waiting for its article (inside Ingest's
// transaction, for an item Ingest counted new).
func putPending(tx *bolt.Tx, it wirewatch.Item, now time.Time) error {
	it.Article = ""
	return putJSON(tx.Bucket(bPending), hashKey(it.FeedKey()), PendingArticle{Item: it, FeedID: it.FeedID, Since: now.UTC()})
}

// PendingArticles lists the items recorded while their article was read
// and not finished: after a restart, what is left to match.
func (db *DB) PendingArticles() ([]wirewatch.Item, error) {
	var out []wirewatch.Item
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPending)
		if b == nil {
			return nil // a file opened read-only that predates the bucket
		}
		return b.ForEach(func(k, v []byte) error {
			var p PendingArticle
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("pending article %x: %w", k, err)
			}
			p.Item.FeedID = p.FeedID
			out = append(out, p.Item)
			return nil
		})
	})
	return out, err
}

// FinishArticle ends it's wait for its article: in one transaction its
// record is dropped and alerts are queued, only if the record was there
// (a second finish of the same item queues nothing). it.Link may have
// become the page's canonical URL: when that story was brought first by
// another feed's item, it is that story (merged: no alerts); else this
// item brings it from now on. It says how many alerts it queued per
// destination, and the merge if there was one (New stays 0: Ingest
// counted the item).
func (db *DB) FinishArticle(it wirewatch.Item, alerts []wirewatch.Alert) (Ingested, error) {
	res := Ingested{Alerts: map[wirewatch.Destination]int{}}
	now := db.now()
	// Shared with the other commits of the moment (group.go): the pages of
	// a burst of polls come together.
	err := db.commitGrouped(2*len(alerts)+3, func(tx *bolt.Tx, _ *recentWrites) error {
		clear(res.Alerts)
		res.Merged, res.Again = nil, 0
		b := tx.Bucket(bPending)
		k := hashKey(it.FeedKey())
		v := b.Get(k)
		if v == nil {
			return nil
		}
		var was PendingArticle
		if err := json.Unmarshal(v, &was); err != nil {
			return fmt.Errorf("pending article %s: %w", it.FeedKey(), err)
		}
		if err := b.Delete(k); err != nil {
			return err
		}
		if sk := storyKey(&it); sk != "" && sk != storyKey(&was.Item) {
			sets := db.newSeenSets(tx)
			sh := [16]byte(sets.keys.story(sk))
			switch v := sets.storyAt(sk, sh[:]); {
			case v == nil:
				if err := sets.putStory(&it, sh[:], u64(uint64(now.Unix()))); err != nil {
					return err
				}
			case len(v) > 8:
				if feed, id, _ := bytes.Cut(v[8:], []byte{0}); string(feed) != it.FeedID {
					res.Merged = append(res.Merged, Merge{Item: it, WithFeed: string(feed), WithID: string(id)})
					return nil
				}
			}
		}
		outbox, posted := tx.Bucket(bOutbox), postedSet{tx.Bucket(bPosted)}
		for _, a := range alerts {
			if err := queueAlert(outbox, posted, &it, a, now, false, &res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Ingested{}, fmt.Errorf("finish article of %s: %w", it.FeedKey(), err)
	}
	return res, nil
}

// queueAlert puts a, an alert of it, in the outbox, unless the story was
// posted to a.To already (posted.go; res.Again counts those); edit: it
// edits the message of an item posted before (edits.go).
func queueAlert(outbox *bolt.Bucket, posted postedSet, it *wirewatch.Item, a wirewatch.Alert, now time.Time, edit bool, res *Ingested) error {
	// An edit posts nothing: no story repeats.
	if !edit {
		again, err := posted.again(it, a.To, now)
		if err != nil {
			return err
		}
		if again {
			res.Again++
			return nil
		}
	}
	b, err := outbox.CreateBucketIfNotExists([]byte(a.To))
	if err != nil {
		return err
	}
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	a.ID, a.Queued, a.Item, a.Edit = n, now.UTC(), ItemRef(it), edit
	if err := putJSON(b, u64(n), a); err != nil {
		return err
	}
	res.Alerts[a.To]++
	return nil
}
