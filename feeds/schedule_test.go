package feeds

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestNextPollOK(t *testing.T) {
	now := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                                string
		interval, retryAfter, ttl, cacheFor time.Duration
		want                                time.Duration
	}{
		{"interval", 5 * time.Minute, 0, 0, 0, 5 * time.Minute},
		{"default interval", 0, 0, 0, 0, DefaultInterval},
		{"below the minimum", time.Millisecond, 0, 0, 0, time.Second},
		{"ttl raises", time.Minute, 0, 15 * time.Minute, 0, 15 * time.Minute},
		{"cache raises", time.Minute, 0, 0, 10 * time.Minute, 10 * time.Minute},
		{"largest wins", time.Minute, 0, 15 * time.Minute, 30 * time.Minute, 30 * time.Minute},
		{"ttl below interval", time.Hour, 0, time.Minute, 0, time.Hour},
		{"raise clamped", time.Minute, 0, 0, 100 * time.Hour, MaxPoll},
		{"long interval kept", 48 * time.Hour, 0, 0, 0, 48 * time.Hour},
		{"retry-after on success", time.Minute, 2 * time.Minute, 0, 0, 2 * time.Minute},
		{"negative inputs", time.Minute, -time.Hour, -time.Hour, -time.Hour, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NextPoll(now, tc.interval, 0, tc.retryAfter, tc.ttl, tc.cacheFor, rand.New(rand.NewPCG(1, 2)))
			if d := got.Sub(now); d != tc.want {
				t.Fatalf("got now+%s, want now+%s", d, tc.want)
			}
		})
	}
}

func TestNextPollBackoff(t *testing.T) {
	now := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	rnd := rand.New(rand.NewPCG(7, 7))
	interval := time.Minute
	prevHi := time.Duration(0)
	for n := 1; n <= 40; n++ {
		base := interval
		for i := 1; i < n && base < MaxBackoff; i++ {
			base *= 2
		}
		base = min(base, MaxBackoff)
		lo, hi := base/2, base
		for range 50 {
			d := NextPoll(now, interval, n, 0, 0, 0, rnd).Sub(now)
			if d < lo || d > hi {
				t.Fatalf("errors %d: got %s, want within [%s, %s]", n, d, lo, hi)
			}
		}
		if hi < prevHi {
			t.Fatalf("errors %d: backoff ceiling fell from %s to %s", n, prevHi, hi)
		}
		prevHi = hi
	}
	// However many failures, the feed is polled again within MaxBackoff.
	for _, n := range []int{100, 1000, 1 << 30} {
		d := NextPoll(now, interval, n, 0, 0, 0, rnd).Sub(now)
		if d <= 0 || d > MaxBackoff {
			t.Fatalf("errors %d: got %s, want within (0, %s]", n, d, MaxBackoff)
		}
	}
}

func TestNextPollJitter(t *testing.T) {
	now := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	rnd := rand.New(rand.NewPCG(3, 4))
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[NextPoll(now, 10*time.Minute, 3, 0, 0, 0, rnd).Sub(now)] = true
	}
	if len(seen) < 10 {
		t.Fatalf("20 backoffs gave %d distinct delays, want jitter", len(seen))
	}
	// A nil source jitters too, within the same bounds.
	for range 20 {
		if d := NextPoll(now, 10*time.Minute, 3, 0, 0, 0, nil).Sub(now); d < 20*time.Minute || d > 40*time.Minute {
			t.Fatalf("nil rnd: got %s, want within [20m, 40m]", d)
		}
	}
}

func TestNextPollRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	rnd := rand.New(rand.NewPCG(5, 6))
	// The server's Retry-After is a floor on the backoff.
	if d := NextPoll(now, time.Minute, 1, 2*time.Hour, 0, 0, rnd).Sub(now); d != 2*time.Hour {
		t.Fatalf("got %s, want the 2h Retry-After", d)
	}
	// A short Retry-After does not shorten the backoff.
	if d := NextPoll(now, time.Hour, 3, time.Second, 0, 0, rnd).Sub(now); d < 2*time.Hour {
		t.Fatalf("got %s, want the backoff of at least 2h", d)
	}
	// An absurd one is bounded, so the feed still comes back.
	if d := NextPoll(now, time.Minute, 1, 1000*time.Hour, 0, 0, rnd).Sub(now); d != MaxRetryAfter {
		t.Fatalf("got %s, want %s", d, MaxRetryAfter)
	}
	// A feed with a long interval backs off from that interval.
	if d := NextPoll(now, 12*time.Hour, 5, 0, 0, 0, rnd).Sub(now); d < 6*time.Hour || d > 12*time.Hour {
		t.Fatalf("got %s, want within [6h, 12h]", d)
	}
}

func TestRetryAfterOf(t *testing.T) {
	he := &HTTPError{URL: "https://news.example/rss", Status: 429, RetryAfter: time.Minute}
	for _, tc := range []struct {
		err  error
		want time.Duration
	}{
		{he, time.Minute},
		{fmt.Errorf("poll cfg-1: %w", he), time.Minute},
		{&HTTPError{Status: 404}, 0},
		{errors.New("connection refused"), 0},
		{nil, 0},
	} {
		if got := RetryAfterOf(tc.err); got != tc.want {
			t.Errorf("RetryAfterOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}
