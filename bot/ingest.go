package bot

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/neardup"
	"github.com/wirewatch/wirewatch/store"
)

// Pipeline takes the items of a poll or a push, keeps the new ones, and
// queues the alerts they make, all in one store transaction; then it wakes
// the dispatcher.
type Pipeline struct {
	DB         *store.DB
	Watches    *Watchlist
	Location   *time.Location
	Dispatcher interface{ Kick() } // may be nil
	Metrics    *Metrics
	Log        *slog.Logger
	Now        func() time.Time // nil: time.Now
	// Articles, when set, reads the pages new items link to (fulltext.go);
	// AllowPrivate turns its SSRF guard off (allow_private_feeds). An item
	// waits at most ArticleWait for its page (0: article.DefaultWait),
	// outside its feed's commit (pending.go).
	Articles     Articles
	AllowPrivate bool
	ArticleWait  time.Duration
	// Stories, when set, recognises the same story from several outlets
	// by its article's text (samestory.go): NewStories.
	Stories *neardup.Index[*Story]

	waits waits
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Commit records one poll of f. On the feed's first poll (first true) its
// items are only marked seen — except the newest f.Backfill of them, which
// alert as new ones would — so adding a feed does not flood the channels.
func (p *Pipeline) Commit(ctx context.Context, f wirewatch.Feed, st wirewatch.FeedState, items []wirewatch.Item, first bool) error {
	now := p.now()
	items = oldestFirst(items)
	if f.Watch != "" {
		// A watch's search feed: the engine matched the whole article, so
		// each new item alerts that watch (Watchlist.Alerts).
		for i := range items {
			items[i].SearchFor = f.Watch
		}
	}
	alert := func(wirewatch.Item) bool { return true }
	if first {
		// items are oldest first: the newest Backfill are at the end.
		from := len(items) - f.Backfill
		keys := map[string]bool{}
		for i := max(from, 0); i < len(items); i++ {
			keys[items[i].FeedKey()] = true
		}
		alert = func(it wirewatch.Item) bool { return keys[it.FeedKey()] }
	}
	reads := p.withArticles(f, items, first)
	pre, saves, err := p.alerts(items, now, func(it wirewatch.Item) bool { return !it.ArticlePending && alert(it) })
	if err != nil {
		return err
	}
	res, err := p.DB.Ingest(f.ID, &st, items, func(it wirewatch.Item) []wirewatch.Alert { return pre[it.FeedKey()] })
	if err != nil {
		return err // the pending items were not recorded: the next poll reads them again
	}
	p.saveStories(saves)
	p.done(f, res, first)
	p.await(ctx, f, items, reads)
	return nil
}

// Ingest takes items pushed by a webhook: no feed state, no seeding.
func (p *Pipeline) Ingest(_ context.Context, f wirewatch.Feed, items []wirewatch.Item) error {
	now := p.now()
	for i := range items {
		items[i].FeedID = f.ID
		if items[i].Feed == "" {
			items[i].Feed = f.Name
		}
		if items[i].Published.IsZero() {
			items[i].Published = now.UTC()
		}
	}
	items = oldestFirst(items)
	pre, saves, err := p.alerts(items, now, func(wirewatch.Item) bool { return true })
	if err != nil {
		return err
	}
	res, err := p.DB.Ingest(f.ID, nil, items, func(it wirewatch.Item) []wirewatch.Alert { return pre[it.FeedKey()] })
	if err != nil {
		return err
	}
	p.saveStories(saves)
	p.done(f, res, false)
	return nil
}

// alerts matches the items not seen yet, outside the write transaction:
// polls match in parallel, and the transaction, which one poll at a time
// holds, only records. An item seen meanwhile through another feed is
// skipped by Ingest, its alerts unused. saves are the same-story records
// to save once the alerts are queued (saveStories).
func (p *Pipeline) alerts(items []wirewatch.Item, now time.Time, wanted func(wirewatch.Item) bool) (_ map[string][]wirewatch.Alert, saves []storySave, _ error) {
	if !slices.ContainsFunc(items, wanted) && !slices.ContainsFunc(items, isDocket) {
		// A feed's first poll (seeding) alerts nothing, and only docket
		// entries are noted: which items are new does not matter.
		return nil, nil, nil
	}
	unseen, changed, err := p.DB.UnseenOrChanged(items)
	if err != nil {
		return nil, nil, err
	}
	var newItems []wirewatch.Item
	for i, it := range items {
		if unseen[i] {
			newItems = append(newItems, it)
		}
	}
	p.Watches.NoteCases(newItems) // linked dockets, before matching (cases.go)
	out := map[string][]wirewatch.Alert{}
	for i, it := range items {
		if !unseen[i] && !changed[i] || !wanted(it) {
			continue // changed: alerted again, as an edit of its message
		}
		if _, done := out[it.FeedKey()]; !done {
			out[it.FeedKey()], saves = p.sameStory(it, p.Watches.Alerts(it, now, p.Location), now, saves)
		}
	}
	return out, saves, nil
}

func isDocket(it wirewatch.Item) bool { return it.Docket != nil }

func (p *Pipeline) done(f wirewatch.Feed, res store.Ingested, first bool) {
	p.Metrics.Queue(res.Alerts, res.New)
	p.Metrics.Merge(len(res.Merged))
	for _, m := range res.Merged {
		p.Log.Debug("item taken for one seen in another feed (same canonical link)", "feed", f.ID,
			"id", m.Item.ID, "link", m.Item.Link, "with_feed", m.WithFeed, "with_id", m.WithID)
	}
	queued := 0
	for _, n := range res.Alerts {
		queued += n
	}
	if res.New > 0 {
		p.Log.Debug("new items", "feed", f.ID, "new", res.New, "alerts", queued, "seeded", first, "posted_already", res.Again)
	}
	if queued > 0 && p.Dispatcher != nil {
		p.Dispatcher.Kick()
	}
}

// oldestFirst sorts items by publication time, oldest first, keeping the
// feed's order for equal times; items without a time keep their place
// relative to each other at the end (feeds list newest first, so reverse
// the input first).
func oldestFirst(items []wirewatch.Item) []wirewatch.Item {
	out := make([]wirewatch.Item, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Published, out[j].Published
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.Before(b)
	})
	return out
}
