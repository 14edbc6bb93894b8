package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// fakeDiscord stands in for Discord's REST API and gateway: enough of
// channels, messages, threads, forum posts, commands and interaction
// callbacks to drive the adapter, checking every message body for
// allowed_mentions and Discord's length limits as it goes.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	nextID   int64
	channels map[string]discordgo.ChannelType
	messages map[string]*fakeMsg // message id → message
	threads  map[string]*fakeThread
	tags     map[string][]discordgo.ForumTag // forum → tags; set: a tag is required
	reqs     []fakeReq
	// fail, when set, may answer a request instead of the fake.
	fail func(r *http.Request, body []byte) (status int, hdr map[string]string, resp string, ok bool)
	// gateway: dispatches sent after READY.
	dispatch []string
	identify chan map[string]any
	edits    chan fakeReq // interaction reply edits, as they come
	callback chan fakeReq // interaction callbacks, as they come
	puts     chan fakeReq // command registrations, as they come
}

type fakeMsg struct {
	ID, Channel string
	Content     string
	Embeds      []*discordgo.MessageEmbed
}

type fakeThread struct {
	ID, Parent, Name string
	Tags             []string
	Archive          int
	Archived         bool
	Deleted          bool
}

type fakeReq struct {
	Method, Path, Auth string
	Body               []byte
}

