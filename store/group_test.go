package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// lastTx is the id of the file's last committed write transaction.
func lastTx(t *testing.T, db *DB) int {
	t.Helper()
	var id int
	if err := db.view(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

// holdWrites starts a write that stays under way, in a synctest bubble,
// until the returned func ends it (and waits for it): every Ingest from
// now on queues behind it.
func holdWrites(t *testing.T, db *DB) (release func()) {
	t.Helper()
	hold := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.commitGrouped(1, func(*bolt.Tx, *recentWrites) error { <-hold; return nil })
	}()
	synctest.Wait()
	return func() {
		t.Helper()
		close(hold)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestIngestGroupCommit: Ingest calls that arrive while a write is under
// way share one transaction, and the group keeps what one Ingest promised
// on its own. On a crash image of the real file: nothing of a queued call is
// on disk before its group commits (no state ahead of its items), and every
// call that returned is there whole afterwards (items seen, alerts queued,
// the state with its validators). A call that fails fails alone, with none
// of its items marked seen; a story two feeds of one group bring is counted
// once; a feed dropped while it was polled gets no state back.
func TestIngestGroupCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := MustOpen(t, nil)
		dropped, err := db.AddFeed(wirewatch.Feed{URL: "https://dropped.example/rss", AddedBy: "U1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.DropFeed(dropped.ID, "U1"); err != nil {
			t.Fatal(err)
		}

		// A write under way: every Ingest from now on queues behind it.
		release := holdWrites(t, db)
		before := lastTx(t, db)

		const feeds = 12
		type call struct {
			id    string
			items []wirewatch.Item
			res   Ingested
			err   error
		}
		calls := make([]*call, feeds)
		for i := range calls {
			c := &call{id: fmt.Sprintf("cfg-%d", i)}
			for k := range 3 {
				c.items = append(c.items, wirewatch.Item{ID: fmt.Sprint(k), FeedID: c.id, Title: "t",
					Link: fmt.Sprintf("https://news%d.example/%d", i, k)})
			}
			calls[i] = c
		}
		// Feed 1 brings feed 0's first story (same canonical link).
		calls[1].items[0].Link = calls[0].items[0].Link
		// Feed 2 makes an alert that cannot be written (no destination).
		bad := calls[2]
		// Feed 3 was added at run time and dropped while it was polled.
		calls[3].id = dropped.ID
		for k := range calls[3].items {
			calls[3].items[k].FeedID = dropped.ID
		}

		var wg sync.WaitGroup
		for i, c := range calls {
			if i == 1 {
				// Feed 0 queues first, so that its story is the one feed 1
				// merges into (goroutines queue in any order).
				synctest.Wait()
			}
			wg.Go(func() {
				st := &wirewatch.FeedState{ETag: fmt.Sprintf(`"%d"`, i), Seeded: true}
				c.res, c.err = db.Ingest(c.id, st, c.items, func(it wirewatch.Item) []wirewatch.Alert {
					to := wirewatch.Destination("slack:C1")
					if c == bad {
						to = ""
					}
					return []wirewatch.Alert{{To: to, Thread: it.FeedKey()}}
				})
			})
		}
		synctest.Wait()
		db.group.mu.Lock()
		queued := len(db.group.queue)
		db.group.mu.Unlock()
		if queued != feeds {
			t.Fatalf("%d calls queued behind the write under way, want %d", queued, feeds)
		}
		img := crashImage(t, db)
		for _, c := range calls {
			if seen, _ := img.Seen(c.items[1]); seen {
				t.Fatalf("%s: an item of a queued call is on disk before its commit", c.id)
			}
			if st, _ := img.FeedState(c.id); st.ETag != "" {
				t.Fatalf("%s: the state of a queued call is on disk before its items: %+v", c.id, st)
			}
		}

		release()
		wg.Wait()
		// The blocker, the group (it failed: feed 2), then each call alone.
		if got, want := lastTx(t, db)-before, feeds; got != want {
			t.Errorf("%d transactions committed, want %d (each call alone after the group failed)", got, want)
		}

		img = crashImage(t, db)
		pending, err := img.Pending("slack:C1", 100)
		if err != nil {
			t.Fatal(err)
		}
		alerts := map[string]int{}
		for _, a := range pending {
			alerts[a.Thread]++
		}
		for i, c := range calls {
			if c == bad {
				if c.err == nil {
					t.Errorf("%s: an alert without a destination was accepted", c.id)
				}
				for _, it := range c.items {
					if seen, _ := img.Seen(it); seen {
						t.Errorf("%s: item %s marked seen by a call that failed", c.id, it.ID)
					}
				}
				if st, _ := img.FeedState(c.id); st.ETag != "" {
					t.Errorf("%s: the state of a call that failed was written: %+v", c.id, st)
				}
				continue
			}
			if c.err != nil {
				t.Errorf("%s: %v (another call's failure failed it)", c.id, c.err)
				continue
			}
			wantNew := 3
			if i == 1 {
				wantNew = 2 // its first item is feed 0's story
				if len(c.res.Merged) != 1 || c.res.Merged[0].WithFeed != calls[0].id {
					t.Errorf("%s: merged %+v, want its first item taken for %s's", c.id, c.res.Merged, calls[0].id)
				}
			}
			if c.res.New != wantNew || c.res.Alerts["slack:C1"] != wantNew {
				t.Errorf("%s: %d new, %v alerts; want %d of each", c.id, c.res.New, c.res.Alerts, wantNew)
			}
			for k, it := range c.items {
				seen, _ := img.Seen(it)
				if !seen {
					t.Errorf("%s: item %s acknowledged but not on disk", c.id, it.ID)
				}
				want := 1
				if i == 1 && k == 0 {
					want = 0
				}
				if alerts[it.FeedKey()] != want {
					t.Errorf("%s: item %s has %d alerts queued on disk, want %d", c.id, it.ID, alerts[it.FeedKey()], want)
				}
			}
			st, _ := img.FeedState(c.id)
			switch {
			case c.id == dropped.ID && st.ETag != "":
				t.Errorf("the dropped feed %s got its state back: %+v", c.id, st)
			case c.id != dropped.ID && st.ETag != fmt.Sprintf(`"%d"`, i):
				t.Errorf("%s: state on disk %+v, want the one written with its items", c.id, st)
			}
		}

		// Without a failing call, a queue is one transaction.
		release = holdWrites(t, db)
		before = lastTx(t, db)
		for i := range feeds {
			wg.Go(func() {
				it := wirewatch.Item{ID: "late", FeedID: fmt.Sprintf("cfg-%d", i), Link: fmt.Sprintf("https://late%d.example/", i)}
				if _, err := db.Ingest(it.FeedID, &wirewatch.FeedState{ETag: `"late"`}, []wirewatch.Item{it}, nil); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait()
		release()
		wg.Wait()
		if got := lastTx(t, db) - before; got != 2 {
			t.Errorf("%d transactions for the blocker and %d queued calls, want 2", got, feeds)
		}
	})
}

// TestRecentAfterSeedingGroup: a group commit whose new items outnumber the
// recent bucket's bound writes only the latest RecentItems of them, and the
// bucket on the real file ends exactly as when every item was put and the
// one RecentItems before it deleted, one at a time: the same keys (the
// bucket's sequence, in the order the calls and their items came), the same
// items, nothing older, and the sequence counts every new item.
func TestRecentAfterSeedingGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := MustOpen(t, nil)
		var want []string // the titles of every new item, in the order ingested
		feedItems := func(feed string, n int) []wirewatch.Item {
			var items []wirewatch.Item
			for k := range n {
				title := fmt.Sprintf("%s item %d", feed, k)
				items = append(items, wirewatch.Item{ID: fmt.Sprint(k), FeedID: feed, Title: title,
					Link: fmt.Sprintf("https://%s.example/%d", feed, k)})
			}
			return items
		}
		// group ingests one call per feed, all in one transaction (queued
		// behind a write under way, in this order).
		group := func(feeds []string, n int, seenAgain []wirewatch.Item) {
			t.Helper()
			release := holdWrites(t, db)
			before := lastTx(t, db)
			var wg sync.WaitGroup
			for i, feed := range feeds {
				items := feedItems(feed, n)
				if i == 0 {
					items = append(seenAgain, items...) // not new: not kept again
				}
				for _, it := range items[len(items)-n:] {
					want = append(want, it.Title)
				}
				wg.Go(func() {
					if _, err := db.Ingest(feed, nil, items, nil); err != nil {
						t.Error(err)
					}
				})
				synctest.Wait() // queued in feeds' order
			}
			release()
			wg.Wait()
			if got := lastTx(t, db) - before; got != 2 {
				t.Fatalf("%d transactions, want 2 (the blocker, then one group)", got)
			}
		}
		check := func(stage string) {
			t.Helper()
			keep := want[max(len(want)-RecentItems, 0):]
			err := db.view(func(tx *bolt.Tx) error {
				b := tx.Bucket(bRecent)
				if got := b.Sequence(); got != uint64(len(want)) {
					t.Errorf("%s: sequence %d, want %d (one per new item)", stage, got, len(want))
				}
				i := 0
				return b.ForEach(func(k, v []byte) error {
					var it wirewatch.Item
					if err := json.Unmarshal(v, &it); err != nil {
						return err
					}
					wantKey := uint64(len(want) - len(keep) + i + 1)
					if i >= len(keep) || beUint(k) != wantKey || it.Title != keep[i] {
						t.Fatalf("%s: entry %d is key %d %q, want key %d %q (of %d)", stage, i, beUint(k), it.Title, wantKey, keep[min(i, len(keep)-1)], len(keep))
					}
					i++
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := db.Recent(RecentItems + 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rec) != len(keep) || rec[0].Title != keep[len(keep)-1] || rec[len(rec)-1].Title != keep[0] {
				t.Errorf("%s: Recent gave %d items, want %d newest first", stage, len(rec), len(keep))
			}
		}

		group([]string{"a"}, 300, nil) // under the bound: nothing deleted
		check("300 items")
		first := feedItems("a", 2)
		group([]string{"b", "c", "d"}, 100, first) // 600: the 100 oldest go
		check("600 items")
		group([]string{"e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"}, 100, nil) // a group of 1,200 > the bound
		check("1,800 items")
	})
}
