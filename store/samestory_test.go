package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestSameStoryBound: the saved stories survive a reopen of the file,
// oldest first; a story saved again replaces its record; the bucket keeps
// at most keep stories, none older than maxAge.
func TestSameStoryBound(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "ww.db")
	db, err := Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	const keep, age = 3, 48 * time.Hour
	save := func(at time.Time, id uint64, rec string) {
		t.Helper()
		if err := db.SaveStories([]Story{{at, id, []byte(rec)}}, keep, age); err != nil {
			t.Fatal(err)
		}
	}
	kept := func() string {
		t.Helper()
		var out []string
		err := db.Stories(age, func(at time.Time, rec []byte) error {
			out = append(out, fmt.Sprintf("%s@%s", rec, now.Sub(at)))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out)
	}
	save(now.Add(-50*time.Hour), 1, "too old")
	save(now.Add(-3*time.Hour), 2, "a")
	save(now.Add(-2*time.Hour), 3, "b")
	save(now.Add(-3*time.Hour), 2, "a2") // a's story reached another channel
	if got, want := kept(), "[a2@3h0m0s b@2h0m0s]"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	save(now.Add(-time.Hour), 4, "c")
	save(now, 5, "d")
	if got, want := kept(), "[b@2h0m0s c@1h0m0s d@0s]"; got != want {
		t.Errorf("past keep: kept %s, want %s", got, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour + time.Minute)
	db, err = Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := kept(), "[b@3h1m0s c@2h1m0s d@1h1m0s]"; got != want {
		t.Errorf("after reopen: kept %s, want %s", got, want)
	}
	// A day and more later, b and c are past maxAge: the next save prunes
	// them from the file, not only from what loads.
	now = now.Add(46 * time.Hour)
	save(now, 6, "e")
	n := 0
	db.view(func(tx *bolt.Tx) error { n = tx.Bucket(bSameStory).Stats().KeyN; return nil })
	if got, want := kept(), "[d@47h1m0s e@0s]"; got != want || n != 2 {
		t.Errorf("past maxAge: kept %s in %d records, want %s in 2", got, n, want)
	}
}
