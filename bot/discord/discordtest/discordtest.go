// Package discordtest stands in for Discord's REST API and gateway in tests:
// enough of channels, messages, threads, forum posts, commands and
// interaction callbacks to drive the bot/discord adapter, in the package's
// own tests and in end-to-end tests of the daemon alike.
//
// It behaves as Discord documents: a thread started from a message has the
// message's id and a second start fails with 160004; a forum post's starter
// message has the post's id; posting in an archived thread reopens it unless
// it is locked (160005); edits inside an archived thread fail with 50083;
// a message sent with enforce_nonce and a nonce the same author used in the
// last few minutes returns that message instead of creating one. Every
// message body is checked for allowed_mentions with an empty parse list and
// for Discord's length limits; a body that breaks them fails the test.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Discord's limits, counted in characters, as the stand-in enforces them.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	MaxContent    = 2000
	MaxTitle      = 256
	MaxDesc       = 4096
	MaxFields     = 25
	MaxFieldName  = 256
	MaxFieldValue = 1024
	MaxEmbedTotal = 6000
	MaxThreadName = 100
	MaxNonce      = 25
	// Components (https://discord.com/developers/docs/components/reference).
	MaxRows       = 5
	MaxRowButtons = 5
	MaxCustomID   = 100
	MaxLabel      = 80
)

// Error codes the stand-in answers with.
const (
	CodeUnknownChannel = 10003
	CodeUnknownMessage = 10008
	CodeMissingAccess  = 50001
	CodeMissingPerms   = 50013
	CodeInvalidForm    = 50035
	CodeArchived       = 50083
	CodeThreadExists   = 160004
	CodeThreadLocked   = 160005
)

// NonceWindow is how long a nonce is remembered ("the past few minutes").
const NonceWindow = 5 * time.Minute

// BotUserID is the id GET /users/@me and READY give the bot.
const BotUserID = "777"

// Channel is a guild channel (not a thread).
type Channel struct {
	ID      string
	Type    discordgo.ChannelType
	GuildID string
	// Tags of a forum; RequireTag: a post must carry one.
	Tags       []discordgo.ForumTag
	RequireTag bool
}

// Message is a message as the stand-in keeps it.
type Message struct {
	ID, Channel string
	Content     string
	Embeds      []*discordgo.MessageEmbed
	Nonce       string
	Buttons     []Button // of its action rows, in order
}

// Button is a message's button as posted.
type Button struct {
	CustomID string `json:"custom_id"`
	Label    string `json:"label"`
	Style    int    `json:"style"`
}

// Thread is a thread (from a message, or a forum post).
type Thread struct {
	ID, Parent, Name string
	Tags             []string
	Archive          int // auto_archive_duration
	Archived         bool
	Locked           bool
	Deleted          bool
}

// Request is one request the stand-in received.
type Request struct {
	Method, Path, Auth string
	Body               []byte
	// ID is the message a POST of a message created or, for a repeated
	// nonce, returned.
	ID string
}

// FailFunc may answer a request instead of the stand-in: ok true sends
// status, the headers and body as they are.
type FailFunc func(r *http.Request, body []byte) (status int, hdr map[string]string, resp string, ok bool)

// Server is the stand-in. Its zero value is not usable; call New.
type Server struct {
	URL string // with a trailing slash, for discord.api_url

	tb    testing.TB
	srv   *httptest.Server
	token string

	// Identify receives the gateway's Identify payload; Edits, Callbacks and
	// Puts receive interaction reply edits, interaction callbacks and command
	// registrations as they come (dropped when full).
	Identify  chan map[string]any
	Edits     chan Request
	Callbacks chan Request
	Puts      chan Request

	mu       sync.Mutex
	nextID   int64
	now      func() time.Time
	channels map[string]*Channel
	messages map[string]*Message
	threads  map[string]*Thread
	nonces   map[string]nonceEntry // author + nonce → message
	reqs     []Request
	fail     FailFunc
	dispatch []string
	got      chan struct{} // signalled after every request
	// limit, per: message posts and edits allowed per channel per window
	// (0: no limit); buckets by route and channel; tooMany counts 429s.
	limit   int
	per     time.Duration
	buckets map[string]*bucket
	tooMany int
}

