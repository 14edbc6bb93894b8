package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
)

// interactionIDs makes each interaction a new one, as Discord's ids are:
// the daemon does not run one id twice.
var interactionIDs atomic.Int64

// interaction posts a /watch interaction to the daemon as Discord would,
// signed with key, and returns the HTTP status and the reply's content.
func interaction(t *testing.T, addr string, key ed25519.PrivateKey, channel string, perms int64, sub string, opts map[string]string) (int, string) {
	t.Helper()
	var options []map[string]any
	for k, v := range opts {
		options = append(options, map[string]any{"name": k, "type": 3, "value": v})
	}
	body, err := json.Marshal(map[string]any{
		"id": strconv.FormatInt(3000+interactionIDs.Add(1), 10), "application_id": "1", "type": 2, "token": "interaction-token", "version": 1,
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
	// The Discord stand-in shared with bot/discord's own tests.
	dc := discordtest.New(t, token)
	dc.AddChannel(discordtest.Channel{ID: channel, Type: discordgo.ChannelTypeGuildText, GuildID: "5"})
	apiURL := dc.URL
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
	puts := dc.Wait("PUT", "applications/1/commands", 1, e2eWait)
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
	tops := dc.Wait("POST", "channels/"+channel+"/messages", 1, e2eWait)
	top := tops[0]
	if !strings.Contains(string(top.Body), "Xinis orders hearing") {
		t.Errorf("first alert: body %s lacks the title", top.Body)
	}
	starts := dc.Wait("POST", "channels/"+channel+"/messages/"+top.ID+"/threads", 1, e2eWait)
	if len(starts) != 1 {
		t.Errorf("thread starts: got %d, want 1", len(starts))
	}

	fs.add("/news", testItem{"b", "Xinis sets a date", "https://news.example/b", "The hearing is on Monday.", time.Now()})
	replies := dc.Wait("POST", "channels/"+top.ID+"/messages", 1, e2eWait)
	if !strings.Contains(string(replies[0].Body), "Xinis sets a date") {
		t.Errorf("second alert in the thread: body %s", replies[0].Body)
	}
	edits := dc.Wait("PATCH", "channels/"+channel+"/messages/"+top.ID, 1, e2eWait)
	if n := len(dc.Match("POST", "channels/"+channel+"/messages")); n != 1 {
		t.Errorf("posts at the channel's top level: got %d, want 1 (the second alert belongs in the thread)", n)
	}

	for _, r := range append(append(tops, replies...), edits...) {
		noMentionsIn(t, r.Method+" "+r.Path, r.Body)
	}
	// Every message carries a nonce, so a retry after a crash posts nothing twice.
	for _, r := range append(tops, replies...) {
		var m struct {
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		if json.Unmarshal(r.Body, &m); m.Nonce == "" || !m.EnforceNonce {
			t.Errorf("%s %s: nonce %q, enforce_nonce %v; want both", r.Method, r.Path, m.Nonce, m.EnforceNonce)
		}
	}
	// The top message's first line is what a notification shows: plain.
	var edit struct{ Content string }
	json.Unmarshal(edits[len(edits)-1].Body, &edit)
	first, _, _ := strings.Cut(edit.Content, "\n")
	if !strings.HasPrefix(first, "📌 ") || !strings.Contains(first, "Xinis sets a date") || strings.ContainsAny(first, "\\<*") {
		t.Errorf("top message's first line = %q, want the title and latest headline in plain text", first)
	}
	if !strings.Contains(edit.Content, "2 items") {
		t.Errorf("top message = %q, want 2 items", edit.Content)
	}
}
