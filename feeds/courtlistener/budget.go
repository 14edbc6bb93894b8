package courtlistener

import (
	"sync"
	"time"
)

// Limit is one request quota: N requests per Per.
type Limit struct {
	N   int
	Per time.Duration
}

// FreeLimits are CourtListener's quotas for authenticated free accounts
// (cl/settings/third_party/rest_framework.py, since 2026-04-24).
var FreeLimits = []Limit{{5, time.Minute}, {50, time.Hour}, {125, 24 * time.Hour}}

const (
	firstBackoff = time.Minute
	maxBackoff   = time.Hour
)

// budget spreads requests under several quotas at once and backs off on 429.
type budget struct {
	mu      sync.Mutex
	limits  []Limit
	spacing time.Duration // minimum gap between two requests
	longest time.Duration
	grants  []time.Time // times of granted requests within the longest window, oldest first
	until   time.Time   // no request before this (429)
	strikes int         // 429s in a row
}

func newBudget(limits []Limit) *budget {
	b := &budget{limits: limits}
	for _, l := range limits {
		if l.N <= 0 || l.Per <= 0 {
			continue
		}
		if b.spacing == 0 || l.Per/time.Duration(l.N) < b.spacing {
			// the shortest window's even spacing: 5 a minute → 12 s
			b.spacing = l.Per / time.Duration(l.N)
		}
		b.longest = max(b.longest, l.Per)
	}
	return b
}

// next is how long from now until a request is allowed; b.mu held.
func (b *budget) next(now time.Time) time.Duration {
	// forget grants older than the longest window
	i := 0
	for i < len(b.grants) && now.Sub(b.grants[i]) >= b.longest {
		i++
	}
	b.grants = b.grants[i:]
	var wait time.Duration
	if d := b.until.Sub(now); d > wait {
		wait = d
	}
	if n := len(b.grants); n > 0 {
		if d := b.grants[n-1].Add(b.spacing).Sub(now); d > wait {
			wait = d
		}
	}
	for _, l := range b.limits {
		if l.N <= 0 || l.Per <= 0 {
			continue
		}
		// grants within (now-Per, now]
		in := 0
		for j := len(b.grants) - 1; j >= 0 && now.Sub(b.grants[j]) < l.Per; j-- {
			in++
		}
		if in >= l.N {
			// the window frees a slot when its oldest counted grant leaves it
			oldest := b.grants[len(b.grants)-l.N]
			if d := oldest.Add(l.Per).Sub(now); d > wait {
				wait = d
			}
		}
	}
	return wait
}

// reserve grants a request now (returning 0) or says how long to wait.
func (b *budget) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d := b.next(now); d > 0 {
		return d
	}
	b.grants = append(b.grants, now)
	return 0
}

// throttled records a 429 answer.
func (b *budget) throttled(now time.Time, retryAfter time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := retryAfter
	if d <= 0 {
		d = firstBackoff << min(b.strikes, 10)
	}
	d = min(d, maxBackoff)
	b.strikes++
	if u := now.Add(d); u.After(b.until) {
		b.until = u
	}
}

// succeeded resets the 429 backoff.
func (b *budget) succeeded() {
	b.mu.Lock()
	b.strikes = 0
	b.mu.Unlock()
}