type bucket struct {
	start time.Time
	n     int
}

type nonceEntry struct {
	msg string
	at  time.Time
}

// New starts a stand-in that closes when the test ends. token, when not
// empty, is the bot token every bot route requires ("Bot " + token);
// other Authorization gets 401.
func New(tb testing.TB, token string) *Server {
	s := &Server{
		tb:        tb,
		token:     token,
		Identify:  make(chan map[string]any, 1),
		Edits:     make(chan Request, 16),
		Callbacks: make(chan Request, 16),
		Puts:      make(chan Request, 16),
		now:       time.Now,
		channels:  map[string]*Channel{},
		messages:  map[string]*Message{},
		threads:   map[string]*Thread{},
		nonces:    map[string]nonceEntry{},
		got:       make(chan struct{}, 1),
		buckets:   map[string]*bucket{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + "/"
	return s
}

// AddChannel adds (or replaces) a guild channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.GuildID == "" {
		c.GuildID = "5"
	}
	s.channels[c.ID] = &c
}

// DeleteChannel deletes a channel and every thread in it.
func (s *Server) DeleteChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, id)
	for _, th := range s.threads {
		if th.Parent == id {
			th.Deleted = true
		}
	}
}

// AddThread adds a thread of parent, with a starter message of its id
// in parent (as a thread started from a message has).
func (s *Server) AddThread(th Thread) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.threads[th.ID] = &th
	if _, ok := s.messages[th.ID]; !ok {
		s.messages[th.ID] = &Message{ID: th.ID, Channel: th.Parent}
	}
}

// UpdateThread changes thread id with f (archive, lock, delete it) and
// reports whether it exists.
func (s *Server) UpdateThread(id string, f func(*Thread)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.threads[id]
	if ok {
		f(th)
	}
	return ok
}

// Thread returns a copy of thread id.
func (s *Server) Thread(id string) (Thread, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.threads[id]
	if !ok {
		return Thread{}, false
	}
	return *th, true
}

// Threads returns copies of the threads whose parent is channel.
func (s *Server) Threads(parent string) []Thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Thread
	for _, th := range s.threads {
		if th.Parent == parent {
			out = append(out, *th)
		}
	}
	return out
}

// Message returns a copy of message id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Messages returns copies of the messages in channel (a thread's id for
// the messages in a thread), oldest first; channel "" means all.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, *m)
		}
	}
	// Ids grow: order by length, then text.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && idLess(out[j].ID, out[j-1].ID); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// DeleteMessage deletes message id.
func (s *Server) DeleteMessage(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.messages, id)
}

// SetFail installs f (nil: none).
func (s *Server) SetFail(f FailFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// SetNow sets the stand-in's clock, for the nonce window.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetMessageLimit has the stand-in keep a rate limit as Discord does: at
// most n message posts, and n edits, per channel in each window of per;
// the next gets 429 with Retry-After and X-RateLimit-* headers (every
// answer on those routes carries the bucket's headers). n 0: no limit.
func (s *Server) SetMessageLimit(n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.per = n, per
	clear(s.buckets)
}

// TooMany is how many 429s the stand-in has answered for its limits.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooMany
}

// limited keeps the message limit for a request; it answers and returns
// true when the request is over it. The caller holds s.mu.
func (s *Server) limited(w http.ResponseWriter, method string, seg []string) bool {
	if s.limit <= 0 || len(seg) < 3 || seg[0] != "channels" || seg[2] != "messages" ||
		!(method == "POST" && len(seg) == 3 || method == "PATCH" && len(seg) == 4) {
		return false
	}
	key := method + " " + seg[1]
	now := s.now()
	b := s.buckets[key]
	if b == nil || now.Sub(b.start) >= s.per {
		b = &bucket{start: now}
		s.buckets[key] = b
	}
	reset := s.per - now.Sub(b.start)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(method)))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(reset.Seconds(), 'f', 3, 64))
	if b.n >= s.limit {
		s.tooMany++
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Scope", "user")
		h.Set("Retry-After", strconv.Itoa(int(reset.Seconds()+0.999)))
		writeJSON(w, 429, map[string]any{"message": "You are being rate limited.", "retry_after": reset.Seconds(), "global": false})
		return true
	}
	b.n++
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.limit-b.n))
	return false
}

