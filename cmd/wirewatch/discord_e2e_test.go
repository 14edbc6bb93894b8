package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// discordStandIn stands in for the REST routes the Discord adapter calls
// when the gateway is off: the bulk overwrite of commands, GET channel (a
// text channel), POST message, POST thread from a message, PATCH message
// and interaction callbacks. It records every request.
type discordStandIn struct {
	t       *testing.T
	token   string
	channel string

	mu      sync.Mutex
	nextID  int64
	threads map[string]string // thread id → parent channel
	reqs    []discordReq
	got     chan struct{}
}

type discordReq struct {
	Method, Path string
	Body         []byte
	ID           string // the id given to a posted message
}

func newDiscordStandIn(t *testing.T, token, channel string) (*discordStandIn, string) {
	d := &discordStandIn{t: t, token: token, channel: channel, nextID: 900000000000000000,
		threads: map[string]string{}, got: make(chan struct{}, 100)}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, srv.URL + "/"
}

func (d *discordStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	req := discordReq{Method: r.Method, Path: r.URL.Path, Body: body}
	defer func() {
		d.mu.Lock()
		d.reqs = append(d.reqs, req)
		d.mu.Unlock()
		select {
		case d.got <- struct{}{}:
		default:
		}
	}()
	answer := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bot "+d.token {
		answer(401, map[string]any{"message": "401: Unauthorized", "code": 0})
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v")
	if ok {
		_, path, ok = strings.Cut(path, "/")
	}
	if !ok {
		answer(404, map[string]any{"message": "404: Not Found", "code": 0})
		return
	}
	seg := strings.Split(path, "/")
	d.mu.Lock()
	defer d.mu.Unlock()
	known := func(ch string) bool { _, thread := d.threads[ch]; return ch == d.channel || thread }
	switch {
	case r.Method == "PUT" && len(seg) == 3 && seg[0] == "applications" && seg[2] == "commands":
		var cmds []map[string]any
		if err := json.Unmarshal(body, &cmds); err != nil {
			answer(400, map[string]any{"message": "Invalid Form Body", "code": 50035})
			return
		}
		for _, c := range cmds {
			d.nextID++
			c["id"] = fmt.Sprint(d.nextID)
		}
		answer(200, cmds)
	case r.Method == "GET" && len(seg) == 2 && seg[0] == "channels" && seg[1] == d.channel:
		answer(200, map[string]any{"id": d.channel, "type": 0, "guild_id": "5", "name": "news"})
	case r.Method == "POST" && len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages" && known(seg[1]):
		d.nextID++
		req.ID = fmt.Sprint(d.nextID)
		answer(200, map[string]any{"id": req.ID, "channel_id": seg[1], "type": 0})
	case r.Method == "PATCH" && len(seg) == 4 && seg[0] == "channels" && seg[2] == "messages" && known(seg[1]):
		answer(200, map[string]any{"id": seg[3], "channel_id": seg[1], "type": 0})
	case r.Method == "POST" && len(seg) == 5 && seg[0] == "channels" && seg[2] == "messages" && seg[4] == "threads" && seg[1] == d.channel:
		// A thread started from a message has the message's id.
		d.threads[seg[3]] = seg[1]
		answer(201, map[string]any{"id": seg[3], "type": 11, "parent_id": seg[1], "name": "thread"})
	case r.Method == "POST" && len(seg) == 4 && seg[0] == "interactions" && seg[3] == "callback":
		w.WriteHeader(204)
	default:
		answer(404, map[string]any{"message": "Unknown Channel", "code": 10003})
	}
}

