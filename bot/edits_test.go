package bot

import (
	"testing"
	"testing/synctest"

	"github.com/wirewatch/wirewatch"
)

// An edit of a changed item whose message is not known (a Poster that
// cannot edit, or an item never posted in that channel) posts nothing and
// leaves the outbox.
func TestEditWithoutAMessagePostsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch = wirewatch.Destination("slack:C1")
		p := &digestPoster{fakePoster: &fakePoster{}}
		ingest := func(title string) {
			t.Helper()
			it := wirewatch.Item{ID: "1", FeedID: "cfg-1", Title: title, Link: "https://news.example/1"}
			if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{it}, func(it wirewatch.Item) []wirewatch.Alert {
				return []wirewatch.Alert{alert(ch, "k", it.Title)}
			}); err != nil {
				t.Fatal(err)
			}
			deliverAll(t, NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()}))
		}
		ingest("first")
		ingest("corrected")
		if got := p.sentTitles(); got != "first" {
			t.Errorf("posted %q, want only the first alert", got)
		}
		if n, _ := db.Depths(); len(n) != 0 {
			t.Errorf("outbox %v, want empty", n)
		}
	})
}
