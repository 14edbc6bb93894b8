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

// Quiet is a channel's quiet hours: from From until To, in minutes after
// midnight in the configured time zone; a window with From after To
// crosses midnight (22:00-07:00). During them the dispatcher holds what
// would show at the channel's root (new threads' top messages, broadcast
// copies) and posts it as one digest when they end; replies in threads
// already open still go.
type Quiet struct{ From, To int }

// ParseQuiet reads "HH:MM-HH:MM"; "off" and "" are no quiet hours (ok
// false).
func ParseQuiet(s string) (q Quiet, ok bool, err error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "off" {
		return Quiet{}, false, nil
	}
	from, to, found := strings.Cut(strings.ReplaceAll(s, " ", ""), "-")
	a, errA := time.Parse("15:04", from)
	b, errB := time.Parse("15:04", to)
	if !found || errA != nil || errB != nil || len(from) != 5 || len(to) != 5 {
		return Quiet{}, false, fmt.Errorf("quiet %q: want off or HH:MM-HH:MM, 24-hour (22:00-07:00)", Clip(s, 40))
	}
	q = Quiet{From: a.Hour()*60 + a.Minute(), To: b.Hour()*60 + b.Minute()}
	if q.From == q.To {
		return Quiet{}, false, fmt.Errorf("quiet %q: the hours start and end at the same time", s)
	}
	return q, true, nil
}

// String is the window as people write it.
func (q Quiet) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.From/60, q.From%60, q.To/60, q.To%60)
}

// In tells whether t (a wall clock time in loc) falls in the quiet hours.
func (q Quiet) In(t time.Time, loc *time.Location) bool {
	t = t.In(loc)
	m := t.Hour()*60 + t.Minute()
	if q.From < q.To {
		return q.From <= m && m < q.To
	}
	return m >= q.From || m < q.To
}

// End is the first end of the quiet hours strictly after t, in loc: when
// what was held at t is released. Across a change of clocks the window
// ends at the wall clock time To (or just after, when the change skips
// it).
func (q Quiet) End(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, day := t.Date()
	end := time.Date(y, m, day, q.To/60, q.To%60, 0, 0, loc)
	if !end.After(t) {
		end = time.Date(y, m, day+1, q.To/60, q.To%60, 0, 0, loc)
	}
	return end
}
