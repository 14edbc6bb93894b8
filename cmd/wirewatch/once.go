package main

import (
	"context"
	"os"
	"strings"
	"sync"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
)

// seedCounter counts the feeds whose first poll a -once run recorded: a
// first poll records items without alerting, which a newcomer must be told,
// or the first run looks as if nothing happened.
type seedCounter struct {
	feeds.Sink
	mu     sync.Mutex
	seeded int
}

func (s *seedCounter) Commit(ctx context.Context, f wirewatch.Feed, st wirewatch.FeedState, items []wirewatch.Item, first bool) error {
	err := s.Sink.Commit(ctx, f, st, items, first)
	if err == nil && first {
		s.mu.Lock()
		s.seeded++
		s.mu.Unlock()
	}
	return err
}

// countSeeds puts a seedCounter between the poller and its sink.
func (m *Main) countSeeds() *seedCounter {
	s := &seedCounter{Sink: m.poller.Sink}
	m.poller.Sink = s
	return s
}

// logOnce says on stderr what a -once run did, from the run's metrics.
func (m *Main) logOnce(s *seedCounter) {
	s.mu.Lock()
	seeded := s.seeded
	s.mu.Unlock()
	failed := m.counter("wirewatch_polls_total", "result", "error")
	polled := m.counter("wirewatch_polls_total", "", "")
	attrs := []any{"feeds_polled", polled, "feeds_failed", failed,
		"new_items", m.counter("wirewatch_items_seen_total", "", ""),
		"alerts", m.counter("wirewatch_alerts_queued_total", "", ""),
		"delivered", m.counter("wirewatch_alerts_delivered_total", "", ""),
		"parked", m.counter("wirewatch_alerts_failed_total", "", "")}
	if seeded > 0 {
		m.log.Info("first poll of a feed: its items are recorded as seen, not alerted (backfill: N alerts on the newest N); from the next poll on, new items that match a watch alert",
			append([]any{"feeds_seeded", seeded}, attrs...)...)
		return
	}
	m.log.Info("poll done", attrs...)
}

// counter sums the series of the named counter, those whose label has the
// value when label is set.
func (m *Main) counter(name, label, value string) int {
	mfs, err := m.registry.Gather()
	if err != nil {
		return 0
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, s := range mf.GetMetric() {
			if label != "" {
				for _, l := range s.GetLabel() {
					if l.GetName() == label && l.GetValue() != value {
						continue series
					}
				}
			}
			total += s.GetCounter().GetValue()
		}
	}
	return int(total)
}

// logStopped closes a daemon's log after a clean shutdown, so a stop is never
// silent. Under go run, the go command itself exits 1 after Ctrl-C whatever
// the program's status (it notes the interrupt it received too): say so, as
// that 1 is not ours.
func (m *Main) logStopped(ctx context.Context) {
	attrs := []any{"exit_status", exitOK}
	if cause := context.Cause(ctx); cause != nil {
		attrs = append(attrs, "cause", cause.Error())
	}
	if exe, err := os.Executable(); err == nil && strings.Contains(exe, string(os.PathSeparator)+"go-build") {
		attrs = append(attrs, "note", "under go run, the go command reports exit status 1 after Ctrl-C; wirewatch itself exited 0 (build it with go build to see its own status)")
	}
	m.log.Info("stopped", attrs...)
}