// Dispatch queues INTERACTION_CREATE payloads the gateway sends after READY.
func (s *Server) Dispatch(payloads ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatch = append(s.dispatch, payloads...)
}

// Requests returns the requests with method (any when "") whose path
// starts with prefix (e.g. "/api/v9/channels/1/messages").
func (s *Server) Requests(method, prefix string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.reqs {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// Match returns the requests with method whose path after /api/vN/ has
// pattern's segments, "*" matching any one segment.
func (s *Server) Match(method, pattern string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := strings.Split(pattern, "/")
	var out []Request
	for _, r := range s.reqs {
		seg, ok := apiPath(r.Path)
		if !ok || r.Method != method || len(seg) != len(want) {
			continue
		}
		match := true
		for i := range seg {
			if want[i] != "*" && want[i] != seg[i] {
				match = false
			}
		}
		if match {
			out = append(out, r)
		}
	}
	return out
}

// Wait waits until Match(method, pattern) has n requests and returns them;
// it fails the test after timeout.
func (s *Server) Wait(method, pattern string, n int, timeout time.Duration) []Request {
	s.tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if rs := s.Match(method, pattern); len(rs) >= n {
			return rs
		}
		select {
		case <-s.got:
		case <-deadline.C:
			s.tb.Fatalf("timed out waiting for %d %s %s; got %d", n, method, pattern, len(s.Match(method, pattern)))
		}
	}
}

// apiPath splits a path after /api/vN/ into segments.
func apiPath(p string) ([]string, bool) {
	rest, ok := strings.CutPrefix(p, "/api/v")
	if !ok {
		return nil, false
	}
	_, rest, ok = strings.Cut(rest, "/")
	if !ok {
		return nil, false
	}
	return strings.Split(rest, "/"), true
}

// discordEpoch is the start of Discord's snowflakes.
const discordEpoch = 1420070400000

// id is a new snowflake: the stand-in's time in its top bits, as Discord's
// ids have, so that listing messages after a time works; always growing.
func (s *Server) id() string {
	n := (s.now().UnixMilli() - discordEpoch) << 22
	if n <= s.nextID {
		n = s.nextID + 1
	}
	s.nextID = n
	return fmt.Sprint(n)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

// messageBody is what the stand-in reads of a message create or edit.
type messageBody struct {
	Content      *string                   `json:"content"`
	Embeds       []*discordgo.MessageEmbed `json:"embeds"`
	Nonce        *json.RawMessage          `json:"nonce"`
	EnforceNonce bool                      `json:"enforce_nonce"`
	Components   []struct {
		Type       int      `json:"type"`
		Components []Button `json:"components"`
	} `json:"components"`
	AllowedMentions *struct {
		Parse *[]string `json:"parse"`
	} `json:"allowed_mentions"`
}

// check fails the test if a message body lacks allowed_mentions with an
// empty parse list or breaks Discord's limits; it returns the body read.
func (s *Server) check(path string, body []byte) (messageBody, bool) {
	var m messageBody
	if err := json.Unmarshal(body, &m); err != nil {
		s.tb.Errorf("%s: body is not JSON: %v", path, err)
		return m, false
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(*m.AllowedMentions.Parse) != 0 {
		s.tb.Errorf("%s: allowed_mentions missing or parse not empty: %s", path, body)
		return m, false
	}
	if m.Content != nil && utf8.RuneCountInString(*m.Content) > MaxContent {
		s.tb.Errorf("%s: content has %d characters", path, utf8.RuneCountInString(*m.Content))
		return m, false
	}
	total := 0
	for _, e := range m.Embeds {
		if utf8.RuneCountInString(e.Title) > MaxTitle || utf8.RuneCountInString(e.Description) > MaxDesc || len(e.Fields) > MaxFields {
			s.tb.Errorf("%s: embed over a limit", path)
			return m, false
		}
		total += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		if e.Footer != nil {
			total += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			total += utf8.RuneCountInString(e.Author.Name)
		}
		for _, f := range e.Fields {
			if utf8.RuneCountInString(f.Name) > MaxFieldName || utf8.RuneCountInString(f.Value) > MaxFieldValue || f.Value == "" {
				s.tb.Errorf("%s: field %q over a limit or empty", path, f.Name)
				return m, false
			}
			total += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
	}
	if total > MaxEmbedTotal {
		s.tb.Errorf("%s: embeds total %d characters", path, total)
		return m, false
	}
	if len(m.Components) > MaxRows {
		s.tb.Errorf("%s: %d action rows", path, len(m.Components))
		return m, false
	}
	seen := map[string]bool{}
	for _, row := range m.Components {
		if row.Type != int(discordgo.ActionsRowComponent) || len(row.Components) == 0 || len(row.Components) > MaxRowButtons {
			s.tb.Errorf("%s: action row of type %d with %d components", path, row.Type, len(row.Components))
			return m, false
		}
		for _, b := range row.Components {
			if b.CustomID == "" || len(b.CustomID) > MaxCustomID || seen[b.CustomID] || utf8.RuneCountInString(b.Label) > MaxLabel {
				s.tb.Errorf("%s: button %+v: custom_id missing, repeated or over %d, or label over %d", path, b, MaxCustomID, MaxLabel)
				return m, false
			}
			seen[b.CustomID] = true
		}
	}
	return m, true
}

// buttons lists the buttons of m's action rows.
func (m messageBody) buttons() []Button {
	var out []Button
	for _, row := range m.Components {
		out = append(out, row.Components...)
	}
	return out
}

// nonceOf is the nonce of m as a string ("" when none), and whether it
// is one Discord takes (a string or integer of at most 25 characters).
func nonceOf(m messageBody) (string, bool) {
	if m.Nonce == nil {
		return "", true
	}
	var str string
	if json.Unmarshal(*m.Nonce, &str) == nil {
		return str, utf8.RuneCountInString(str) <= MaxNonce
	}
	var n json.Number
	if json.Unmarshal(*m.Nonce, &n) == nil {
		return n.String(), len(n.String()) <= MaxNonce
	}
	return "", false
}

func isBotRoute(seg []string) bool {
	return len(seg) > 0 && seg[0] != "interactions" && seg[0] != "webhooks"
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		s.gateway(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 26<<20))
	if err != nil {
		// The client went away mid-body (a test killing it): the request
		// never arrived whole, as on Discord.
		http.Error(w, "incomplete body", http.StatusBadRequest)
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body}
	defer func() {
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		select {
		case s.got <- struct{}{}:
		default:
		}
	}()
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		if status, hdr, resp, ok := fail(r, body); ok {
			for k, v := range hdr {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, resp)
			return
		}
	}
	seg, ok := apiPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if s.token != "" && isBotRoute(seg) && req.Auth != "Bot "+s.token {
		apiErr(w, 401, 0, "401: Unauthorized")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limited(w, r.Method, seg) {
		return
	}
	req.ID = s.route(w, r, seg, body, req.Auth)
	switch {
	case seg[0] == "applications" && r.Method == "PUT":
		send(s.Puts, req)
	case seg[0] == "interactions":
		send(s.Callbacks, req)
	case seg[0] == "webhooks" && r.Method == "PATCH":
		send(s.Edits, req)
	}
}

func send(c chan Request, r Request) {
	select {
	case c <- r:
	default:
	}
}

// channelJSON is GET /channels/{id} for a channel or a live thread.
func (s *Server) channelJSON(id string) (map[string]any, bool) {
	if c, ok := s.channels[id]; ok {
		out := map[string]any{"id": id, "type": c.Type, "guild_id": c.GuildID, "name": "channel-" + id}
		if c.Tags != nil {
			out["available_tags"] = c.Tags
		}
		if c.RequireTag {
			out["flags"] = discordgo.ChannelFlagRequireTag
		}
		return out, true
	}
	if th, ok := s.threads[id]; ok && !th.Deleted {
		guild := "5"
		if p, ok := s.channels[th.Parent]; ok {
			guild = p.GuildID
		}
		return map[string]any{"id": id, "type": discordgo.ChannelTypeGuildPublicThread, "parent_id": th.Parent, "owner_id": BotUserID,
			"guild_id": guild, "name": th.Name, "thread_metadata": map[string]any{"archived": th.Archived, "locked": th.Locked}}, true
	}
	return nil, false
}

// route answers a request; the caller holds s.mu. It returns the id of the
// message a message POST created or returned.
func (s *Server) route(w http.ResponseWriter, r *http.Request, seg []string, body []byte, auth string) string {
	n := len(seg)
	switch {
	case r.Method == "GET" && n == 1 && seg[0] == "gateway", r.Method == "GET" && n == 2 && seg[0] == "gateway" && seg[1] == "bot":
		// What Discord answers; the adapter must point it at the stand-in.
		writeJSON(w, 200, map[string]any{"url": "wss://gateway.discord.gg"})
	case r.Method == "GET" && n == 2 && seg[0] == "users" && seg[1] == "@me":
		writeJSON(w, 200, map[string]any{"id": BotUserID, "username": "wirewatch", "bot": true})
	case seg[0] == "channels" && n == 2 && r.Method == "GET":
		c, ok := s.channelJSON(seg[1])
		if !ok {
			apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
			return ""
		}
		writeJSON(w, 200, c)
	case seg[0] == "channels" && n == 2 && r.Method == "PATCH":
		th, ok := s.threads[seg[1]]
		if !ok || th.Deleted {
			apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
			return ""
		}
		var e struct {
			Archived *bool `json:"archived"`
		}
		json.Unmarshal(body, &e)
		if e.Archived != nil {
			th.Archived = *e.Archived
		}
		c, _ := s.channelJSON(th.ID)
		writeJSON(w, 200, c)
	case seg[0] == "channels" && n == 3 && seg[2] == "messages" && r.Method == "GET":
		s.listMessages(w, r, seg[1])
	case seg[0] == "guilds" && n == 4 && seg[2] == "threads" && seg[3] == "active" && r.Method == "GET":
		s.activeThreads(w, seg[1])
	case seg[0] == "channels" && n == 3 && seg[2] == "messages" && r.Method == "POST":
		return s.postMessage(w, r, seg[1], body, auth)
	case seg[0] == "channels" && n == 4 && seg[2] == "messages" && r.Method == "GET":
		m, ok := s.messages[seg[3]]
		if _, live := s.channelJSON(seg[1]); !live {
			apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
		} else if !ok || m.Channel != seg[1] {
			apiErr(w, 404, CodeUnknownMessage, "Unknown Message")
		} else {
			out := messageJSON(m)
			delete(out, "nonce")
			writeJSON(w, 200, out)
		}
	case seg[0] == "channels" && n == 4 && seg[2] == "messages" && r.Method == "PATCH":
		s.editMessage(w, r, seg[1], seg[3], body)
	case seg[0] == "channels" && n == 5 && seg[2] == "messages" && seg[4] == "threads" && r.Method == "POST":
		s.threadFromMessage(w, seg[1], seg[3], body)
	case seg[0] == "channels" && n == 3 && seg[2] == "threads" && r.Method == "POST":
		s.forumPost(w, r, seg[1], body)
	case seg[0] == "applications" && r.Method == "PUT":
		var cmds []map[string]any
		if err := json.Unmarshal(body, &cmds); err != nil {
			apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
			return ""
		}
		for _, c := range cmds {
			c["id"] = s.id()
		}
		writeJSON(w, 200, cmds)
	case seg[0] == "interactions" && n == 4 && seg[3] == "callback":
		var resp struct {
			Data json.RawMessage `json:"data"`
		}
		json.Unmarshal(body, &resp)
		if len(resp.Data) > 0 && strings.Contains(string(resp.Data), `"content"`) {
			if _, ok := s.check(r.URL.Path, resp.Data); !ok {
				apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
				return ""
			}
		}
		w.WriteHeader(204)
	case seg[0] == "webhooks" && r.Method == "PATCH":
		if _, ok := s.check(r.URL.Path, body); !ok {
			apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
			return ""
		}
		writeJSON(w, 200, map[string]any{"id": s.id(), "channel_id": "1"})
	default:
		apiErr(w, 404, 0, "404: Not Found")
	}
	return ""
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request, ch string, body []byte, auth string) string {
	if th, ok := s.threads[ch]; ok {
		switch {
		case th.Deleted:
			apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
			return ""
		case th.Locked:
			apiErr(w, 400, CodeThreadLocked, "Thread is locked")
			return ""
		}
	} else if c, ok := s.channels[ch]; !ok {
		apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
		return ""
	} else if c.Type == discordgo.ChannelTypeGuildForum || c.Type == discordgo.ChannelTypeGuildMedia {
		apiErr(w, 400, 50024, "Cannot execute action on this channel type")
		return ""
	}
	m, ok := s.check(r.URL.Path, body)
	if !ok {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
		return ""
	}
	nonce, ok := nonceOf(m)
	if !ok {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body (nonce)")
		return ""
	}
	now := s.now()
	key := auth + "\x00" + nonce
	if nonce != "" && m.EnforceNonce {
		if e, ok := s.nonces[key]; ok && now.Sub(e.at) < NonceWindow {
			if old, ok := s.messages[e.msg]; ok {
				writeJSON(w, 200, messageJSON(old))
				return old.ID
			}
		}
	}
	if th, ok := s.threads[ch]; ok {
		th.Archived = false // sending reopens an archived thread
	}
	msg := &Message{ID: s.id(), Channel: ch, Embeds: m.Embeds, Nonce: nonce, Buttons: m.buttons()}
	if m.Content != nil {
		msg.Content = *m.Content
	}
	s.messages[msg.ID] = msg
	if nonce != "" {
		s.nonces[key] = nonceEntry{msg: msg.ID, at: now}
	}
	writeJSON(w, 200, messageJSON(msg))
	return msg.ID
}

// listMessages is GET /channels/{id}/messages: at most limit (50, up to
// 100) messages, newest first, after the id "after" when it is given.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, ch string) {
	if _, ok := s.channelJSON(ch); !ok {
		apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
		return
	}
	limit := 50
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v >= 1 && v <= 100 {
		limit = v
	}
	after := r.URL.Query().Get("after")
	var ms []*Message
	for _, m := range s.messages {
		if m.Channel == ch && (after == "" || idLess(after, m.ID)) {
			ms = append(ms, m)
		}
	}
	// The oldest limit after "after" (Discord's paging), shown newest first.
	sort.Slice(ms, func(i, j int) bool { return idLess(ms[i].ID, ms[j].ID) })
	if after == "" && len(ms) > limit {
		ms = ms[len(ms)-limit:]
	} else if len(ms) > limit {
		ms = ms[:limit]
	}
	out := make([]map[string]any, 0, len(ms))
	for i := len(ms) - 1; i >= 0; i-- {
		m := messageJSON(ms[i])
		delete(m, "nonce") // Discord gives the nonce only when the message is created
		out = append(out, m)
	}
	writeJSON(w, 200, out)
}

// activeThreads is GET /guilds/{id}/threads/active: the threads of the
// guild's channels that are neither archived nor deleted.
func (s *Server) activeThreads(w http.ResponseWriter, guild string) {
	threads := []map[string]any{}
	for _, th := range s.threads {
		p, ok := s.channels[th.Parent]
		if !ok || p.GuildID != guild || th.Archived || th.Deleted {
			continue
		}
		c, _ := s.channelJSON(th.ID)
		threads = append(threads, c)
	}
	writeJSON(w, 200, map[string]any{"threads": threads, "members": []any{}})
}

func messageJSON(m *Message) map[string]any {
	out := map[string]any{"id": m.ID, "channel_id": m.Channel, "content": m.Content, "type": 0, "embeds": m.Embeds,
		"author": map[string]any{"id": BotUserID, "username": "wirewatch", "bot": true}}
	if m.Embeds == nil {
		out["embeds"] = []any{}
	}
	if m.Nonce != "" {
		out["nonce"] = m.Nonce
	}
	return out
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request, ch, id string, body []byte) {
	if th, ok := s.threads[ch]; ok && th.Deleted {
		apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
		return
	}
	if _, ok := s.channels[ch]; !ok {
		if _, ok := s.threads[ch]; !ok {
			apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
			return
		}
	}
	m, ok := s.messages[id]
	if !ok || m.Channel != ch {
		apiErr(w, 404, CodeUnknownMessage, "Unknown Message")
		return
	}
	if th, ok := s.threads[ch]; ok && th.Archived {
		apiErr(w, 400, CodeArchived, "Thread is archived")
		return
	}
	e, ok := s.check(r.URL.Path, body)
	if !ok {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
		return
	}
	if e.Content != nil {
		m.Content = *e.Content
	}
	if e.Embeds != nil {
		m.Embeds = e.Embeds
	}
	writeJSON(w, 200, messageJSON(m))
}

func (s *Server) threadFromMessage(w http.ResponseWriter, ch, id string, body []byte) {
	c, ok := s.channels[ch]
	if !ok {
		apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
		return
	}
	if c.Type != discordgo.ChannelTypeGuildText && c.Type != discordgo.ChannelTypeGuildNews {
		apiErr(w, 400, 50024, "Cannot execute action on this channel type")
		return
	}
	if m, ok := s.messages[id]; !ok || m.Channel != ch {
		apiErr(w, 404, CodeUnknownMessage, "Unknown Message")
		return
	}
	if _, ok := s.threads[id]; ok {
		apiErr(w, 400, CodeThreadExists, "A thread has already been created for this message")
		return
	}
	var ts discordgo.ThreadStart
	json.Unmarshal(body, &ts)
	if n := utf8.RuneCountInString(ts.Name); n < 1 || n > MaxThreadName || !validArchive(ts.AutoArchiveDuration) {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
		return
	}
	s.threads[id] = &Thread{ID: id, Parent: ch, Name: ts.Name, Archive: ts.AutoArchiveDuration}
	c2, _ := s.channelJSON(id)
	writeJSON(w, 201, c2)
}

func validArchive(m int) bool {
	return m == 0 || m == 60 || m == 1440 || m == 4320 || m == 10080
}

func (s *Server) forumPost(w http.ResponseWriter, r *http.Request, ch string, body []byte) {
	c, ok := s.channels[ch]
	if !ok {
		apiErr(w, 404, CodeUnknownChannel, "Unknown Channel")
		return
	}
	if c.Type != discordgo.ChannelTypeGuildForum && c.Type != discordgo.ChannelTypeGuildMedia {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
		return
	}
	var post struct {
		discordgo.ThreadStart
		Message json.RawMessage `json:"message"`
	}
	json.Unmarshal(body, &post)
	if n := utf8.RuneCountInString(post.Name); n < 1 || n > MaxThreadName || !validArchive(post.AutoArchiveDuration) {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
		return
	}
	if c.RequireTag && len(post.AppliedTags) == 0 {
		apiErr(w, 400, 40067, "A tag is required to create a forum post in this channel")
		return
	}
	m, ok := s.check(r.URL.Path+" message", post.Message)
	if !ok {
		apiErr(w, 400, CodeInvalidForm, "Invalid Form Body")
		return
	}
	id := s.id()
	s.threads[id] = &Thread{ID: id, Parent: ch, Name: post.Name, Archive: post.AutoArchiveDuration, Tags: post.AppliedTags}
	msg := &Message{ID: id, Channel: id, Embeds: m.Embeds, Buttons: m.buttons()}
	if m.Content != nil {
		msg.Content = *m.Content
	}
	s.messages[id] = msg
	c2, _ := s.channelJSON(id)
	writeJSON(w, 201, c2)
}

// gateway plays Discord's side of the websocket: Hello, read Identify,
// READY, then the queued dispatches; then it reads until the client goes.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.tb.Errorf("gateway upgrade: %v", err)
		return
	}
	defer c.Close()
	c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	var id map[string]any
	if err := c.ReadJSON(&id); err != nil {
		s.tb.Errorf("gateway: read identify: %v", err)
		return
	}
	select {
	case s.Identify <- id:
	default:
	}
	c.WriteJSON(map[string]any{"op": 0, "t": "READY", "s": 1, "d": map[string]any{
		"v": 9, "session_id": "S", "user": map[string]any{"id": BotUserID, "username": "wirewatch", "bot": true},
		"guilds": []any{}, "application": map[string]any{"id": "555"},
	}})
	s.mu.Lock()
	ds := append([]string(nil), s.dispatch...)
	s.mu.Unlock()
	for n, d := range ds {
		c.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"op":0,"t":"INTERACTION_CREATE","s":%d,"d":%s}`, n+2, d)))
	}
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}
