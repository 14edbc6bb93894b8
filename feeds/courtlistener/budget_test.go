package courtlistener

import (
	"net/http"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/feeds"
)

// A caller that asks again as soon as the budget allows gets, over two
// days, no more than the quotas in any window and never two requests less
// than 12 s apart.
func TestBudgetSpreadsWithinQuotas(t *testing.T) {
	b := newBudget(FreeLimits)
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	now := start
	var grants []time.Time
	for now.Before(start.Add(48 * time.Hour)) {
		if d := b.reserve(now); d > 0 {
			now = now.Add(d)
			continue
		}
		grants = append(grants, now)
	}
	for i := 1; i < len(grants); i++ {
		if gap := grants[i].Sub(grants[i-1]); gap < 12*time.Second {
			t.Fatalf("requests %d and %d are %s apart, want ≥ 12s", i-1, i, gap)
		}
	}
	for _, l := range FreeLimits {
		for i := range grants {
			n := 0
			for j := i; j < len(grants) && grants[j].Sub(grants[i]) < l.Per; j++ {
				n++
			}
			if n > l.N {
				t.Fatalf("%d requests within %s from %s, want ≤ %d", n, l.Per, grants[i].Sub(start), l.N)
			}
		}
	}
	if got, want := len(grants), 250; got != want {
		t.Errorf("%d requests in 48 h, want %d (the daily quota, used)", got, want)
	}
}

func TestBudgetBackoff(t *testing.T) {
	b := newBudget(FreeLimits)
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if d := b.reserve(now); d != 0 {
		t.Fatalf("first reserve %s, want 0", d)
	}
	b.throttled(now, 0) // no Retry-After: one minute
	if d := b.reserve(now); d != time.Minute {
		t.Errorf("after a 429: wait %s, want 1m", d)
	}
	b.throttled(now, 0) // again: doubled
	if d := b.reserve(now); d != 2*time.Minute {
		t.Errorf("after two 429s: wait %s, want 2m", d)
	}
	b.throttled(now, 90*time.Second) // Retry-After shorter than the current stop: the longer stands
	if d := b.reserve(now); d != 2*time.Minute {
		t.Errorf("wait %s, want 2m", d)
	}
	b.succeeded()
	now = now.Add(2 * time.Minute)
	if d := b.reserve(now); d != 0 {
		t.Errorf("after the stop: wait %s, want 0", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"30":                            30 * time.Second,
		"":                              0,
		"soon":                          0,
		"-5":                            0,
		"Mon, 23 Nov 2026 12:02:00 GMT": 2 * time.Minute,
		"99999999":                      24 * time.Hour,
	} {
		if got := feeds.RetryAfterHeader(http.Header{"Retry-After": {in}}, now); got != want {
			t.Errorf("RetryAfterHeader(%q) = %s, want %s", in, got, want)
		}
	}
}
