package wirewatch

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Digest is a channel's digest schedule: its alerts are held in the outbox
// and posted together, as one message, when the schedule comes round.
type Digest struct {
	Hourly bool
	// At is the time of day of a daily digest, in minutes after midnight
	// in the configured time zone (Hourly false).
	At int
}

// ParseDigest reads "hourly" or "daily HH:MM"; "off" and "" are no digest
// (ok false).
func ParseDigest(s string) (d Digest, ok bool, err error) {
	f := strings.Fields(strings.ToLower(s))
	switch {
	case len(f) == 0 || len(f) == 1 && f[0] == "off":
		return Digest{}, false, nil
	case len(f) == 1 && f[0] == "hourly":
		return Digest{Hourly: true}, true, nil
	case len(f) == 2 && f[0] == "daily":
		t, err := time.Parse("15:04", f[1])
		if err != nil || len(f[1]) != 5 {
			return Digest{}, false, fmt.Errorf("digest %q: the time is HH:MM, 24-hour (daily 08:00)", s)
		}
		return Digest{At: t.Hour()*60 + t.Minute()}, true, nil
	}
	return Digest{}, false, fmt.Errorf("digest %q: want off, hourly or daily HH:MM", s)
}

// Next is the first time the digest is due strictly after t, in loc.
func (d Digest) Next(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, day := t.Date()
	if d.Hourly {
		return time.Date(y, m, day, t.Hour()+1, 0, 0, 0, loc)
	}
	due := time.Date(y, m, day, d.At/60, d.At%60, 0, 0, loc)
	if !due.After(t) {
		due = time.Date(y, m, day+1, d.At/60, d.At%60, 0, 0, loc)
	}
	return due
}

// Digester is a Poster that can post a channel's digest: alerts held for
// its schedule, as one message at the channel's root.
type Digester interface {
	// PostDigest posts as (1 to FoldMax alerts of one destination) as one
	// message listing them, named by as[0].DeliveryID() so that
	// Delivered(Thread{}, as[0]) finds it after a crash.
	PostDigest(ctx context.Context, as []Alert) error
}
