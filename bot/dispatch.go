package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// Retry policy for failures a destination calls temporary.
const (
	retryMin = 2 * time.Second
	retryMax = 10 * time.Minute
	// An alert that keeps failing is parked once it is this old and has
	// been tried giveUpTries times, so one bad alert cannot block its
	// channel forever.
	giveUpAge   = 48 * time.Hour
	giveUpTries = 20
	// batch is how many alerts a worker reads from the outbox at a time:
	// a burst folds within one batch, so it holds a thread's first post
	// and a full fold after it with room to spare.
	batch = 2 * wirewatch.FoldMax
)

// Holds: refusals people fix (a channel the bot is not yet invited to, a
// token being renewed) are retried slowly instead of parked.
const (
	holdMin = time.Minute // the bot is often invited a minute later
	holdMax = 15 * time.Minute
	// holdFor is how long a destination may refuse before its alerts park.
	holdFor = 24 * time.Hour
	// authEvery is how often a refused token is checked again.
	authEvery = 3 * time.Minute
)

// DispatcherOptions configure NewDispatcher.
type DispatcherOptions struct {
	// Posters send, by destination kind ("stdout", "slack", "discord").
	Posters map[string]wirewatch.Poster
	Log     *slog.Logger
	Metrics *Metrics // may be nil
	// DryRun: the posters print instead of delivering, and the log says so.
	DryRun bool
	// Digests: channels whose alerts are held and posted together on a
	// schedule, in Location (nil: UTC).
	Digests  map[wirewatch.Destination]wirewatch.Digest
	Location *time.Location
	// Quiet: channels' quiet hours from the config file (chat sets others
	// in the store), in Location.
	Quiet map[wirewatch.Destination]wirewatch.Quiet
}

// Dispatcher drains the outbox: one worker per destination with pending
// alerts, so a slow or rate-limited channel never delays another, and one
// editor per destination that brings threads' top messages up to date.
//
// The dispatcher decides what a thread is (its title, its top message,
// what is posted, counted, broadcast or edited) and keeps it in the store;
// Posters only render and send. An alert leaves the outbox only when its
// destination accepted it (and its thread is saved in the same
// transaction) or refused it for good (parked with the reason). An alert is
// marked in flight before it is sent, so after a crash the platform is
// asked whether it arrived before it is sent again.
type Dispatcher struct {
	db      *store.DB
	posters map[string]wirewatch.Poster
	log     *slog.Logger
	metrics *Metrics
	dryRun  bool
	digests map[wirewatch.Destination]wirewatch.Digest
	quiet   map[wirewatch.Destination]wirewatch.Quiet
	loc     *time.Location

	kick chan struct{}

	mu        sync.Mutex
	running   map[wirewatch.Destination]bool
	again     map[wirewatch.Destination]bool // kicked while running
	editing   map[wirewatch.Destination]bool
	editAgain map[wirewatch.Destination]bool
	auth      map[string]bool                      // kinds whose token is refused
	held      map[wirewatch.Destination]store.Hold // destinations refusing for now
	warned    map[string]bool                      // failures already logged
	noticing  bool                                 // a check of feeds for warnings runs
	changed   chan struct{}                        // closed and replaced on every delivery or park
	base      context.Context                      // Run's, for editors started by a delivery
	wg        sync.WaitGroup
}

// NewDispatcher returns a dispatcher delivering from db's outbox.
func NewDispatcher(db *store.DB, o DispatcherOptions) *Dispatcher {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Dispatcher{
		db: db, posters: o.Posters, log: o.Log, metrics: o.Metrics, dryRun: o.DryRun,
		digests: o.Digests, quiet: o.Quiet, loc: o.Location,
		kick:      make(chan struct{}, 1),
		running:   map[wirewatch.Destination]bool{},
		again:     map[wirewatch.Destination]bool{},
		editing:   map[wirewatch.Destination]bool{},
		editAgain: map[wirewatch.Destination]bool{},
		auth:      map[string]bool{},
		held:      map[wirewatch.Destination]store.Hold{},
		warned:    map[string]bool{},
		changed:   make(chan struct{}),
	}
}

// Kick tells the dispatcher that new alerts are in the outbox.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then waits for the workers to stop.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.mu.Lock()
	d.base = ctx
	d.mu.Unlock()
	d.resume(ctx)
	// A periodic look catches alerts requeued by another command.
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		d.start(ctx)
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return nil
		case <-d.kick:
		case <-tick.C:
			d.checkNotices(ctx)
		}
	}
}