// requests returns the recorded requests with this method whose path,
// after /api/vN, matches pattern (segments "*" match anything).
func (d *discordStandIn) requests(method, pattern string) []discordReq {
	d.mu.Lock()
	defer d.mu.Unlock()
	want := strings.Split(pattern, "/")
	var out []discordReq
	for _, r := range d.reqs {
		p, ok := strings.CutPrefix(r.Path, "/api/v")
		if ok {
			_, p, ok = strings.Cut(p, "/")
		}
		seg := strings.Split(p, "/")
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

// wait waits until requests(method, pattern) has n entries.
func (d *discordStandIn) wait(method, pattern string, n int) []discordReq {
	d.t.Helper()
	timeout := time.After(e2eWait)
	for {
		if rs := d.requests(method, pattern); len(rs) >= n {
			return rs
		}
		select {
		case <-d.got:
		case <-timeout:
			d.t.Fatalf("timed out waiting for %d %s %s; got %d", n, method, pattern, len(d.requests(method, pattern)))
		}
	}
}

// interaction posts a /watch interaction to the daemon as Discord would,
// signed with key, and returns the HTTP status and the reply's content.
func interaction(t *testing.T, addr string, key ed25519.PrivateKey, channel string, perms int64, sub string, opts map[string]string) (int, string) {
	t.Helper()
	var options []map[string]any
	for k, v := range opts {
		options = append(options, map[string]any{"name": k, "type": 3, "value": v})
	}
	body, err := json.Marshal(map[string]any{
		"id": "3001", "application_id": "1", "type": 2, "token": "interaction-token", "version": 1,
		"guild_id": "5", "channel_id": channel,
		"member": map[string]any{"user": map[string]any{"id": "42", "username": "reporter"}, "permissions": strconv.FormatInt(perms, 10)},
		"data": map[string]any{"id": "4001", "name": "watch", "type": 1,
			"options": []any{map[string]any{"name": sub, "type": 1, "options": options}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(key, append([]byte(ts), body...))
	req, err := http.NewRequest("POST", "http://"+addr+"/discord/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp.StatusCode, ""
	}
	var reply struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
			Flags   int    `json:"flags"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("/watch %s: reply: %v", sub, err)
	}
	if reply.Type != 4 || reply.Data.Flags&64 == 0 {
		t.Errorf("/watch %s: reply type %d flags %d, want an ephemeral message (4, 64)", sub, reply.Type, reply.Data.Flags)
	}
	return resp.StatusCode, reply.Data.Content
}

// noMentionsIn fails the test unless body carries allowed_mentions with an
// empty parse list.
func noMentionsIn(t *testing.T, what string, body []byte) {
	t.Helper()
	var m struct {
		AllowedMentions *struct {
			Parse *[]string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Errorf("%s: body is not JSON: %v", what, err)
		return
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(*m.AllowedMentions.Parse) != 0 {
		t.Errorf("%s: allowed_mentions missing or its parse list not empty: %s", what, body)
	}
}

// TestDiscordWatchEndToEnd: a watch added with a signed /watch interaction
// posts new matching items in that channel, the first starting a thread and
// the next going into it, with mentions off in every message.
func TestDiscordWatchEndToEnd(t *testing.T) {
	const (
		token   = "discord-bot-token-e2e"
		channel = "112233445566778899"
	)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dc, apiURL := newDiscordStandIn(t, token, channel)
	fs := newFeedServer(t)
	fs.feed("/news", true)
	fs.add("/news", testItem{"old", "Xinis: old news", "https://news.example/old", "Seen before the watch.", time.Now().Add(-time.Hour)})
	base, hits := hitFeeds(t, fs)
	cfg := MustConfig(t, fmt.Sprintf(`
feeds:
  - url: %s/news
    name: News
    interval: 1s
discord:
  api_url: %s
  application_id: "1"
  gateway: false
http:
  listen: 127.0.0.1:0
`, base, apiURL))
	m, _ := startDaemon(t, cfg, map[string]string{"DISCORD_BOT_TOKEN": token, "DISCORD_PUBLIC_KEY": hex.EncodeToString(pub)})

	// The command is registered (bulk overwrite) for application 1.
	puts := dc.wait("PUT", "applications/1/commands", 1)
	if !strings.Contains(string(puts[0].Body), `"name":"watch"`) {
		t.Errorf("registered commands: %s", puts[0].Body)
	}

	// A request signed with another key is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	if code, _ := interaction(t, m.HTTPAddr, other, channel, 1<<4, "add", map[string]string{"query": "Xinis"}); code != http.StatusUnauthorized {
		t.Fatalf("interaction signed with another key: HTTP %d, want 401", code)
	}
	// A member without Manage Channels may not add a watch.
	if _, reply := interaction(t, m.HTTPAddr, priv, channel, 1<<11, "add", map[string]string{"query": "Xinis"}); !strings.Contains(reply, "Manage Channels") {
		t.Errorf("add without Manage Channels: got %q, want a refusal", reply)
	}
	const manageChannels = 1 << 4
	_, reply := interaction(t, m.HTTPAddr, priv, channel, manageChannels|1<<11, "add", map[string]string{"query": "Xinis"})
	// Discord replies have markdown escaped ("w1\:"): the id is the word.
	sub := regexp.MustCompile(`Added watch (\w+)`).FindStringSubmatch(reply)
	if sub == nil {
		t.Fatalf("/watch add: reply %q names no watch id", reply)
	}
	if _, got := interaction(t, m.HTTPAddr, priv, channel, 0, "list", nil); !strings.Contains(got, sub[1]) {
		t.Errorf("/watch list: got %q, want watch %s", got, sub[1])
	}

	// The feed's first poll seeds it.
	waitHits(t, hits, 1, "seed")

	fs.add("/news", testItem{"a", "Xinis orders hearing", "https://news.example/a", "Judge Xinis ordered a hearing. @everyone", time.Now()})
	tops := dc.wait("POST", "channels/"+channel+"/messages", 1)
	top := tops[0]
	if !strings.Contains(string(top.Body), "Xinis orders hearing") {
		t.Errorf("first alert: body %s lacks the title", top.Body)
	}
	starts := dc.wait("POST", "channels/"+channel+"/messages/"+top.ID+"/threads", 1)
	if len(starts) != 1 {
		t.Errorf("thread starts: got %d, want 1", len(starts))
	}

	fs.add("/news", testItem{"b", "Xinis sets a date", "https://news.example/b", "The hearing is on Monday.", time.Now()})
	replies := dc.wait("POST", "channels/"+top.ID+"/messages", 1)
	if !strings.Contains(string(replies[0].Body), "Xinis sets a date") {
		t.Errorf("second alert in the thread: body %s", replies[0].Body)
	}
	edits := dc.wait("PATCH", "channels/"+channel+"/messages/"+top.ID, 1)
	if n := len(dc.requests("POST", "channels/"+channel+"/messages")); n != 1 {
		t.Errorf("posts at the channel's top level: got %d, want 1 (the second alert belongs in the thread)", n)
	}

	for _, r := range append(append(tops, replies...), edits...) {
		noMentionsIn(t, r.Method+" "+r.Path, r.Body)
	}
}
