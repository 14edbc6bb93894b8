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
	db := MustOpen(t, nil)
	old := wirewatch.Item{ID: "p1", FeedID: "cfg-a", Link: "https://live.example/blog"}
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bSeen).Put(hashKey(old.Key()), u64(uint64(time.Now().Unix())))
	}); err != nil {
		t.Fatal(err)
	}
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