// resume picks up what a previous process left: top messages waiting for
// an edit, and destinations on hold. A token refused then is checked again
// now (the daemon checked it at start).
func (d *Dispatcher) resume(ctx context.Context) {
	holds, err := d.db.Holds()
	if err != nil {
		d.log.Error("read holds", "err", err)
	}
	for k, h := range holds {
		if h.Auth {
			if err := d.db.ClearHold(k); err != nil {
				d.log.Error("clear hold", "key", k, "err", err)
			}
			continue
		}
		d.mu.Lock()
		d.held[wirewatch.Destination(k)] = h
		d.mu.Unlock()
	}
	dests, err := d.db.DirtyDestinations()
	if err != nil {
		d.log.Error("read threads", "err", err)
	}
	for _, dest := range dests {
		d.kickEdits(dest)
	}
}

func (d *Dispatcher) start(ctx context.Context) {
	depths, err := d.db.Depths()
	if err != nil {
		d.log.Error("read outbox", "err", err)
		return
	}
	releases := d.releasesDue()
	for dest := range releases {
		depths[dest] += 0 // a release due starts the worker too
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for dest := range depths {
		if d.running[dest] {
			d.again[dest] = true
			continue
		}
		if d.auth[dest.Kind()] {
			continue // its checker kicks when the token works again
		}
		p := d.posters[dest.Kind()]
		if p == nil {
			d.warnOnce("nosender "+dest.Kind(), "alerts wait: no "+dest.Kind()+" delivery is configured (its token is not set)", "to", dest)
			continue
		}
		if sch, _, ok := d.digestOf(dest, p); ok && !releases[dest] {
			// A digest channel's worker starts only when its digest is
			// due (the minute tick looks again).
			if due, err := d.digestDue(dest, sch); err != nil || due.IsZero() || time.Now().Before(due) {
				continue
			}
		}
		d.running[dest] = true
		d.wg.Add(1)
		go d.work(ctx, dest, p)
	}
}

// work drains one destination's outbox.
func (d *Dispatcher) work(ctx context.Context, dest wirewatch.Destination, p wirewatch.Poster) {
	defer d.wg.Done()
	d.release(ctx, p, dest)
	if sch, dg, ok := d.digestOf(dest, p); ok {
		d.deliverDigests(ctx, p, dg, dest, sch)
		d.mu.Lock()
		d.running[dest], d.again[dest] = false, false
		d.mu.Unlock()
		d.notify()
		return
	}
	for ctx.Err() == nil && !d.authHeld(dest.Kind()) {
		alerts, err := d.pending(dest, batch)
		if err != nil {
			d.log.Error("read outbox", "to", dest, "err", err)
			alerts = nil
		}
		if len(alerts) == 0 {
			d.mu.Lock()
			if d.again[dest] {
				d.again[dest] = false
				d.mu.Unlock()
				continue
			}
			d.running[dest] = false
			d.mu.Unlock()
			d.notify()
			return
		}
		// Stops at the first alert that stays queued: retried after the
		// wait, from the outbox.
		d.deliverBatch(ctx, p, alerts)
	}
	d.mu.Lock()
	d.running[dest] = false
	d.mu.Unlock()
	d.notify()
}

// deliver posts one alert with p; it returns false when the alert stays
// queued (its failed tries counted in the outbox).
func (d *Dispatcher) deliver(ctx context.Context, p wirewatch.Poster, a wirewatch.Alert) bool {
	if a.Edit {
		return d.deliverEdit(ctx, p, a) // edits.go
	}
	th, err := d.db.Thread(a.To, a.Thread)
	if err != nil {
		d.log.Error("read thread", "to", a.To, "thread", a.Thread, "err", err)
		return false
	}
	if th.Title == "" {
		th.Title, th.Watch = ThreadTitle(a), threadWatch(a)
	}
	start := time.Now()
	next, err := d.post(ctx, p, th, a)
	if errors.Is(err, errQuietHeld) {
		d.log.Info("alert held for the channel's quiet hours", "to", a.To, "thread", a.Thread, "title", a.Title)
		d.notify()
		return true
	}
	if err != nil {
		return d.failed(ctx, a, err)
	}
	d.delivered(a, next, time.Since(start))
	return true
}

// delivered logs and counts an accepted alert and lifts its destination's
// hold.
func (d *Dispatcher) delivered(a wirewatch.Alert, th wirewatch.Thread, took time.Duration) {
	d.metrics.delivered(a, took)
	d.mu.Lock()
	h, held := d.held[a.To]
	delete(d.held, a.To)
	if a.Tries > 0 || held {
		clear(d.warned)
	}
	d.mu.Unlock()
	if held {
		if err := d.db.ClearHold(string(a.To)); err != nil {
			d.log.Error("clear hold", "to", a.To, "err", err)
		}
		d.log.Info("destination accepts alerts again", "to", a.To, "was", h.Reason, "held_for", time.Since(h.Since).Round(time.Second))
	} else if a.Tries > 0 {
		d.log.Info("delivery recovered", "to", a.To, "tries", a.Tries+1)
	}
	switch {
	case d.dryRun:
		d.log.Info("dry run: alert printed to stdout, not delivered", "to", a.To, "thread", a.Thread, "title", a.Title)
	case a.Quiet:
		d.log.Info("routine alert counted in its thread, not posted", "to", a.To, "thread", a.Thread, "title", a.Title)
	default:
		d.log.Info("alert delivered", "to", a.To, "thread", a.Thread, "title", a.Title, "thread_items", th.Count)
	}
	d.notify()
}

// failed handles a refused or failed delivery: it parks, holds or retries
// a, and returns false (a stays queued) unless a was parked.
func (d *Dispatcher) failed(ctx context.Context, a wirewatch.Alert, err error) bool {
	if ctx.Err() != nil {
		return false // in flight at shutdown: checked after the restart
	}
	se := wirewatch.Class(err)
	switch {
	case se.Auth:
		a.InFlight = false
		if rerr := d.db.Retry(a); rerr != nil {
			d.log.Error("record retry", "to", a.To, "err", rerr)
		}
		d.holdAuth(ctx, a.To.Kind(), err)
		return false
	case se.Hold:
		return d.hold(ctx, a, err)
	}
	a.Tries++
	permanent := se.Permanent
	if !permanent && a.Tries >= giveUpTries && time.Since(a.Queued) > giveUpAge {
		permanent, err = true, fmt.Errorf("gave up after %d tries: %w", a.Tries, err)
	}
	if permanent {
		return d.park(ctx, a, err)
	}
	// A rate limit says the post was refused; any other failure (a 5xx,
	// Slack's fatal_error, a timeout) may have posted it: keep the mark,
	// so that the retry asks the platform first.
	a.InFlight = se.After == 0
	if err := d.db.Retry(a); err != nil {
		d.log.Error("record retry", "to", a.To, "err", err)
	}
	wait := max(backoff(a.Tries), se.After)
	// Log a failure once when it starts, not on every retry.
	if a.Tries == 1 {
		d.log.Warn("delivery failed; retrying", "to", a.To, "err", err, "retry_in", wait.Round(time.Second))
	} else {
		d.log.Debug("delivery failed again", "to", a.To, "tries", a.Tries, "err", err, "retry_in", wait.Round(time.Second))
	}
	sleep(ctx, wait)
	return false
}

// park moves a out of the outbox for good, with the reason, and says so in
// its channel where it can.
func (d *Dispatcher) park(ctx context.Context, a wirewatch.Alert, err error) bool {
	a.InFlight = false
	if perr := d.db.Park(a, err.Error()); perr != nil {
		d.log.Error("park alert", "to", a.To, "err", perr)
		return false
	}
	d.metrics.failed(a)
	d.mu.Lock() // warned is shared with the other workers
	d.warnOnce("park "+string(a.To)+" "+err.Error(), "alert parked: the destination refused it; fix the cause, then `wirewatch requeue` sends it again",
		"to", a.To, "title", a.Title, "err", err)
	d.mu.Unlock()
	d.notify()
	d.noticeParked(ctx, a, err)
	return true
}

// hold keeps a queued while its destination refuses it for a cause people
// fix, retrying slowly; after holdFor the destination's alerts park.
func (d *Dispatcher) hold(ctx context.Context, a wirewatch.Alert, err error) bool {
	d.mu.Lock()
	h, known := d.held[a.To]
	d.mu.Unlock()
	if !known || h.Reason != err.Error() {
		// Recorded once per cause, keeping the time the refusals began.
		var serr error
		if h, serr = d.db.SetHold(store.Hold{Key: string(a.To), Reason: err.Error(), Since: time.Now().UTC()}); serr != nil {
			d.log.Error("record hold", "to", a.To, "err", serr)
		}
	}
	if time.Since(h.Since) > holdFor {
		// The whole backlog parks at once, not one refused try each; the
		// worker reads the outbox afresh (false: its batch is stale).
		err = fmt.Errorf("refused for more than %s: %w", holdFor, err)
		for {
			pending, perr := d.db.Pending(a.To, batch)
			if perr != nil || len(pending) == 0 {
				return false
			}
			for _, p := range pending {
				if !d.park(ctx, p, err) {
					return false
				}
			}
		}
	}
	a.Tries++
	a.InFlight = false
	if err := d.db.Retry(a); err != nil {
		d.log.Error("record retry", "to", a.To, "err", err)
	}
	d.mu.Lock()
	d.held[a.To] = h
	d.warnOnce("hold "+string(a.To)+" "+err.Error(), "alerts held: the destination refuses them for now; retrying every few minutes, parked after "+holdFor.String(),
		"to", a.To, "err", err)
	d.mu.Unlock()
	d.notify()
	wait := holdMin << min(a.Tries-1, 10)
	if wait > holdMax || wait <= 0 {
		wait = holdMax
	}
	sleep(ctx, wait/2+rand.N(wait/2+1))
	return false
}

// holdAuth stops kind's deliveries until its token works again, checking
// it every authEvery.
func (d *Dispatcher) holdAuth(ctx context.Context, kind string, err error) {
	d.mu.Lock()
	if d.auth[kind] {
		d.mu.Unlock()
		return
	}
	d.auth[kind] = true
	d.mu.Unlock()
	// Logged before the hold is recorded, so that whoever sees the hold
	// (status, /healthz) finds the line in the log too.
	d.log.Error(kind+" refuses the bot's token: its alerts are held, not parked; the token is checked again every "+authEvery.String(),
		"kind", kind, "err", err)
	if _, serr := d.db.SetHold(store.Hold{Key: kind, Reason: err.Error(), Since: time.Now().UTC(), Auth: true}); serr != nil {
		d.log.Error("record hold", "kind", kind, "err", serr)
	}
	d.notify()
	p := d.posters[kind]
	if p == nil {
		return
	}
	d.wg.Go(func() {
		t := time.NewTicker(authEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := p.Check(ctx); err != nil {
				d.log.Debug("token still refused", "kind", kind, "err", err)
				continue
			}
			if err := d.db.ClearHold(kind); err != nil {
				d.log.Error("clear hold", "kind", kind, "err", err)
			}
			d.mu.Lock()
			delete(d.auth, kind)
			d.mu.Unlock()
			d.log.Info(kind+" accepts the token again; held alerts are sent", "kind", kind)
			d.Kick()
			if dests, err := d.db.DirtyDestinations(); err == nil {
				for _, dest := range dests {
					if dest.Kind() == kind {
						d.kickEdits(dest)
					}
				}
			}
			return
		}
	})
}

func (d *Dispatcher) authHeld(kind string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.auth[kind]
}

// warnOnce logs msg the first time key is seen; the caller holds d.mu.
func (d *Dispatcher) warnOnce(key, msg string, args ...any) {
	if d.warned[key] {
		return
	}
	d.warned[key] = true
	d.log.Warn(msg, args...)
}

func (d *Dispatcher) notify() {
	d.mu.Lock()
	close(d.changed)
	d.changed = make(chan struct{})
	d.mu.Unlock()
}

// Holds returns what stops deliveries now, by kind (a refused token) or
// destination (a channel refusing the bot), with the reason.
func (d *Dispatcher) Holds() map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]string{}
	for k := range d.auth {
		out[k] = "token refused"
	}
	for dest, h := range d.held {
		out[string(dest)] = h.Reason
	}
	return out
}

