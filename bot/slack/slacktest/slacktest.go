// Package slacktest is a stand-in for Slack's Web API, for the adapter's
// tests and wirewatch's end-to-end tests. It keeps channels and messages
// and behaves as Slack does where the adapter depends on it:
//
//   - a reply to an unknown or deleted parent is posted at the channel root
//     with ok:true, and its answer carries no thread_ts; a reply to a reply
//     is filed under that reply's parent, which the answer names;
//   - chat.update of a deleted message answers message_not_found; fields
//     an update leaves out keep their value;
//   - posts are limited per channel and updates per workspace (Tier 3),
//     answering HTTP 429 with Retry-After, when Options ask for it;
//   - message metadata is kept and returned by conversations.history and
//     conversations.replies with include_all_metadata;
//   - a wrong or revoked token answers invalid_auth / token_revoked.
//
// It also takes posts to response URLs (/respond/…) and serves Socket
// Mode's apps.connections.open and its WebSocket. Faults can be injected
// per method and channel. It is safe for concurrent use.
package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Default tokens the server accepts.
const (
	BotToken = "xoxb-test-1234-secret"
	AppToken = "xapp-1-test-secret"
)

// Options set the limits the server enforces; zero means unlimited.
type Options struct {
	// PostEvery and PostBurst limit chat.postMessage per channel: one per
	// PostEvery, PostBurst at once (Slack: about 1 a second, small bursts).
	PostEvery time.Duration
	PostBurst int
	// UpdateEvery and UpdateBurst limit chat.update across the workspace
	// (Slack's Tier 3: about 50 a minute).
	UpdateEvery time.Duration
	UpdateBurst int
	// OmitThreadTS: answers to replies carry no thread_ts (as a proxy or
	// an odd answer might).
	OmitThreadTS bool
}

// Server is the stand-in. Set Token, AppToken and Socket before serving.
type Server struct {
	Token    string                // bot token accepted by the Web API
	AppToken string                // app token accepted by apps.connections.open
	Socket   func(*websocket.Conn) // runs a Socket Mode session
	// Notified receives (without blocking) after every call and every
	// response URL post.
	Notified chan struct{}

	o  Options
	tb testing.TB // from Start: a message check's failure fails the test

	mu       sync.Mutex
	revoked  bool
	lastTS   int64 // microseconds
	calls    []Call
	msgs     map[string]*Message // by ts
	order    []string            // ts in posting order
	chans    map[string]*Channel // unknown ids are channel_not_found
	faults   map[string][]Fault  // by "method channel"
	replies  []map[string]any
	tat      map[string]time.Time // GCRA per limit key
	limited  map[string]int       // 429s answered, by method
	joinFail map[string]bool
}

// Call is one recorded Web API call.
type Call struct {
	Method string
	Form   url.Values
	At     time.Time
	// Status is the HTTP status answered; Code the ok:false error.
	Status int
	Code   string
}

// Message is a message as the server keeps it.
type Message struct {
	Channel     string
	TS          string
	ThreadTS    string // parent's ts; empty at the channel root
	Text        string
	Blocks      string
	Attachments string
	Metadata    string // JSON as posted
	Broadcast   bool   // reply_broadcast
	Deleted     bool
	Edits       int
}

// Channel is a conversation the server knows.
type Channel struct {
	Member   bool
	Private  bool
	Archived bool
}

// Fault is one injected failure: an HTTP status (with Retry-After) or an
// ok:false code. After, when set, applies the call before answering with
// the fault (a call that half-succeeded, as Slack's fatal_error may).
type Fault struct {
	Status     int
	RetryAfter string
	Code       string
	After      bool
}

// New returns a stand-in with the default tokens. Serve it with Start, or
// as an http.Handler.
func New(o Options) *Server {
	return &Server{
		Token: BotToken, AppToken: AppToken,
		Notified: make(chan struct{}, 10000),
		o:        o,
		msgs:     map[string]*Message{},
		chans:    map[string]*Channel{},
		faults:   map[string][]Fault{},
		tat:      map[string]time.Time{},
		limited:  map[string]int{},
		joinFail: map[string]bool{},
	}
}

