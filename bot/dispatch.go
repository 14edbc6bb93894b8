package bot

import (
	"context"
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
	// batch is how many alerts a worker reads from the outbox at a time.
	batch = 20
)

// Dispatcher drains the outbox: one worker per destination with pending
// alerts, so a slow or rate-limited channel never delays another. An alert
// leaves the outbox only when its destination accepted it (and its thread
// is saved in the same transaction) or refused it for good (parked with the
// reason). Delivery is at least once: a crash between the platform's answer
// and that transaction posts the alert again after the restart.
type Dispatcher struct {
	db      *store.DB
	senders map[string]wirewatch.Sender // by destination kind
	log     *slog.Logger
	metrics *Metrics

	kick chan struct{}

	mu      sync.Mutex
	running map[wirewatch.Destination]bool
	again   map[wirewatch.Destination]bool // kicked while running
	warned  map[string]bool                // failures already logged
	changed chan struct{}                  // closed and replaced on every delivery or park
	wg      sync.WaitGroup
}

// NewDispatcher returns a dispatcher sending with senders, keyed by
// destination kind ("stdout", "slack", "discord"). metrics may be nil.
func NewDispatcher(db *store.DB, senders map[string]wirewatch.Sender, log *slog.Logger, m *Metrics) *Dispatcher {
	return &Dispatcher{
		db: db, senders: senders, log: log, metrics: m,
		kick:    make(chan struct{}, 1),
		running: map[wirewatch.Destination]bool{},
		again:   map[wirewatch.Destination]bool{},
		warned:  map[string]bool{},
		changed: make(chan struct{}),
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
		}
	}
}

func (d *Dispatcher) start(ctx context.Context) {
	depths, err := d.db.Depths()
	if err != nil {
		d.log.Error("read outbox", "err", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for dest := range depths {
		if d.running[dest] {
			d.again[dest] = true
			continue
		}
		s := d.senders[dest.Kind()]
		if s == nil {
			d.warnOnce("nosender "+dest.Kind(), "alerts wait: no "+dest.Kind()+" delivery is configured (its token is not set)", "to", dest)
			continue
		}
		d.running[dest] = true
		d.wg.Add(1)
		go d.work(ctx, dest, s)
	}
}

// work drains one destination's outbox.
func (d *Dispatcher) work(ctx context.Context, dest wirewatch.Destination, s wirewatch.Sender) {
	defer d.wg.Done()
	for ctx.Err() == nil {
		alerts, err := d.db.Pending(dest, batch)
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
		for _, a := range alerts {
			if !d.deliver(ctx, s, a) {
				break // retry after the wait, from the outbox
			}
		}
	}
	d.mu.Lock()
	d.running[dest] = false
	d.mu.Unlock()
}

// deliver sends one alert; it returns false when the alert stays queued
// (its failed tries counted in the outbox).
func (d *Dispatcher) deliver(ctx context.Context, s wirewatch.Sender, a wirewatch.Alert) bool {
	th, err := d.db.Thread(a.To, a.Thread)
	if err != nil {
		d.log.Error("read thread", "to", a.To, "thread", a.Thread, "err", err)
		return false
	}
	if th.Title == "" {
		th.Title = threadTitle(a)
	}
	start := time.Now()
	next, err := s.Send(ctx, a, th)
	if err == nil {
		now := time.Now().UTC()
		if next.Started.IsZero() {
			next.Started = now
		}
		next.Updated = now
		if err := d.db.Delivered(a, next); err != nil {
			d.log.Error("record delivery", "to", a.To, "err", err)
			return false
		}
		d.metrics.delivered(a, time.Since(start))
		if a.Tries > 0 {
			d.log.Info("delivery recovered", "to", a.To, "tries", a.Tries+1)
			d.mu.Lock()
			clear(d.warned)
			d.mu.Unlock()
		}
		d.log.Info("alert delivered", "to", a.To, "thread", a.Thread, "title", a.Title, "quiet", a.Quiet)
		d.notify()
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	permanent, after := wirewatch.Classify(err)
	a.Tries++
	if !permanent && a.Tries >= giveUpTries && time.Since(a.Queued) > giveUpAge {
		permanent, err = true, fmt.Errorf("gave up after %d tries: %w", a.Tries, err)
	}
	if permanent {
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
		return true
	}
	if err := d.db.Retry(a); err != nil {
		d.log.Error("record retry", "to", a.To, "err", err)
	}
	wait := backoff(a.Tries)
	if after > wait {
		wait = after
	}
	// Log a failure once when it starts, not on every retry.
	if a.Tries == 1 {
		d.log.Warn("delivery failed; retrying", "to", a.To, "err", err, "retry_in", wait.Round(time.Second))
	} else {
		d.log.Debug("delivery failed again", "to", a.To, "tries", a.Tries, "err", err, "retry_in", wait.Round(time.Second))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return false
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

// WaitEmpty waits until the outbox is empty. When ctx ends first it returns
// an error naming what is still pending.
func (d *Dispatcher) WaitEmpty(ctx context.Context) error {
	for {
		d.mu.Lock()
		changed := d.changed
		d.mu.Unlock()
		depths, err := d.db.Depths()
		if err != nil {
			return err
		}
		if len(depths) == 0 {
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

// threadTitle says what a new thread is about: the case, or the watch and day.
func threadTitle(a wirewatch.Alert) string {
	if k := a.Docket; k != nil && k.Number != "" {
		if k.CaseName != "" {
			return k.CaseName + ", " + k.Number
		}
		return k.Number
	}
	label := "watch"
	if len(a.Watches) > 0 {
		label = a.Watches[0]
	}
	if i := strings.LastIndexByte(a.Thread, ':'); i >= 0 {
		return label + " · " + a.Thread[i+1:]
	}
	return label
}
