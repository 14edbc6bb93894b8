package store

import (
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// TestPostedOncePerChannel: a story a watch's search brought and the same
// story from the publisher's feed make one alert per destination, whichever
// comes first; two ordinary items with one headline stay two alerts; a
// docket entry first seen in a docket feed, where the watch did not match,
// still alerts from the search; headlines count for two days only.
func TestPostedOncePerChannel(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	db := MustOpen(t, func() time.Time { return now })
	alertTo := func(to ...wirewatch.Destination) func(wirewatch.Item) []wirewatch.Alert {
		return func(it wirewatch.Item) []wirewatch.Alert {
			var out []wirewatch.Alert
			for _, d := range to {
				out = append(out, wirewatch.Alert{To: d, Title: it.Title})
			}
			return out
		}
	}
	queued := func(what string, feed string, it wirewatch.Item, want int, to ...wirewatch.Destination) {
		t.Helper()
		it.FeedID = feed
		res, err := db.Ingest(feed, nil, []wirewatch.Item{it}, alertTo(to...))
		n := 0
		for _, c := range res.Alerts {
			n += c
		}
		if err != nil || n != want {
			t.Errorf("%s: %d alerts queued (%+v, %v), want %d", what, n, res, err, want)
		}
	}
	a, b := wirewatch.Destination("slack:CA"), wirewatch.Destination("slack:CB")
	own := wirewatch.Item{ID: "1", Title: "Judge weighs contempt", Link: "https://www.ledger.example/2026/contempt"}
	found := wirewatch.Item{ID: "g1", Title: "Judge Weighs Contempt", Link: "https://news.google.com/rss/articles/CBMi1", Site: "ledger.example", SearchFor: "w1"}

	queued("publisher's item", "cfg-1", own, 1, a)
	queued("the search's item of the same story", "w1.google_news.x", found, 1, b) // only b is new to it
	queued("the search's item for the channel that has it", "w2.google_news.y", wirewatch.Item{ID: "g1", Title: found.Title, Link: found.Link, Site: found.Site, SearchFor: "w2"}, 0, a)

	later := wirewatch.Item{ID: "g2", Title: "Board votes on budget", Link: "https://news.google.com/rss/articles/CBMi2", Site: "ledger.example", SearchFor: "w1"}
	queued("search first", "w1.google_news.x", later, 1, a)
	queued("then the publisher's own item", "cfg-1", wirewatch.Item{ID: "2", Title: "Board Votes on Budget", Link: "https://ledger.example/budget"}, 0, a)

	queued("an ordinary live blog", "cfg-1", wirewatch.Item{ID: "3", Title: "Live updates", Link: "https://ledger.example/live/1"}, 1, a)
	queued("another with the same headline", "cfg-2", wirewatch.Item{ID: "4", Title: "Live updates", Link: "https://ledger.example/live/2"}, 1, a)

	entry := wirewatch.Item{ID: "e5", Title: "Order", Link: "https://cl.example/docket/1/#entry-5", Docket: &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", EntryNumber: "5"}}
	queued("a docket feed's entry that matched no watch", "cfg-3", entry, 0)
	fromSearch := entry
	fromSearch.SearchFor = "w1"
	queued("the same entry from the watch's search", "w1.courtlistener.z", fromSearch, 1, a)
	queued("the entry from the docket feed again", "cfg-3", entry, 0, a)

	now = now.Add(headlineWindow + time.Hour)
	queued("a headline two days on", "w1.google_news.x", wirewatch.Item{ID: "g3", Title: "Live updates", Link: "https://news.google.com/rss/articles/CBMi3", Site: "ledger.example", SearchFor: "w1"}, 1, a)
	now = now.Add(postedWindow)
	if n, err := db.PrunePosted(); err != nil || n == 0 {
		t.Errorf("PrunePosted: %d, %v", n, err)
	}
}
