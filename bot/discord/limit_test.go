package discord

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

func TestRouteOf(t *testing.T) {
	for _, tc := range []struct {
		method, path   string
		template       string
		major          string
		exempt, wantOK bool
	}{
		{"POST", "/api/v9/channels/123/messages", "POST /channels/{}/messages", "123", false, true},
		{"PATCH", "/api/v9/channels/123/messages/456", "PATCH /channels/{}/messages/:id", "123", false, true},
		{"POST", "/api/v9/channels/123/messages/456/threads", "POST /channels/{}/messages/:id/threads", "123", false, true},
		{"PATCH", "/api/v9/webhooks/555/tok/messages/@original", "PATCH /webhooks/{}/{}/messages/@original", "555/tok", false, true},
		{"POST", "/api/v9/interactions/111/tok/callback", "POST /interactions/:id/:token/callback", "", true, true},
		{"PUT", "/api/v9/applications/555/guilds/222/commands", "PUT /applications/:id/guilds/:id/commands", "", false, true},
		{"GET", "/gateway", "", "", false, false},
	} {
		r, ok := routeOf(tc.method, tc.path)
		if ok != tc.wantOK || r.template != tc.template || r.major != tc.major || r.exempt != tc.exempt {
			t.Errorf("routeOf(%s %s) = %+v, %v; want %q %q exempt %v, %v", tc.method, tc.path, r, ok, tc.template, tc.major, tc.exempt, tc.wantOK)
		}
	}
}

// TestLimiterGlobalRate sends 200 requests on fake time: after the burst
// they go out at the global rate, under Discord's 50 per second.
func TestLimiterGlobalRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter()
		start := time.Now()
		for i := range 200 {
			r := route{template: "POST /channels/{}/messages", major: string(rune('a' + i%20))}
			if err := l.wait(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		if rate := 200 / elapsed.Seconds(); rate > 50 {
			t.Errorf("200 requests in %s: %.1f/s, want at most 50/s", elapsed, rate)
		}
		if min := time.Duration(200-globalBurst) * l.interval; elapsed < min {
			t.Errorf("elapsed %s, want at least %s", elapsed, min)
		}
	})
}

func TestLimiterInteractionsExempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter()
		start := time.Now()
		r := route{template: "POST /interactions/:id/:token/callback", exempt: true}
		for range 500 {
			if err := l.wait(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("interaction callbacks waited %s, want no wait", d)
		}
	})
}

func TestLimiterRouteBucket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter()
		r := route{template: "POST /channels/{}/messages", major: "1"}
		other := route{template: "POST /channels/{}/messages", major: "2"}
		h := http.Header{}
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", "2.5")
		h.Set("X-RateLimit-Bucket", "b1")
		if err := l.wait(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		l.observe(r, 200, h, 0, time.Now())
		start := time.Now()
		if err := l.wait(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("another channel waited %s, want 0", d)
		}
		if err := l.wait(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 2500*time.Millisecond {
			t.Errorf("the exhausted bucket waited %s, want 2.5s", d)
		}
	})
}

func TestLimiterLongWaitReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter()
		r := route{template: "POST /channels/{}/messages", major: "1"}
		h := http.Header{}
		h.Set("Retry-After", "60")
		after, global := l.observe(r, 429, h, 0, time.Now())
		if after != time.Minute || global {
			t.Fatalf("observe 429 = %s global %v, want 1m on the route", after, global)
		}
		start := time.Now()
		err := l.wait(context.Background(), r)
		var rl *rateLimited
		if !errors.As(err, &rl) || rl.After != time.Minute {
			t.Fatalf("wait = %v, want a rate limit error asking for 1m", err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("wait blocked %s before giving up, want 0", d)
		}
	})
}

func TestLimiterContextCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter()
		r := route{template: "POST /channels/{}/messages", major: "1"}
		h := http.Header{}
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset-After", "3")
		l.observe(r, 200, h, 0, time.Now())
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := l.wait(ctx, r); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("wait = %v, want the context's deadline", err)
		}
	})
}

func TestLimiterInvalidBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter()
		r := route{template: "POST /channels/{}/messages", major: "1"}
		for range invalidBudget {
			l.observe(r, 403, http.Header{}, 0, time.Now())
		}
		other := route{template: "GET /channels/{}", major: "9"}
		err := l.wait(context.Background(), other)
		var rl *rateLimited
		if !errors.As(err, &rl) || !rl.Global || rl.After > invalidWindow || rl.After <= 0 {
			t.Fatalf("wait after %d invalid answers = %v, want every request held back", invalidBudget, err)
		}
		time.Sleep(invalidWindow)
		if err := l.wait(context.Background(), other); err != nil {
			t.Errorf("wait after the window = %v, want nil", err)
		}
		// A 429 in the shared scope does not count.
		for range invalidBudget {
			h := http.Header{}
			h.Set("X-RateLimit-Scope", "shared")
			h.Set("Retry-After", "0.001")
			l.observe(r, 429, h, 0, time.Now())
		}
		if n, _ := l.invalidCount(time.Now()); n != 0 {
			t.Errorf("shared-scope 429s counted %d invalid, want 0", n)
		}
	})
}

// A 429 that says nothing about how long (a proxy's, or a body that is not
// JSON) still pauses its route.
func TestLimiter429WithoutRetryAfter(t *testing.T) {
	l := newLimiter()
	r, _ := routeOf("POST", "/api/v9/channels/1/messages")
	now := time.Now()
	after, global := l.observe(r, http.StatusTooManyRequests, http.Header{}, 0, now)
	if after <= 0 || global {
		t.Fatalf("observe = %s, global %v; want a pause of the route", after, global)
	}
	if d, _, _ := l.reserve(r, now); d <= 0 {
		t.Errorf("reserve right after the 429 = %s, want a wait", d)
	}
	other, _ := routeOf("POST", "/api/v9/channels/2/messages")
	if d, _, _ := l.reserve(other, now); d > 0 {
		t.Errorf("another channel waits %s, want 0", d)
	}
}

// Just after start, message posts and edits wait out the bucket the run
// before may have spent; other requests do not.
func TestLimiterColdStart(t *testing.T) {
	l := newLimiter()
	now := time.Now()
	l.coldUntil = now.Add(5 * time.Second)
	post, _ := routeOf("POST", "/api/v9/channels/1/messages")
	edit, _ := routeOf("PATCH", "/api/v9/channels/1/messages/2")
	get, _ := routeOf("GET", "/api/v9/channels/1")
	if d, _, _ := l.reserve(get, now); d > 0 {
		t.Errorf("GET channel at start waits %s, want 0", d)
	}
	for _, r := range []route{post, edit} {
		if d, _, global := l.reserve(r, now); d <= 4*time.Second || global {
			t.Errorf("%s at start waits %s (global %v), want about 5s for its channel", r.template, d, global)
		}
		if d, _, _ := l.reserve(r, now.Add(5*time.Second)); d > 0 {
			t.Errorf("%s after the cold start waits %s, want 0", r.template, d)
		}
	}
}
