package discord

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Discord's REST rate limits, which we keep ourselves rather than leave to
// discordgo (its retry on 429 never gives up and its waits ignore contexts).
// https://discord.com/developers/docs/topics/rate-limits
const (
	// globalRate stays under the documented 50 requests per second per bot.
	globalRate  = 45
	globalBurst = 5
	// invalidBudget caps 401, 403 and 429 answers per invalidWindow. Discord
	// bans the IP for a while at 10,000 in 10 minutes; we stop far earlier.
	invalidBudget = 1000
	invalidWindow = 10 * time.Minute
	// maxWait is the longest the transport waits for a limit before it
	// gives up and lets the caller retry later.
	maxWait = 5 * time.Second
	// maxRoutes bounds the per-route table; expired entries are pruned.
	maxRoutes = 4096
)

// rateLimited is returned when a request was refused by a limit, ours or
// Discord's, with how long to wait.
type rateLimited struct {
	Route  string
	After  time.Duration
	Global bool
	Reason string
}

func (e *rateLimited) Error() string {
	scope := "route " + e.Route
	if e.Global {
		scope = "all requests"
	}
	return fmt.Sprintf("discord rate limit on %s (%s): retry after %s", scope, e.Reason, e.After.Round(time.Millisecond))
}

// limiter keeps the global limit (a GCRA token bucket), the per-route limits
// Discord announces in X-RateLimit headers, and the invalid-request budget.
// It is safe for concurrent use.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration // between requests at the sustained global rate
	burst    time.Duration // how far ahead of schedule a burst may run
	tat      time.Time     // theoretical arrival time of the next request
	// globalUntil blocks every request after a global 429.
	globalUntil time.Time
	// coldUntil holds message posts and edits at start: the run before may
	// have spent a channel's bucket just before it stopped, and we know
	// nothing of it until Discord answers (with a 429).
	coldUntil time.Time
	routes    map[string]*routeState
	bucketOf  map[string]string // route template → Discord's bucket hash
	// invalid counts invalid answers per minute over invalidWindow.
	invalid     [10]int
	invalidSlot [10]int64 // the minute each count belongs to
}

type routeState struct {
	remaining int
	resetAt   time.Time
}

func newLimiter() *limiter {
	iv := time.Second / globalRate
	return &limiter{
		interval: iv,
		burst:    iv * (globalBurst - 1),
		routes:   map[string]*routeState{},
		bucketOf: map[string]string{},
	}
}

// route names a request for the limits: its method, its path with the ids
// that are not the top-level resource blanked out, and that resource. It
// returns ok false for paths outside the API.
type route struct {
	template string // "POST /channels/{}/messages/:id/threads"
	major    string // the channel, guild or webhook id
	exempt   bool   // interaction callbacks do not count against the global limit
	message  bool   // posts or edits a channel's message: waits out a cold start
}

