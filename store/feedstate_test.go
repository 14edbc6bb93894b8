package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// crashImage is what a crash now would leave: a copy of the file as
// written so far, opened on its own.
func crashImage(t *testing.T, db *DB) *DB {
	t.Helper()
	data, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crashed.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	img, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { img.Close() })
	return img
}

// TestFeedStateGroupCommit: queued states are seen at once, written
// together by a flush (or Close), never over a newer state that Ingest
// wrote with a poll's items, and never for a feed dropped meanwhile.
func TestFeedStateGroupCommit(t *testing.T) {
	db := MustOpen(t, nil)
	for i := range 500 {
		db.QueueFeedState(fmt.Sprintf("cfg-%d", i), wirewatch.FeedState{ETag: fmt.Sprintf(`"%d"`, i), LastResult: "not modified"})
	}
	states, err := db.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 500 || states["cfg-7"].ETag != `"7"` {
		t.Fatalf("FeedStates before the flush: got %d states (cfg-7 %+v), want the 500 queued", len(states), states["cfg-7"])
	}
	if st, _ := crashImage(t, db).FeedState("cfg-7"); st.ETag != "" {
		t.Fatalf("a queued state is on disk before the flush: %+v", st)
	}

	// A poll with items writes its state in its own transaction; the
	// older queued state of that feed must not land over it.
	if _, err := db.Ingest("cfg-7", &wirewatch.FeedState{ETag: `"new"`, Seeded: true}, []wirewatch.Item{item(1)}, nil); err != nil {
		t.Fatal(err)
	}
	img := crashImage(t, db)
	if st, _ := img.FeedState("cfg-7"); st.ETag != `"new"` || !st.Seeded {
		t.Fatalf("after Ingest, a crash would leave cfg-7 as %+v, want the state written with its items", st)
	}
	if seen, _ := img.Seen(item(1)); !seen {
		t.Fatal("after Ingest, a crash would lose the item")
	}

	// A feed dropped while its state is queued stays dropped.
	f, err := db.AddFeed(wirewatch.Feed{URL: "https://news.example/rss", AddedBy: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	db.QueueFeedState(f.ID, wirewatch.FeedState{LastResult: "not modified"})
	if _, err := db.DropFeed(f.ID, "U1"); err != nil {
		t.Fatal(err)
	}

	if err := db.FlushFeedStates(); err != nil {
		t.Fatal(err)
	}
	img = crashImage(t, db)
	all, err := img.FeedStates()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 500 {
		t.Errorf("after the flush a crash would leave %d states, want 500", len(all))
	}
	if all["cfg-7"].ETag != `"new"` {
		t.Errorf("the flush wrote cfg-7's older queued state over the newer one: %+v", all["cfg-7"])
	}
	if all["cfg-499"].ETag != `"499"` {
		t.Errorf("cfg-499: got %+v after the flush", all["cfg-499"])
	}
	if _, ok := all[f.ID]; ok {
		t.Errorf("the flush brought back the state of dropped feed %s", f.ID)
	}
	if err := db.FlushFeedStates(); err != nil {
		t.Errorf("a flush with nothing queued: %v", err)
	}

	// Close writes what is queued.
	db.QueueFeedState("cfg-1000", wirewatch.FeedState{ETag: `"last"`})
	path := db.Path()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if st, _ := again.FeedState("cfg-1000"); st.ETag != `"last"` {
		t.Errorf("after Close: got %+v, want the state queued before it", st)
	}
}

// TestFlushWritesMarshalBytes: a flush writes each state as json.Marshal
// writes it, also when the states outgrow the flush's first buffer (its
// earlier values must stay as they were written).
func TestFlushWritesMarshalBytes(t *testing.T) {
	db := MustOpen(t, nil)
	want := map[string][]byte{}
	for i := range 60 {
		id := fmt.Sprintf("cfg-%d", i)
		st := wirewatch.FeedState{ETag: fmt.Sprintf(`"%d"`, i), LastError: strings.Repeat("<&> é", i*20), Errors: i}
		db.QueueFeedState(id, st)
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		want[id] = b
	}
	if err := db.FlushFeedStates(); err != nil {
		t.Fatal(err)
	}
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bFeedState)
		for id, w := range want {
			if got := b.Get([]byte(id)); !bytes.Equal(got, w) {
				t.Errorf("%s: stored %.80q…, want %.80q…", id, got, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
