package feeds

import (
	"errors"
	"math/rand/v2"
	"time"
)

// Scheduling bounds.
const (
	// DefaultInterval is used when a feed has no interval of its own.
	DefaultInterval = 5 * time.Minute
	// MinInterval is the shortest interval the config file may set.
	MinInterval = time.Second
	// MaxPoll bounds how far a feed's TTL, Cache-Control or Expires may push
	// its next poll beyond its interval.
	MaxPoll = 24 * time.Hour
	// MaxBackoff caps the backoff after failures (unless the feed's own
	// interval is longer). A failing feed is polled at least this often, so
	// it is back within MaxBackoff of its server's recovery.
	MaxBackoff = 6 * time.Hour
)

// NextPoll says when to poll a feed next.
//
// After a success (errorsInARow == 0) it is now + max(interval, ttl,
// cacheFor, retryAfter), the raise above the interval bounded by MaxPoll.
//
// After the n-th failure in a row it is now + a backoff drawn uniformly from
// [b/2, b], where b = interval·2^(n-1) capped at MaxBackoff (or at interval,
// if that is longer), and never less than retryAfter (itself at most
// MaxRetryAfter). Polls never stop: however many failures, the next one is at
// most max(MaxBackoff, interval, MaxRetryAfter) away. rnd supplies the jitter;
// nil draws from math/rand/v2's global source.
func NextPoll(now time.Time, interval time.Duration, errorsInARow int, retryAfter, ttl, cacheFor time.Duration, rnd *rand.Rand) time.Time {
	if interval <= 0 {
		interval = DefaultInterval
	}
	interval = max(interval, MinInterval)
	retryAfter = min(max(retryAfter, 0), MaxRetryAfter)

	if errorsInARow <= 0 {
		d := max(interval, ttl, cacheFor, retryAfter)
		return now.Add(min(d, max(interval, MaxPoll)))
	}

	limit := max(MaxBackoff, interval)
	b := interval
	for i := 1; i < errorsInARow && b < limit; i++ {
		b *= 2
	}
	b = min(b, limit)
	half := b / 2
	var j time.Duration
	if span := int64(b - half); span > 0 {
		if rnd != nil {
			j = time.Duration(rnd.Int64N(span + 1))
		} else {
			j = time.Duration(rand.Int64N(span + 1))
		}
	}
	d := max(half+j, retryAfter)
	return now.Add(d)
}

// RetryAfterOf is the Retry-After that a fetch error carries (429 and 503),
// zero for any other error; pass it to NextPoll.
func RetryAfterOf(err error) time.Duration {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.RetryAfter
	}
	return 0
}
