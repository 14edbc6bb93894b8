package feeds

import (
	"log/slog"
	"sync"
	"time"
)

// Store writes the poller makes, each watched on its own: on a nearly full
// disk a small batch of feed states may still fit where a poll's items do
// not, and one must not announce the other's recovery.
const (
	opRecordPoll = iota // Sink.Commit: a poll's items and state
	opSaveStates        // States.FlushFeedStates: the queued states
	numOps
)

var opNames = [numOps]string{"record poll", "save feed states"}

// recoverAfter is how long writes must succeed before a failure is over:
// on a disk that is just full, some writes fit and others do not, and the
// log should say "failing" and "recovered" once, not at every poll.
const recoverAfter = time.Minute

// health follows the store writes of the poller: the first failure is
// logged as an error with what it costs, the failures after it are debug
// lines, and the recovery is logged once with how long it lasted.
type health struct {
	log *slog.Logger
	mu  sync.Mutex
	ops [numOps]opHealth
}

type opHealth struct {
	err      error     // the latest failure, nil when healthy
	since    time.Time // when it started failing
	last     time.Time // the latest failure
	failures int
}

// result records the outcome of one write.
func (h *health) result(op int, err error) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	o := &h.ops[op]
	if err == nil {
		if o.err != nil && now.Sub(o.last) >= recoverAfter {
			h.log.Info("store writes work again", "op", opNames[op], "failing_for", now.Sub(o.since).Round(time.Second), "failures", o.failures)
			*o = opHealth{}
		}
		return
	}
	o.failures++
	o.last = now
	if o.err == nil {
		o.since = now
		h.log.Error("store writes failing; polls go on, and what they found is written once the store takes writes again", "op", opNames[op], "err", err)
	} else {
		h.log.Debug("store write failed again", "op", opNames[op], "err", err, "failures", o.failures)
	}
	o.err = err
}

// failing returns the earliest failure under way, if any.
func (h *health) failing() (since time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range h.ops {
		if o.err != nil && (err == nil || o.since.Before(since)) {
			since, err = o.since, o.err
		}
	}
	return since, err
}