func newFake(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{
		t:        t,
		nextID:   900000000000000000,
		channels: map[string]discordgo.ChannelType{},
		messages: map[string]*fakeMsg{},
		threads:  map[string]*fakeThread{},
		tags:     map[string][]discordgo.ForumTag{},
		identify: make(chan map[string]any, 1),
		edits:    make(chan fakeReq, 16),
		callback: make(chan fakeReq, 16),
		puts:     make(chan fakeReq, 16),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// adapter builds a Discord adapter whose requests all go to the fake.
func (f *fakeDiscord) adapter(t *testing.T, mod func(*Options)) *Discord {
	t.Helper()
	o := Options{
		APIURL:        f.srv.URL + "/",
		Token:         "test",
		ApplicationID: "555",
		TimeZone:      time.UTC,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mod != nil {
		mod(&o)
	}
	d, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

func (f *fakeDiscord) id() string {
	f.nextID++
	return fmt.Sprint(f.nextID)
}

func (f *fakeDiscord) requests(method, prefix string) []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeReq
	for _, r := range f.reqs {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "code": code})
}

// checkMessage fails the test if a message body lacks allowed_mentions
// with an empty parse list or breaks Discord's limits.
func (f *fakeDiscord) checkMessage(path string, body []byte) bool {
	var m struct {
		Content         *string                   `json:"content"`
		Embeds          []*discordgo.MessageEmbed `json:"embeds"`
		AllowedMentions *struct {
			Parse *[]string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		f.t.Errorf("%s: body is not JSON: %v", path, err)
		return false
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(*m.AllowedMentions.Parse) != 0 {
		f.t.Errorf("%s: allowed_mentions missing or parse not empty: %s", path, body)
		return false
	}
	if m.Content != nil && utf8.RuneCountInString(*m.Content) > maxContent {
		f.t.Errorf("%s: content has %d characters", path, utf8.RuneCountInString(*m.Content))
		return false
	}
	total := 0
	for _, e := range m.Embeds {
		if utf8.RuneCountInString(e.Title) > maxTitle || utf8.RuneCountInString(e.Description) > maxDescription || len(e.Fields) > 25 {
			f.t.Errorf("%s: embed over a limit", path)
			return false
		}
		for _, fl := range e.Fields {
			if utf8.RuneCountInString(fl.Name) > maxFieldName || utf8.RuneCountInString(fl.Value) > maxFieldValue || fl.Value == "" {
				f.t.Errorf("%s: field %q over a limit or empty", path, fl.Name)
				return false
			}
		}
		total += embedSize(e)
	}
	if total > maxEmbedTotal {
		f.t.Errorf("%s: embeds total %d characters", path, total)
		return false
	}
	return true
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		f.gateway(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, fakeReq{r.Method, r.URL.Path, r.Header.Get("Authorization"), body})
	fail := f.fail
	f.mu.Unlock()
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
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v9/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	seg := strings.Split(path, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "GET" && path == "gateway":
		// What Discord answers; the transport must point it at the fake.
		writeJSON(w, 200, map[string]string{"url": "wss://gateway.discord.gg"})
	case seg[0] == "channels" && len(seg) == 2 && r.Method == "GET":
		if typ, ok := f.channels[seg[1]]; ok {
			c := map[string]any{"id": seg[1], "type": typ}
			if tags, ok := f.tags[seg[1]]; ok {
				c["flags"], c["available_tags"] = discordgo.ChannelFlagRequireTag, tags
			}
			writeJSON(w, 200, c)
			return
		}
		if th, ok := f.threads[seg[1]]; ok && !th.Deleted {
			writeJSON(w, 200, map[string]any{"id": seg[1], "type": 11, "parent_id": th.Parent})
			return
		}
		apiErr(w, 404, codeUnknownChannel, "Unknown Channel")
	case seg[0] == "channels" && len(seg) == 2 && r.Method == "PATCH":
		th, ok := f.threads[seg[1]]
		if !ok || th.Deleted {
			apiErr(w, 404, codeUnknownChannel, "Unknown Channel")
			return
		}
		var e struct{ Archived *bool }
		json.Unmarshal(body, &e)
		if e.Archived != nil {
			th.Archived = *e.Archived
		}
		writeJSON(w, 200, map[string]any{"id": th.ID, "type": 11})
	case seg[0] == "channels" && len(seg) == 3 && seg[2] == "messages" && r.Method == "POST":
		ch := seg[1]
		if th, ok := f.threads[ch]; ok {
			if th.Deleted {
				apiErr(w, 404, codeUnknownChannel, "Unknown Channel")
				return
			}
			if th.Archived {
				apiErr(w, 400, codeArchivedThread, "Thread is archived")
				return
			}
		} else if _, ok := f.channels[ch]; !ok {
			apiErr(w, 404, codeUnknownChannel, "Unknown Channel")
			return
		}
		if !f.checkMessage(r.URL.Path, body) {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		var m fakeMsg
		json.Unmarshal(body, &m)
		m.ID, m.Channel = f.id(), ch
		f.messages[m.ID] = &m
		writeJSON(w, 200, map[string]any{"id": m.ID, "channel_id": ch, "content": m.Content})
	case seg[0] == "channels" && len(seg) == 4 && seg[2] == "messages" && r.Method == "PATCH":
		m, ok := f.messages[seg[3]]
		if !ok || m.Channel != seg[1] {
			if th, ok := f.threads[seg[1]]; ok && th.Deleted {
				apiErr(w, 404, codeUnknownChannel, "Unknown Channel")
				return
			}
			apiErr(w, 404, codeUnknownMessage, "Unknown Message")
			return
		}
		if !f.checkMessage(r.URL.Path, body) {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		var e struct{ Content *string }
		json.Unmarshal(body, &e)
		if e.Content != nil {
			m.Content = *e.Content
		}
		writeJSON(w, 200, map[string]any{"id": m.ID, "channel_id": m.Channel, "content": m.Content})
	case seg[0] == "channels" && len(seg) == 5 && seg[2] == "messages" && seg[4] == "threads" && r.Method == "POST":
		if _, ok := f.messages[seg[3]]; !ok {
			apiErr(w, 404, codeUnknownMessage, "Unknown Message")
			return
		}
		if _, ok := f.threads[seg[3]]; ok {
			apiErr(w, 400, codeThreadExists, "A thread has already been created for this message")
			return
		}
		var ts discordgo.ThreadStart
		json.Unmarshal(body, &ts)
		if n := utf8.RuneCountInString(ts.Name); n < 1 || n > maxThreadName {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		f.threads[seg[3]] = &fakeThread{ID: seg[3], Parent: seg[1], Name: ts.Name, Archive: ts.AutoArchiveDuration}
		writeJSON(w, 201, map[string]any{"id": seg[3], "type": 11, "parent_id": seg[1], "name": ts.Name})
	case seg[0] == "channels" && len(seg) == 3 && seg[2] == "threads" && r.Method == "POST":
		if f.channels[seg[1]] != discordgo.ChannelTypeGuildForum {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		var post struct {
			discordgo.ThreadStart
			Message json.RawMessage `json:"message"`
		}
		json.Unmarshal(body, &post)
		if _, required := f.tags[seg[1]]; required && len(post.AppliedTags) == 0 {
			apiErr(w, 400, 40067, "A tag is required to create a forum post in this channel")
			return
		}
		if !f.checkMessage(r.URL.Path+" message", post.Message) {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		id := f.id()
		f.threads[id] = &fakeThread{ID: id, Parent: seg[1], Name: post.Name, Archive: post.AutoArchiveDuration, Tags: post.AppliedTags}
		var m fakeMsg
		json.Unmarshal(post.Message, &m)
		m.ID, m.Channel = id, id
		f.messages[id] = &m
		writeJSON(w, 201, map[string]any{"id": id, "type": 11, "parent_id": seg[1], "name": post.Name})
	case seg[0] == "applications" && r.Method == "PUT":
		var cmds []map[string]any
		json.Unmarshal(body, &cmds)
		for _, c := range cmds {
			c["id"] = f.id()
		}
		writeJSON(w, 200, cmds)
		select {
		case f.puts <- fakeReq{r.Method, r.URL.Path, r.Header.Get("Authorization"), body}:
		default:
		}
	case seg[0] == "interactions" && len(seg) == 4 && seg[3] == "callback":
		var resp struct {
			Data json.RawMessage `json:"data"`
		}
		json.Unmarshal(body, &resp)
		if len(resp.Data) > 0 && strings.Contains(string(resp.Data), `"content"`) && !f.checkMessage(r.URL.Path, resp.Data) {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		w.WriteHeader(204)
		select {
		case f.callback <- fakeReq{r.Method, r.URL.Path, r.Header.Get("Authorization"), body}:
		default:
		}
	case seg[0] == "webhooks" && r.Method == "PATCH":
		if !f.checkMessage(r.URL.Path, body) {
			apiErr(w, 400, 50035, "Invalid Form Body")
			return
		}
		writeJSON(w, 200, map[string]any{"id": f.id(), "channel_id": "1"})
		select {
		case f.edits <- fakeReq{r.Method, r.URL.Path, r.Header.Get("Authorization"), body}:
		default:
		}
	default:
		apiErr(w, 404, 0, "404: Not Found")
	}
}

// gateway plays Discord's side of the websocket: Hello, read Identify,
// READY, then the queued dispatches; then it reads until the client goes.
func (f *fakeDiscord) gateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		f.t.Errorf("gateway upgrade: %v", err)
		return
	}
	defer c.Close()
	c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	var id map[string]any
	if err := c.ReadJSON(&id); err != nil {
		f.t.Errorf("gateway: read identify: %v", err)
		return
	}
	select {
	case f.identify <- id:
	default:
	}
	c.WriteJSON(map[string]any{"op": 0, "t": "READY", "s": 1, "d": map[string]any{
		"v": 9, "session_id": "S", "user": map[string]any{"id": "777", "username": "wirewatch", "bot": true},
		"guilds": []any{}, "application": map[string]any{"id": "555"},
	}})
	f.mu.Lock()
	ds := f.dispatch
	f.mu.Unlock()
	for n, d := range ds {
		c.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"op":0,"t":"INTERACTION_CREATE","s":%d,"d":%s}`, n+2, d)))
	}
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}