// Start serves s on a loopback httptest server closed at the end of the
// test, and returns its Web API URL (with the trailing slash slack-go
// expects).
func (s *Server) Start(tb testing.TB) string {
	s.FailOn(tb)
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return srv.URL + "/"
}

// FailOn makes a message that breaks Slack's limits or mentions anyone
// (check) fail tb, besides being refused as Slack would; Start does it.
func (s *Server) FailOn(tb testing.TB) {
	s.mu.Lock()
	s.tb = tb
	s.mu.Unlock()
}

// AddChannel adds a channel the bot is a member of.
func (s *Server) AddChannel(id string) {
	s.SetChannel(id, Channel{Member: true})
}

// SetChannel adds or changes a channel.
func (s *Server) SetChannel(id string, c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chans[id] = &c
}

// FailJoin makes conversations.join of ch fail (a private channel).
func (s *Server) FailJoin(ch string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.joinFail[ch] = true
}

// Revoke makes the bot token refused (token_revoked) until Restore.
func (s *Server) Revoke() { s.setRevoked(true) }

// Restore accepts the bot token again.
func (s *Server) Restore() { s.setRevoked(false) }

func (s *Server) setRevoked(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = v
}

// Inject queues faults for method in channel ch (ch "" for calls without
// a channel).
func (s *Server) Inject(method, ch string, fs ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method+" "+ch] = append(s.faults[method+" "+ch], fs...)
}

// Delete deletes the message ts, as a user would.
func (s *Server) Delete(ts string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.msgs[ts]; ok {
		m.Deleted = true
	}
}

// Calls returns the recorded calls of method ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// RateLimited returns how many calls of method were answered 429 because
// of the limits (not injected faults).
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited[method]
}

