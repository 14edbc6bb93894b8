package store

import (
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestFinishArticleOnce: an item recorded pending by Ingest (seen, no
// alerts, in PendingArticles) gets its alerts from FinishArticle once; a
// second finish queues nothing. An item whose page's canonical URL is a
// story another feed brought first is merged: no alerts.
func TestFinishArticleOnce(t *testing.T) {
	db := MustOpen(t, nil)
	a := wirewatch.Item{ID: "a", FeedID: "cfg-1", Title: "Budget", Link: "https://proxy.example/r/1", ArticlePending: true}
	b := wirewatch.Item{ID: "b", FeedID: "cfg-2", Title: "Budget", Link: "https://proxy.example/r/2", ArticlePending: true}
	first := wirewatch.Item{ID: "c", FeedID: "cfg-3", Title: "Budget", Link: "https://ledger.example/budget"}
	for _, it := range []wirewatch.Item{a, b, first} {
		res, err := db.Ingest(it.FeedID, nil, []wirewatch.Item{it}, func(wirewatch.Item) []wirewatch.Alert {
			if it.ArticlePending {
				t.Errorf("alerts asked for pending item %s", it.ID)
			}
			return nil
		})
		if err != nil || res.New != 1 {
			t.Fatalf("ingest %s: %+v, %v", it.ID, res, err)
		}
	}
	left, err := db.PendingArticles()
	if err != nil || len(left) != 2 {
		t.Fatalf("pending = %+v, %v; want a and b", left, err)
	}
	for _, it := range left {
		if it.FeedID == "" || it.ArticlePending {
			t.Errorf("pending item read back as %+v", it)
		}
	}
	alert := []wirewatch.Alert{{To: "stdout", Title: "Budget"}}
	a.Link = "https://ledger.example/other" // read at its page's own URL
	for i, want := range []int{1, 0} {
		res, err := db.FinishArticle(a, alert)
		if err != nil || res.Alerts["stdout"] != want {
			t.Errorf("finish #%d: %+v, %v; want %d alert", i+1, res, err, want)
		}
	}
	b.Link = "https://ledger.example/budget" // the story feed cfg-3 brought
	res, err := db.FinishArticle(b, alert)
	if err != nil || res.Alerts["stdout"] != 0 || len(res.Merged) != 1 || res.Merged[0].WithFeed != "cfg-3" {
		t.Errorf("finish of a story seen first elsewhere: %+v, %v; want merged, no alert", res, err)
	}
	if as, _ := db.Pending("stdout", 10); len(as) != 1 {
		t.Errorf("outbox = %+v, want a's one alert", as)
	}
	if left, _ := db.PendingArticles(); len(left) != 0 {
		t.Errorf("still pending: %+v", left)
	}
}
