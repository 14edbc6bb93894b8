package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// TestIngestStoriesAcrossFeeds: within a feed, distinct ids are distinct
// items whatever their links; across feeds, one canonical link is one
// story, merged and reported once.
func TestIngestStoriesAcrossFeeds(t *testing.T) {
	db := MustOpen(t, nil)
	link := "https://live.example/blog"
	a1 := wirewatch.Item{ID: "p1", FeedID: "cfg-a", Link: link}
	a2 := wirewatch.Item{ID: "p2", FeedID: "cfg-a", Link: link}
	b1 := wirewatch.Item{ID: "x", FeedID: "cfg-b", Link: link}
	res, err := db.Ingest("cfg-a", nil, []wirewatch.Item{a1, a2}, nil)
	if err != nil || res.New != 2 || len(res.Merged) != 0 {
		t.Fatalf("one feed, two ids, one link: %+v, %v; want 2 new", res, err)
	}
	unseen, err := db.Unseen([]wirewatch.Item{a1, b1, {ID: "p3", FeedID: "cfg-a", Link: link}})
	if err != nil || unseen[0] || unseen[1] || !unseen[2] {
		t.Fatalf("Unseen: %v, %v; want seen, merged (seen), new", unseen, err)
	}
	res, err = db.Ingest("cfg-b", nil, []wirewatch.Item{b1}, nil)
	if err != nil || res.New != 0 || len(res.Merged) != 1 {
		t.Fatalf("other feed, same link: %+v, %v; want merged", res, err)
	}
	if m := res.Merged[0]; m.Item.ID != "x" || m.WithFeed != "cfg-a" || m.WithID != "p1" {
		t.Fatalf("merge %+v, want x with cfg-a/p1", m)
	}
	if res, _ = db.Ingest("cfg-b", nil, []wirewatch.Item{b1}, nil); res.New != 0 || len(res.Merged) != 0 {
		t.Fatalf("the merged item again: %+v, want nothing new, nothing said", res)
	}
	if n := db.SeenCount(); n != 3 {
		t.Errorf("SeenCount %d, want 3 items", n)
	}
}

// TestIngestLegacySeen: a file written before stories were kept apart holds
// Item.Key in seen; its items are not alerted again, and a later post of a
// live blog that shares the link is new.
func TestIngestLegacySeen(t *testing.T) {
	old := wirewatch.Item{ID: "p1", FeedID: "cfg-a", Link: "https://live.example/blog"}
	db := writtenBefore(t, MustOpen(t, nil), time.Now, func(tx *bolt.Tx) error {
		return tx.Bucket(bSeen).Put(hashKey(old.Key()), u64(uint64(time.Now().Unix())))
	})
	res, err := db.Ingest("cfg-a", nil, []wirewatch.Item{old}, nil)
	if err != nil || res.New != 0 || len(res.Merged) != 0 {
		t.Fatalf("item seen by the old key: %+v, %v; want not new", res, err)
	}
	res, err = db.Ingest("cfg-a", nil, []wirewatch.Item{old, {ID: "p2", FeedID: "cfg-a", Link: old.Link}}, nil)
	if err != nil || res.New != 1 {
		t.Fatalf("a second post: %+v, %v; want 1 new", res, err)
	}
}

// TestPruneStories: stories are pruned with the items.
func TestPruneStories(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db := MustOpen(t, func() time.Time { return now })
	a := wirewatch.Item{ID: "p1", FeedID: "cfg-a", Link: "https://live.example/blog"}
	if _, err := db.Ingest("cfg-a", nil, []wirewatch.Item{a}, nil); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	if _, err := db.Prune(now.Add(-24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	var stories int
	db.bolt.View(func(tx *bolt.Tx) error {
		stories = tx.Bucket(bStories).Stats().KeyN
		return nil
	})
	if n := db.SeenCount(); n != 0 || stories != 0 {
		t.Fatalf("after pruning: %d seen, %d stories, want none", n, stories)
	}
	// Forgotten, the story is new again, in any feed.
	b := wirewatch.Item{ID: "x", FeedID: "cfg-b", Link: a.Link}
	if res, _ := db.Ingest("cfg-b", nil, []wirewatch.Item{b}, nil); res.New != 1 {
		t.Fatalf("after pruning: %+v, want new", res)
	}
}

// TestOldSeenKeys: a file written before seen and stories keys were grouped
// (seenkeys.go) keeps its items seen and its stories owned, and once
// retention has forgotten everything of before, the old keys are no longer
// looked up (nor after a restart); until then they are.
func TestOldSeenKeys(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	clock := func() time.Time { return now }
	a := wirewatch.Item{ID: "a", FeedID: "cfg-a", Link: "https://news.example/a"}
	stamp := u64(uint64(t0.Unix()))
	now = t0.Add(time.Hour)
	db := writtenBefore(t, MustOpen(t, clock), clock, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bSeen).Put(hashKey(a.FeedKey()), stamp); err != nil {
			return err
		}
		sk := hashKey(a.Key())
		if err := tx.Bucket(bStories).Put(sk, append(append(append([]byte{}, stamp...), "cfg-a\x00"...), "a"...)); err != nil {
			return err
		}
		if err := tx.Bucket(bSeenBy).Put(append(append([]byte{}, stamp...), hashKey(a.FeedKey())...), nil); err != nil {
			return err
		}
		return tx.Bucket(bSeenBy).Put(append(append([]byte{}, stamp...), sk...), []byte("s"))
	})
	if !db.oldKeys.Load() {
		t.Fatal("an old file's keys are not looked up")
	}
	if res, err := db.Ingest("cfg-a", nil, []wirewatch.Item{a}, nil); err != nil || res.New != 0 {
		t.Fatalf("an item seen under the old key: %+v, %v; want not new", res, err)
	}
	other := wirewatch.Item{ID: "x", FeedID: "cfg-b", Link: a.Link}
	res, err := db.Ingest("cfg-b", nil, []wirewatch.Item{other}, nil)
	if err != nil || res.New != 0 || len(res.Merged) != 1 || res.Merged[0].WithFeed != "cfg-a" {
		t.Fatalf("a story owned under the old key: %+v, %v; want it merged with cfg-a's", res, err)
	}
	b := wirewatch.Item{ID: "b", FeedID: "cfg-a", Link: "https://news.example/b"}
	if res, _ := db.Ingest("cfg-a", nil, []wirewatch.Item{b}, nil); res.New != 1 {
		t.Fatalf("a new item: %+v, want new", res)
	}
	if unseen, _ := db.Unseen([]wirewatch.Item{a, b}); unseen[0] || unseen[1] {
		t.Fatalf("Unseen %v, want both seen", unseen)
	}

	// Retention up to the old items' time: they are gone, yet the switch
	// (an hour later) is not passed, so old keys are still looked up.
	if _, err := db.Prune(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !db.oldKeys.Load() {
		t.Fatal("old keys dropped before retention passed the switch to grouped keys")
	}
	now = t0.Add(3 * time.Hour)
	if _, err := db.Prune(t0.Add(2 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if db.oldKeys.Load() {
		t.Fatal("old keys still looked up after retention forgot everything of before")
	}
	path := db.Path()
	db.Close()
	again, err := Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.oldKeys.Load() {
		t.Fatal("old keys looked up again after a restart")
	}
	if fresh := MustOpen(t, nil); fresh.oldKeys.Load() {
		t.Fatal("a new file looks up old keys")
	}
}