// Message returns the message ts.
func (s *Server) Message(ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgs[ts]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Messages returns ch's live messages, replies included, in posting order.
func (s *Server) Messages(ch string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, ts := range s.order {
		if m := s.msgs[ts]; m.Channel == ch && !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// Replies returns the JSON bodies posted to response URLs.
func (s *Server) Replies() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.replies)
}

func (s *Server) notify() {
	select {
	case s.Notified <- struct{}{}:
	default:
	}
}

// nextTS returns a new message ts: the wall clock in microseconds, made
// unique and increasing.
func (s *Server) nextTS() string {
	us := time.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// allow applies the GCRA limit of key: one per every, burst at once. Half
// an interval more is tolerated, for the jitter between a client's clock
// and the time its request arrives (a client spacing its calls exactly
// never sees a 429; one that bursts beyond the limit does).
func (s *Server) allow(key string, every time.Duration, burst int) (bool, time.Duration) {
	if every <= 0 {
		return true, 0
	}
	burst = max(burst, 1)
	now := time.Now()
	tat := s.tat[key]
	if tat.Before(now) {
		tat = now
	}
	if wait := tat.Add(-every*time.Duration(burst-1) - every/2).Sub(now); wait > 0 {
		return false, wait
	}
	s.tat[key] = tat.Add(every)
	return true, 0
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch {
	case strings.Contains(r.URL.Path, "/respond/"):
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		blocks, _ := json.Marshal(m["blocks"])
		text, _ := m["text"].(string)
		if _, ok := m["blocks"]; !ok {
			blocks = nil
		}
		if code, why := check(text, string(blocks), ""); code != "" && s.tb != nil {
			s.tb.Errorf("slacktest: response_url post: %s: %s", code, why)
		}
		s.replies = append(s.replies, m)
		s.mu.Unlock()
		s.notify()
		w.Write([]byte("ok"))
		return
	case method == "apps.connections.open":
		if r.Header.Get("Authorization") != "Bearer "+s.AppToken {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "url": "ws://" + r.Host + "/link"})
		return
	case method == "link":
		up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		if s.Socket != nil {
			s.Socket(conn)
		}
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	form := r.PostForm
	if len(form) == 0 {
		form = r.Form
	}
	s.mu.Lock()
	defer s.notify()
	defer s.mu.Unlock()
	c := Call{Method: method, Form: form, At: time.Now(), Status: http.StatusOK}
	defer func() { s.calls = append(s.calls, c) }()
	token := form.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	fail := func(code string) {
		c.Code = code
		writeJSON(w, map[string]any{"ok": false, "error": code})
	}
	switch {
	case token != s.Token:
		fail("invalid_auth")
		return
	case s.revoked:
		fail("token_revoked")
		return
	}
	ch := form.Get("channel")
	var after *Fault
	if q := s.faults[method+" "+ch]; len(q) > 0 {
		ft := q[0]
		s.faults[method+" "+ch] = q[1:]
		if !ft.After {
			if ft.Status != 0 {
				c.Status = ft.Status
				if ft.RetryAfter != "" {
					w.Header().Set("Retry-After", ft.RetryAfter)
				}
				w.WriteHeader(ft.Status)
				w.Write([]byte("<html>error</html>"))
				return
			}
			fail(ft.Code)
			return
		}
		after = &ft
	}
	if method == "auth.test" {
		writeJSON(w, map[string]any{"ok": true, "team": "Test", "user": "wirewatch", "team_id": "T1", "user_id": "U0BOT", "bot_id": "B1"})
		return
	}
	// Limits, as Slack applies them: posts per channel, updates per
	// workspace.
	var ok bool
	var wait time.Duration
	switch method {
	case "chat.postMessage":
		ok, wait = s.allow("post "+ch, s.o.PostEvery, s.o.PostBurst)
	case "chat.update":
		ok, wait = s.allow("update", s.o.UpdateEvery, s.o.UpdateBurst)
	default:
		ok = true
	}
	if !ok {
		s.limited[method]++
		c.Status = http.StatusTooManyRequests
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	cn, known := s.chans[ch]
	if !known {
		fail("channel_not_found")
		return
	}
	if method == "chat.postMessage" || method == "chat.update" {
		if code, why := check(form.Get("text"), form.Get("blocks"), form.Get("attachments")); code != "" {
			if s.tb != nil {
				s.tb.Errorf("slacktest: %s: %s: %s", method, code, why)
			}
			fail(code)
			return
		}
	}
	var answer map[string]any
	switch method {
	case "conversations.join":
		if cn.Private || s.joinFail[ch] {
			fail("method_not_supported_for_channel_type")
			return
		}
		cn.Member = true
		answer = map[string]any{"ok": true, "channel": map[string]any{"id": ch}}
	case "chat.postMessage":
		switch {
		case cn.Archived:
			fail("is_archived")
			return
		case !cn.Member:
			fail("not_in_channel")
			return
		}
		m := &Message{Channel: ch, TS: s.nextTS(), Text: form.Get("text"), Blocks: form.Get("blocks"),
			Attachments: form.Get("attachments"), Metadata: form.Get("metadata"), Broadcast: form.Get("reply_broadcast") == "true"}
		if p, ok := s.msgs[form.Get("thread_ts")]; ok && !p.Deleted && p.Channel == ch {
			m.ThreadTS = p.TS
			if p.ThreadTS != "" {
				m.ThreadTS = p.ThreadTS // a reply to a reply joins its thread
			}
		}
		s.msgs[m.TS] = m
		s.order = append(s.order, m.TS)
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if m.ThreadTS != "" && !s.o.OmitThreadTS {
			msg["thread_ts"] = m.ThreadTS
		}
		answer = map[string]any{"ok": true, "channel": ch, "ts": m.TS, "message": msg}
	case "chat.update":
		m, ok := s.msgs[form.Get("ts")]
		if !ok || m.Deleted || m.Channel != ch {
			fail("message_not_found")
			return
		}
		if form.Has("text") {
			m.Text = form.Get("text")
		}
		if form.Has("blocks") {
			m.Blocks = form.Get("blocks")
		}
		if form.Has("attachments") {
			m.Attachments = form.Get("attachments")
		}
		m.Edits++
		answer = map[string]any{"ok": true, "channel": ch, "ts": m.TS, "text": m.Text}
	case "conversations.history":
		answer = s.history(ch, form, false)
	case "conversations.replies":
		answer = s.history(ch, form, true)
	default:
		c.Status = http.StatusNotFound
		http.NotFound(w, r)
		return
	}
	if after != nil {
		// The call took effect, but the answer is a failure.
		if after.Status != 0 {
			c.Status = after.Status
			w.WriteHeader(after.Status)
			return
		}
		fail(after.Code)
		return
	}
	writeJSON(w, answer)
}

// history answers conversations.history (the channel's root messages and
// broadcast replies, newest first) or conversations.replies (a parent and
// its replies, oldest first), with oldest, limit and a numeric cursor.
func (s *Server) history(ch string, form url.Values, replies bool) map[string]any {
	oldest, _ := strconv.ParseFloat(form.Get("oldest"), 64)
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	parent := form.Get("ts")
	if replies {
		if p, ok := s.msgs[parent]; !ok || p.Deleted || p.Channel != ch {
			return map[string]any{"ok": false, "error": "thread_not_found"}
		}
	}
	var all []*Message
	for _, ts := range s.order {
		m := s.msgs[ts]
		if m.Channel != ch || m.Deleted {
			continue
		}
		if f, _ := strconv.ParseFloat(m.TS, 64); f < oldest {
			continue
		}
		if replies && m.TS != parent && m.ThreadTS != parent {
			continue
		}
		if !replies && m.ThreadTS != "" && !m.Broadcast {
			continue
		}
		all = append(all, m)
	}
	if !replies {
		slices.Reverse(all)
	}
	start, _ := strconv.Atoi(form.Get("cursor"))
	start = min(max(start, 0), len(all))
	end := min(start+limit, len(all))
	out := []map[string]any{}
	for _, m := range all[start:end] {
		x := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if m.ThreadTS != "" {
			x["thread_ts"] = m.ThreadTS
		}
		if m.Metadata != "" && form.Get("include_all_metadata") == "1" {
			x["metadata"] = json.RawMessage(m.Metadata)
		}
		out = append(out, x)
	}
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return map[string]any{"ok": true, "messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Pipe serves h over in-memory connections, so that a test can run inside
// a testing/synctest bubble with fake time. Close it at the end of the
// bubble.
type Pipe struct {
	Client *http.Client

	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once
	server *http.Server
}

// NewPipe serves h; requests go through p.Client.
func NewPipe(h http.Handler) *Pipe {
	p := &Pipe{conns: make(chan net.Conn), done: make(chan struct{})}
	p.server = &http.Server{Handler: h}
	go p.server.Serve(listener{p})
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, sc := net.Pipe()
		select {
		case p.conns <- sc:
			return c, nil
		case <-p.done:
			return nil, net.ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	p.Client = &http.Client{Transport: tr}
	return p
}

// URL is the API URL to give the adapter with p.Client.
func (p *Pipe) URL() string { return "http://slack.pipe/" }

// Close stops the server and the client's connections.
func (p *Pipe) Close() {
	p.Client.Transport.(*http.Transport).CloseIdleConnections()
	p.once.Do(func() { close(p.done) })
	p.server.Close()
}

type listener struct{ p *Pipe }

func (l listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.p.conns:
		return c, nil
	case <-l.p.done:
		return nil, net.ErrClosed
	}
}

func (l listener) Close() error {
	l.p.once.Do(func() { close(l.p.done) })
	return nil
}

func (l listener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
