package bot

import (
	"context"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/article"
)

// An item whose article is being read does not hold its feed's poll: the
// poll's commit records it (seen, pending in the store) with the rest, and
// its alerts are queued here, when the page comes or the wait ends,
// outside any poll. A page that comes after the wait is still matched: if
// the item alerted on its feed text it is done (never twice); if not, the
// late page can alert it, once. What was pending at a stop is matched on
// its feed text at the next start (Resume).

// reading is an item of a poll whose page is being read; ch nil: an
// item read at once, or asking for no page, that waits only to keep the
// poll's order.
type reading struct {
	i  int // index in the poll's items
	ch <-chan article.Result
}

// waits are the goroutines of the items waiting for their page.
type waits struct {
	once    sync.Once
	closing sync.Once
	stop    chan struct{}
	all     sync.WaitGroup // every waiting item
	waiting sync.WaitGroup // polls whose items are not all past their wait (Settle)
}

func (w *waits) stopped() <-chan struct{} {
	w.once.Do(func() { w.stop = make(chan struct{}) })
	return w.stop
}

func (p *Pipeline) articleWait() time.Duration {
	if p.ArticleWait > 0 {
		return p.ArticleWait
	}
	return article.DefaultWait
}

// await finishes, in the background and in order, the items of rs (all
// recorded pending by the poll's commit): each when its page comes or the
// poll's wait ends, whichever is first.
func (p *Pipeline) await(ctx context.Context, f wirewatch.Feed, items []wirewatch.Item, rs []reading) {
	if len(rs) == 0 {
		return
	}
	stop := p.waits.stopped()
	p.waits.all.Add(1)
	p.waits.waiting.Add(1)
	go func() {
		defer p.waits.all.Done()
		settled := false
		defer func() {
			if !settled {
				p.waits.waiting.Done()
			}
		}()
		timer := time.NewTimer(p.articleWait())
		defer timer.Stop()
		expired := false
		for _, r := range rs {
			it := items[r.i]
			it.ArticlePending = false
			if r.ch == nil {
				p.finish(f, it)
				continue
			}
			if !expired {
				select {
				case res := <-r.ch:
					p.finish(f, p.withPage(f, it, res, false))
					continue
				case <-timer.C:
					expired = true
				case <-ctx.Done():
					return // still pending in the store: the next start finishes it
				case <-stop:
					return
				}
			}
			select {
			case res := <-r.ch:
				p.finish(f, p.withPage(f, it, res, false))
				continue
			default:
			}
			// The wait is over: match the feed's text alone. Without an
			// alert the record stays while the page may still come (a
			// read ends within a minute); a stop meanwhile leaves it to
			// the next start.
			p.Metrics.ArticleRead(articleResult(article.ErrWaited))
			if alerts := p.Watches.Alerts(it, p.now(), p.Location); len(alerts) > 0 {
				p.record(f, it, alerts, nil)
				continue // alerted: a late page changes nothing
			}
			p.waits.all.Add(1)
			go func() {
				defer p.waits.all.Done()
				p.latePage(ctx, stop, f, it, r.ch)
			}()
		}
		settled = true
		p.waits.waiting.Done()
	}()
}

// latePage matches it, which did not alert on its feed text, when its page
// comes after the wait: it may alert now, once.
func (p *Pipeline) latePage(ctx context.Context, stop <-chan struct{}, f wirewatch.Feed, it wirewatch.Item, ch <-chan article.Result) {
	select {
	case r := <-ch:
		if r.Err == nil {
			it = p.withPage(f, it, r, true)
		}
		p.finish(f, it)
	case <-ctx.Done():
	case <-stop:
	}
}

// finish matches it, its page read or not, and records the outcome.
func (p *Pipeline) finish(f wirewatch.Feed, it wirewatch.Item) {
	now := p.now()
	alerts, saves := p.sameStory(it, p.Watches.Alerts(it, now, p.Location), now, nil)
	p.record(f, it, alerts, saves)
}

// record ends it's pending record and queues alerts, in one transaction,
// then saves the same-story records saves (saveStories).
func (p *Pipeline) record(f wirewatch.Feed, it wirewatch.Item, alerts []wirewatch.Alert, saves []storySave) {
	res, err := p.DB.FinishArticle(it, alerts)
	if err != nil {
		p.Log.Error("item whose article was awaited not recorded; it is matched on its feed text at the next start", "feed", f.ID, "id", it.ID, "err", err)
		return
	}
	p.saveStories(saves)
	p.done(f, res, false)
}

// Settle waits until every item recorded pending so far is past its wait
// (matched on its page or its feed text), or ctx ends: a -once run's
// alerts are queued before it delivers them. A late page may still come.
func (p *Pipeline) Settle(ctx context.Context) error {
	done := make(chan struct{})
	go func() { p.waits.waiting.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the waits; what is still pending stays recorded, for the
// next start (Resume). Call it before the store closes.
func (p *Pipeline) Close() {
	p.waits.stopped()
	p.waits.closing.Do(func() { close(p.waits.stop) })
	p.waits.all.Wait()
}

// Resume finishes the items a previous run left pending (it stopped while
// their pages were read): they are matched on their feed text, as an item
// whose page did not come in time is.
func (p *Pipeline) Resume() error {
	items, err := p.DB.PendingArticles()
	if err != nil {
		return err
	}
	for _, it := range items {
		p.record(wirewatch.Feed{ID: it.FeedID}, it, p.Watches.Alerts(it, p.now(), p.Location), nil)
	}
	if len(items) > 0 {
		p.Log.Info("items whose article was being read at the last stop: matched on their feed text", "items", len(items))
	}
	return nil
}
