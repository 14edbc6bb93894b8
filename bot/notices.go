package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// Warnings where people read: a channel depends on the feeds whose alerts
// it got in the last depFor. When one of them fails for feedFailFor, or is
// a court feed gone stale on a weekday, the channel gets one warning (in
// the case's thread when its alerts were a case's), at most one a day per
// feed, and one note when the feed works again. Alerts parked for a channel
// are said there too, once a day, and a note follows once none is parked
// or queued there any more (requeued and delivered). What was said is kept in the store, so a
// restart says nothing twice.
const (
	feedFailFor = time.Hour
	warnEvery   = 24 * time.Hour
	depFor      = 30 * 24 * time.Hour
	// noticeParked is the notice key of a channel's parked alerts.
	noticeParked = "parked"
)

// feedBroken tells whether a feed in state st is broken at now, and why,
// in words for a channel.
func feedBroken(st wirewatch.FeedState, now time.Time, loc *time.Location) (bool, string) {
	if st.Stale {
		return true, fmt.Sprintf("the court has published nothing new on it since %s, which on a court day usually means the feed is stuck", st.LastBuild.In(loc).Format("Jan 2 15:04 MST"))
	}
	if st.LastResult == "error" && !st.LastOK.IsZero() && now.Sub(st.LastOK) >= feedFailFor {
		return true, fmt.Sprintf("it has failed since %s (%s)", st.LastOK.In(loc).Format("Jan 2 15:04 MST"), wirewatch.Ellipsize(st.LastError, 200))
	}
	return false, ""
}

// checkNotices runs checkFeeds and checkParked unless a run is under way.
func (d *Dispatcher) checkNotices(ctx context.Context) {
	d.mu.Lock()
	if d.noticing {
		d.mu.Unlock()
		return
	}
	d.noticing = true
	d.mu.Unlock()
	d.wg.Go(func() {
		d.checkFeeds(ctx)
		d.checkParked(ctx)
		d.mu.Lock()
		d.noticing = false
		d.mu.Unlock()
	})
}

// checkFeeds posts the warnings and recovery notes due now.
func (d *Dispatcher) checkFeeds(ctx context.Context) {
	deps, err := d.db.Deps()
	if err != nil {
		d.log.Error("read feed dependencies", "err", err)
		return
	}
	if len(deps) == 0 {
		return
	}
	states, err := d.db.FeedStates()
	if err != nil {
		d.log.Error("read feed states", "err", err)
		return
	}
	said, err := d.db.Notices()
	if err != nil {
		d.log.Error("read notices", "err", err)
		return
	}
	now := time.Now()
	for _, dep := range deps {
		st, ok := states[dep.FeedID]
		if !ok || now.Sub(dep.Last) > depFor || ctx.Err() != nil {
			continue
		}
		broken, why := feedBroken(st, now, d.loc)
		key := "feed " + dep.FeedID
		was := said[dep.To][key]
		name := dep.Source
		if name == "" {
			name = dep.FeedID
		}
		var text string
		switch {
		case broken && !was.Active && now.Sub(was.Warned) >= warnEvery:
			text = fmt.Sprintf("⚠️ wirewatch: the feed “%s” is not working: %s. Alerts from it will be late; this channel will hear when it works again.", name, why)
		case !broken && was.Active:
			text = fmt.Sprintf("✅ wirewatch: the feed “%s” works again; its alerts come as before.", name)
		default:
			continue
		}
		th := wirewatch.Thread{To: dep.To}
		if cur, err := d.db.Thread(dep.To, dep.Thread); err == nil && cur.Case() && cur.Ref != "" {
			th = cur // a case's feed: said in the case's thread
		}
		if !d.notice(ctx, th, text) {
			continue
		}
		next := store.Notice{Warned: was.Warned, Active: broken}
		if broken {
			next.Warned = now.UTC()
		}
		if err := d.db.SetNotice(dep.To, key, next); err != nil {
			d.log.Error("record notice", "to", dep.To, "err", err)
		}
	}
}

// notice posts text in th (a thread, or the channel's root) and says
// whether it went. A root notice waits while the channel's quiet hours
// last (the next check posts it).
func (d *Dispatcher) notice(ctx context.Context, th wirewatch.Thread, text string) bool {
	p := d.posters[th.To.Kind()]
	n, ok := p.(wirewatch.Noticer)
	if !ok || d.authHeld(th.To.Kind()) {
		return false
	}
	if th.Ref == "" && d.quietNow(th.To, p, time.Now()) {
		return false
	}
	if err := n.PostNotice(ctx, th, text); err != nil {
		d.mu.Lock()
		d.warnOnce("notice "+string(th.To), "cannot post a notice in the channel", "to", th.To, "err", err)
		d.mu.Unlock()
		return false
	}
	d.log.Info("notice posted", "to", th.To, "thread", th.Key, "text", text)
	return true
}

// noticeParked tells a's channel, at most once a day, that its alerts are
// being parked: where the bot can still post there (a thread refused, a
// message too big), people learn it where they read.
func (d *Dispatcher) noticeParked(ctx context.Context, a wirewatch.Alert, reason error) {
	said, err := d.db.Notices()
	if err != nil || time.Since(said[a.To][noticeParked].Warned) < warnEvery {
		return
	}
	text := fmt.Sprintf("⚠️ wirewatch: an alert for this channel (“%s”) could not be posted and was set aside: %s. Once the cause is fixed, `wirewatch requeue %s` sends what was set aside.",
		wirewatch.Ellipsize(a.Headline(), 200), wirewatch.Ellipsize(reason.Error(), 300), a.To)
	if d.notice(ctx, wirewatch.Thread{To: a.To}, text) {
		if err := d.db.SetNotice(a.To, noticeParked, store.Notice{Warned: time.Now().UTC(), Active: true}); err != nil {
			d.log.Error("record notice", "to", a.To, "err", err)
		}
	}
}

// checkParked posts the recovery note of each channel told its alerts were
// parked, once nothing is parked or queued for it any more: the cause was
// fixed and what was set aside was sent again.
func (d *Dispatcher) checkParked(ctx context.Context) {
	said, err := d.db.Notices()
	if err != nil {
		d.log.Error("read notices", "err", err)
		return
	}
	var parked map[wirewatch.Destination]store.ParkedSummary
	var depths map[wirewatch.Destination]int
	for to, keys := range said {
		was := keys[noticeParked]
		if !was.Active || ctx.Err() != nil {
			continue
		}
		if parked == nil {
			if parked, err = d.db.ParkedAlerts(); err == nil {
				depths, err = d.db.Depths()
			}
			if err != nil {
				d.log.Error("read parked alerts", "err", err)
				return
			}
		}
		if parked[to].Count > 0 || depths[to] > 0 {
			continue
		}
		if d.notice(ctx, wirewatch.Thread{To: to}, "✅ wirewatch: the alerts set aside for this channel were sent again; alerts come as before.") {
			was.Active = false
			if err := d.db.SetNotice(to, noticeParked, was); err != nil {
				d.log.Error("record notice", "to", to, "err", err)
			}
		}
	}
}