// WaitEmpty waits until the outbox is empty and every top message is up to
// date. When ctx ends first it returns an error naming what is still
// pending.
func (d *Dispatcher) WaitEmpty(ctx context.Context) error {
	for {
		d.mu.Lock()
		changed := d.changed
		editing := 0
		for _, on := range d.editing {
			if on {
				editing++
			}
		}
		d.mu.Unlock()
		depths, err := d.db.Depths()
		if err != nil {
			return err
		}
		for dest := range d.releasesDue() {
			depths[dest] += 0 // held for quiet hours now over: pending
		}
		for dest := range depths {
			// Held for a digest not yet due: not pending.
			if sch, _, ok := d.digestOf(dest, d.posters[dest.Kind()]); ok {
				if due, err := d.digestDue(dest, sch); err == nil && time.Now().Before(due) {
					delete(depths, dest)
				}
			}
		}
		if editing == 0 && len(depths) == 0 {
			// An edit not started yet (Run just began) counts too.
			dirty, err := d.db.DirtyDestinations()
			if err != nil {
				return err
			}
			for _, dest := range dirty {
				if d.posters[dest.Kind()] != nil && !d.authHeld(dest.Kind()) {
					editing++
				}
			}
		}
		if len(depths) == 0 && editing == 0 {
			return nil
		}
		d.Kick()
		select {
		case <-changed:
		case <-time.After(time.Second):
			// A destination with no sender never signals; look again.
		case <-ctx.Done():
			var parts []string
			for dest, n := range depths {
				parts = append(parts, fmt.Sprintf("%s: %d", dest, n))
			}
			if len(parts) == 0 {
				// Every alert is out; the summaries' edits are saved and
				// resume at the next start.
				d.log.Info("thread summaries left to update at the next start", "destinations", editing)
				return nil
			}
			return fmt.Errorf("alerts still pending: %s", strings.Join(parts, ", "))
		}
	}
}

func backoff(tries int) time.Duration {
	d := retryMin << min(tries-1, 20)
	if d > retryMax || d <= 0 {
		d = retryMax
	}
	// Jitter spreads retries of many alerts that failed together.
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
