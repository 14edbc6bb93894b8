package bot

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

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

// editingPoster is a fakePoster that can edit: a reply's message is named
// after the alert's title, and edits are recorded.
type editingPoster struct {
	*fakePoster
	edits []string // messages edited
}

func (p *editingPoster) ReplyRef(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) (string, string, error) {
	ref, err := p.Reply(ctx, th, a, broadcast)
	return ref, "msg " + a.Title, err
}

func (p *editingPoster) EditAlert(_ context.Context, _ wirewatch.Thread, msg string, _ wirewatch.Alert, _ time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.edits = append(p.edits, msg)
	return nil
}

// An "also in" line names the outlets that carry a story; a change of the
// outlet's item does not edit it into the story's card. A reply that is
// the item's own message is edited.
func TestAlsoInLineIsNotEdited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		const ch = wirewatch.Destination("slack:C1")
		p := &editingPoster{fakePoster: &fakePoster{}}
		d := NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": p}, Log: discard()})
		ingest := func(id, title string, also bool) {
			t.Helper()
			it := wirewatch.Item{ID: id, FeedID: "cfg-1", Title: title, Link: "https://news.example/" + id}
			if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{it}, func(it wirewatch.Item) []wirewatch.Alert {
				a := alert(ch, "k", it.Title)
				if also {
					a.AlsoIn = []wirewatch.Outlet{{Source: "Courier", Link: it.Link}}
				}
				return []wirewatch.Alert{a}
			}); err != nil {
				t.Fatal(err)
			}
			deliverAll(t, d)
		}
		ingest("1", "Top story", false)   // the thread's top
		ingest("2", "Reply story", false) // a reply: its message is kept
		ingest("3", "Top story", true)    // another outlet: an also-in line
		ingest("2", "Reply story, corrected", false)
		ingest("3", "Top story, as the outlet rewrote it", true)
		if got := strings.Join(p.edits, "; "); got != "msg Reply story" {
			t.Errorf("edited %q, want only the reply's own message", got)
		}
		if n, _ := db.Depths(); len(n) != 0 {
			t.Errorf("outbox %v, want empty", n)
		}
	})
}
