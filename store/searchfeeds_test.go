package store

import (
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestSearchFeedStateLivesWithItsWatch: a chat watch's search feed, which
// is never stored, keeps its state while the watch lives; dropping the
// watch deletes it, and a poll that ends after the drop does not bring it
// back. A config watch's search feed keeps its state.
func TestSearchFeedStateLivesWithItsWatch(t *testing.T) {
	db := MustOpen(t, nil)
	w, err := db.AddWatch(wirewatch.Watch{Query: "Xinis", To: []wirewatch.Destination{"stdout"}, Search: []string{wirewatch.SearchGoogleNews}})
	if err != nil {
		t.Fatal(err)
	}
	id := wirewatch.SearchFeedID(w.ID, wirewatch.SearchGoogleNews, "abc123")
	cfg := wirewatch.SearchFeedID("cfg-1", wirewatch.SearchGoogleNews, "def456")
	st := wirewatch.FeedState{ETag: `"1"`, Seeded: true}
	for _, f := range []string{id, cfg} {
		if _, err := db.Ingest(f, &st, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	states, _ := db.FeedStates()
	if states[id].ETag != `"1"` || states[cfg].ETag != `"1"` {
		t.Fatalf("states %+v: the search feeds' states were not kept", states)
	}
	if _, err := db.DropWatch(w.ID, "U1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(id, &st, nil, nil); err != nil {
		t.Fatal(err)
	}
	states, _ = db.FeedStates()
	if _, ok := states[id]; ok {
		t.Errorf("the dropped watch's search feed has a state: %+v", states[id])
	}
	if states[cfg].ETag != `"1"` {
		t.Errorf("the config watch's search feed lost its state")
	}
}