func routeOf(method, path string) (route, bool) {
	i := strings.Index(path, "/api/")
	if i < 0 {
		return route{}, false
	}
	rest := path[i+len("/api/"):]
	// Drop the version segment ("v9").
	if _, after, ok := strings.Cut(rest, "/"); ok && strings.HasPrefix(rest, "v") {
		rest = after
	}
	segs := strings.Split(rest, "/")
	var r route
	for j, s := range segs {
		switch {
		case j == 1 && (segs[0] == "channels" || segs[0] == "guilds" || segs[0] == "webhooks"):
			r.major = s
			segs[j] = "{}"
		case j == 2 && segs[0] == "webhooks":
			// The webhook token is part of the top-level resource.
			r.major += "/" + s
			segs[j] = "{}"
		case j == 2 && segs[0] == "interactions":
			segs[j] = ":token"
		case isSnowflake(s):
			segs[j] = ":id"
		}
	}
	r.exempt = len(segs) > 0 && segs[0] == "interactions"
	r.template = method + " /" + strings.Join(segs, "/")
	r.message = r.template == "POST /channels/{}/messages" || r.template == "PATCH /channels/{}/messages/:id"
	return r, true
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (l *limiter) key(r route) string {
	if b, ok := l.bucketOf[r.template]; ok {
		return b + " " + r.major
	}
	return r.template + " " + r.major
}

// wait blocks until r may be sent and counts it, or returns a *rateLimited
// error when the wait would exceed maxWait, or ctx's error.
func (l *limiter) wait(ctx context.Context, r route) error {
	for {
		d, reason, global := l.reserve(r, time.Now())
		if d <= 0 {
			return nil
		}
		if d > maxWait {
			return &rateLimited{Route: r.template, After: d, Global: global, Reason: reason}
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleep waits for d, or returns ctx's error when ctx is done first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// reserve takes a slot for r at now and returns zero, or returns how long
// to wait before asking again and why.
func (l *limiter) reserve(r route, now time.Time) (time.Duration, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n, until := l.invalidCount(now); n >= invalidBudget {
		return until.Sub(now), fmt.Sprintf("%d invalid requests in %s", n, invalidWindow), true
	}
	if now.Before(l.globalUntil) {
		return l.globalUntil.Sub(now), "global limit", true
	}
	if r.message && now.Before(l.coldUntil) {
		return l.coldUntil.Sub(now), "just started: the last run may have spent the channel's bucket", false
	}
	st := l.routes[l.key(r)]
	if st != nil && st.remaining <= 0 && now.Before(st.resetAt) {
		return st.resetAt.Sub(now), "route bucket exhausted", false
	}
	if !r.exempt {
		tat := l.tat
		if tat.Before(now) {
			tat = now
		}
		if d := tat.Sub(now) - l.burst; d > 0 {
			return d, "global rate", true
		}
		l.tat = tat.Add(l.interval)
	}
	if st != nil && st.remaining > 0 {
		st.remaining--
	}
	return 0, "", false
}

// observe reads the answer to r: the bucket's remaining count and reset,
// and on 429 the wait Discord asked for. It returns that wait for a 429.
func (l *limiter) observe(r route, status int, h http.Header, bodyRetry time.Duration, now time.Time) (after time.Duration, global bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := h.Get("X-RateLimit-Bucket"); b != "" && len(b) <= 64 {
		l.bucketOf[r.template] = b
	}
	k := l.key(r)
	st := l.routes[k]
	if st == nil {
		if len(l.routes) >= maxRoutes {
			l.prune(now)
		}
		st = &routeState{remaining: 1}
		l.routes[k] = st
	}
	if v, err := strconv.Atoi(h.Get("X-RateLimit-Remaining")); err == nil && v >= 0 {
		st.remaining = v
	}
	if d, ok := seconds(h.Get("X-RateLimit-Reset-After")); ok {
		st.resetAt = now.Add(d)
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		l.countInvalid(now)
	case http.StatusTooManyRequests:
		scope := h.Get("X-RateLimit-Scope")
		if scope != "shared" {
			l.countInvalid(now)
		}
		after = bodyRetry
		if d, ok := seconds(h.Get("Retry-After")); ok && d > after {
			after = d
		}
		if d, ok := seconds(h.Get("X-RateLimit-Reset-After")); ok && d > after {
			after = d
		}
		if after <= 0 {
			after = time.Second // Discord always says; a proxy may not
		}
		global = h.Get("X-RateLimit-Global") != "" || scope == "global"
		if global {
			l.globalUntil = now.Add(after)
		} else {
			st.remaining = 0
			st.resetAt = now.Add(after)
		}
	}
	return after, global
}

func (l *limiter) prune(now time.Time) {
	for k, st := range l.routes {
		if !now.Before(st.resetAt) {
			delete(l.routes, k)
		}
	}
}

func (l *limiter) countInvalid(now time.Time) {
	m := now.Unix() / 60
	i := int(m % int64(len(l.invalid)))
	if l.invalidSlot[i] != m {
		l.invalidSlot[i], l.invalid[i] = m, 0
	}
	l.invalid[i]++
}

// invalidCount is the number of invalid answers in the window and when the
// oldest of them leaves it.
func (l *limiter) invalidCount(now time.Time) (int, time.Time) {
	m := now.Unix() / 60
	n := 0
	oldest := m
	for i, c := range l.invalid {
		s := l.invalidSlot[i]
		if c > 0 && m-s < int64(len(l.invalid)) {
			n += c
			oldest = min(oldest, s)
		}
	}
	return n, time.Unix((oldest+int64(len(l.invalid)))*60, 0)
}

// seconds parses a decimal number of seconds as Discord writes it.
func seconds(s string) (time.Duration, bool) {
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 24*3600 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}
