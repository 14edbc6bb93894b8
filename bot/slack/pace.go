package slack

import (
	"context"
	"sync"
	"time"
)

// pacer spaces posts per channel: one every interval, with a small burst
// (a GCRA: each channel keeps the theoretical arrival time of its next post).
// Slack allows about one message per second per channel
// (https://docs.slack.dev/apis/web-api/rate-limits).
//
// A channel not used yet by this process starts as if its burst had just
// been spent (its first post one interval after the pacer was made): the
// process before a restart may have spent it a moment ago, and Slack
// counts it still.
type pacer struct {
	every time.Duration
	burst int
	born  time.Time

	mu  sync.Mutex
	tat map[string]time.Time
}

func newPacer(every time.Duration, burst int) *pacer {
	return &pacer{every: every, burst: burst, born: time.Now(), tat: map[string]time.Time{}}
}

// next returns ch's theoretical arrival time, the caller holding p.mu.
func (p *pacer) next(ch string, now time.Time) time.Time {
	tat, ok := p.tat[ch]
	if !ok {
		tat = p.born.Add(p.every + p.every*time.Duration(p.burst-1))
	}
	if tat.Before(now) {
		tat = now
	}
	return tat
}

// wait blocks until channel ch may post, or ctx is done.
func (p *pacer) wait(ctx context.Context, ch string) error {
	tol := p.every * time.Duration(p.burst-1)
	p.mu.Lock()
	now := time.Now()
	tat := p.next(ch, now)
	d := tat.Add(-tol).Sub(now)
	p.tat[ch] = tat.Add(p.every)
	p.mu.Unlock()
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		p.tat[ch] = p.tat[ch].Add(-p.every) // give the slot back
		p.mu.Unlock()
		return ctx.Err()
	}
}

// hold keeps channel ch quiet for d (Slack's Retry-After), then allows one
// post at a time again.
func (p *pacer) hold(ch string, d time.Duration) {
	tol := p.every * time.Duration(p.burst-1)
	now := time.Now()
	until := now.Add(d).Add(tol)
	p.mu.Lock()
	if p.next(ch, now).Before(until) {
		p.tat[ch] = until
	}
	p.mu.Unlock()
}

// spacer runs calls one at a time, each at least every after the one
// before it was sent: chat.update's Tier 3 budget is the workspace's, and
// several threads' edits wait for it at once. Unlike the pacer's
// reserved slots, the spacing is measured from the calls actually made,
// so a waiter woken late on a busy machine never sends two at once. It
// starts as if a call had just been made (a restart after a busy minute).
type spacer struct {
	every time.Duration
	turn  chan struct{} // holds the turn to call
	mu    sync.Mutex
	next  time.Time // earliest time of the next call
}

func newSpacer(every time.Duration) *spacer {
	s := &spacer{every: every, turn: make(chan struct{}, 1), next: time.Now().Add(every)}
	return s
}

// do waits for its turn and for the spacing, then runs f.
func (s *spacer) do(ctx context.Context, f func() error) error {
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.turn }()
	s.mu.Lock()
	d := time.Until(s.next)
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := f()
	s.mu.Lock()
	if n := time.Now().Add(s.every); n.After(s.next) {
		s.next = n
	}
	s.mu.Unlock()
	return err
}

// hold keeps every call off for d (Slack's Retry-After).
func (s *spacer) hold(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := time.Now().Add(d); n.After(s.next) {
		s.next = n
	}
}
