package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// maxBody bounds what we read of any answer from Discord (or whatever
// discord.api_url points at).
const maxBody = 4 << 20

// transport sends every REST request to the configured host, keeps the rate
// limits and turns 429s into *rateLimited errors before discordgo sees them.
// It also rewrites the gateway address that GET /gateway returns, so the
// websocket goes to the same host.
type transport struct {
	base   http.RoundTripper
	target *url.URL // nil: leave requests as they are
	lim    *limiter
	// badToken is set after a 401 on a bot route: every later request fails
	// at once rather than adding to the invalid-request count.
	badToken atomic.Bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r2 := req.Clone(req.Context())
	if t.target != nil {
		r2.URL.Scheme, r2.URL.Host, r2.Host = t.target.Scheme, t.target.Host, t.target.Host
	}
	rt, ok := routeOf(req.Method, req.URL.Path)
	if ok {
		if t.badToken.Load() && !rt.exempt && !strings.HasPrefix(rt.template, req.Method+" /webhooks/") {
			closeBody(req)
			return nil, errBadToken
		}
		if err := t.lim.wait(req.Context(), rt); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	resp, err := t.base.RoundTrip(r2)
	if err != nil {
		return nil, err
	}
	resp.Body = limitBody(resp.Body)
	if !ok {
		return resp, nil
	}
	var bodyRetry time.Duration
	if resp.StatusCode == http.StatusTooManyRequests {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var tm struct {
			RetryAfter float64 `json:"retry_after"`
		}
		if json.Unmarshal(b, &tm) == nil && tm.RetryAfter > 0 && tm.RetryAfter < 24*3600 {
			bodyRetry = time.Duration(tm.RetryAfter * float64(time.Second))
		}
		after, global := t.lim.observe(rt, resp.StatusCode, resp.Header, bodyRetry, time.Now())
		return nil, &rateLimited{Route: rt.template, After: after, Global: global, Reason: "429 from Discord"}
	}
	t.lim.observe(rt, resp.StatusCode, resp.Header, 0, time.Now())
	if resp.StatusCode == http.StatusUnauthorized && !rt.exempt && !strings.HasPrefix(rt.template, req.Method+" /webhooks/") {
		t.badToken.Store(true)
	}
	// discordgo would otherwise sleep on these headers itself, ignoring
	// the request's context; the limiter has them now.
	for k := range resp.Header {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "X-Ratelimit-") {
			resp.Header.Del(k)
		}
	}
	if t.target != nil && req.Method == http.MethodGet && resp.StatusCode == http.StatusOK &&
		(strings.HasSuffix(rt.template, " /gateway") || strings.HasSuffix(rt.template, " /gateway/bot")) {
		return t.rewriteGateway(resp)
	}
	return resp, nil
}

// rewriteGateway points the websocket address in a /gateway answer at the
// target host: ws for http, wss for https.
func (t *transport) rewriteGateway(resp *http.Response) (*http.Response, error) {
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read gateway address: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read gateway address: %w", err)
	}
	raw, _ := m["url"].(string)
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		u = &url.URL{Path: "/"}
	}
	u.Scheme = "wss"
	if t.target.Scheme == "http" {
		u.Scheme = "ws"
	}
	u.Host = t.target.Host
	m["url"] = u.String()
	b, err = json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("rewrite gateway address: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

type limitedBody struct {
	io.Reader
	io.Closer
}

func limitBody(rc io.ReadCloser) io.ReadCloser {
	return limitedBody{io.LimitReader(rc, maxBody), rc}
}
