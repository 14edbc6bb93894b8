package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// The test vector of research/chat-platforms.md §2.4: the all-zero seed,
// timestamp 1700000000, body {"type":1}.
const (
	vectorPublicKey = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
	vectorTimestamp = "1700000000"
	vectorBody      = `{"type":1}`
	vectorSignature = "f2053542c8500e9bf6b68eb1efc69823f8c01c7718ab0353b125826418494b6ed523027cf852f54edf27d3d3e13f3de15968b6df027ae1fc5dcab21f0b7ff30c"
)

var vectorNow = time.Unix(1700000000, 0).Add(30 * time.Second)

// fakeCommander records commands and answers them; feed add blocks until
// release is closed, standing in for a slow fetch.
type fakeCommander struct {
	mu      sync.Mutex
	got     []wirewatch.Command
	watches []wirewatch.Watch
	reply   string
	release chan struct{}
}

func (c *fakeCommander) Command(ctx context.Context, cmd wirewatch.Command) wirewatch.Reply {
	c.mu.Lock()
	c.got = append(c.got, cmd)
	c.mu.Unlock()
	if cmd.Verb == wirewatch.CmdFeedAdd && c.release != nil {
		select {
		case <-c.release:
		case <-ctx.Done():
		}
	}
	return wirewatch.Reply{Text: c.reply + cmd.Verb + ": " + cmd.Arg}
}

func (c *fakeCommander) Watches(ctx context.Context, ch wirewatch.Destination) []wirewatch.Watch {
	var out []wirewatch.Watch
	for _, w := range c.watches {
		for _, to := range w.To {
			if to == ch {
				out = append(out, w)
			}
		}
	}
	return out
}

func (c *fakeCommander) commands() []wirewatch.Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]wirewatch.Command(nil), c.got...)
}

func testKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) }

func signed(t *testing.T, key ed25519.PrivateKey, ts time.Time, body string) *http.Request {
	t.Helper()
	s := strconv.FormatInt(ts.Unix(), 10)
	r := httptest.NewRequest("POST", "/discord/interactions", strings.NewReader(body))
	r.Header.Set("X-Signature-Timestamp", s)
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, []byte(s+body))))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestSignatureVector(t *testing.T) {
	if got := hex.EncodeToString(testKey().Public().(ed25519.PublicKey)); got != vectorPublicKey {
		t.Fatalf("public key of the zero seed = %s, want %s", got, vectorPublicKey)
	}
	if got := hex.EncodeToString(ed25519.Sign(testKey(), []byte(vectorTimestamp+vectorBody))); got != vectorSignature {
		t.Fatalf("signature = %s, want the vector's %s", got, vectorSignature)
	}
	key, err := parsePublicKey(vectorPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify(key, vectorNow, vectorSignature, vectorTimestamp, []byte(vectorBody)); err != nil {
		t.Errorf("verify(vector) = %v, want nil", err)
	}
}

func TestInteractionsEndpointVerification(t *testing.T) {
	f := newFake(t)
	now := vectorNow
	d := f.adapter(t, func(o *Options) {
		o.PublicKey = vectorPublicKey
		o.Now = func() time.Time { return now }
	})
	h := d.InteractionsHandler(&fakeCommander{})
	vector := func() *http.Request {
		r := httptest.NewRequest("POST", "/discord/interactions", strings.NewReader(vectorBody))
		r.Header.Set("X-Signature-Timestamp", vectorTimestamp)
		r.Header.Set("X-Signature-Ed25519", vectorSignature)
		return r
	}
	_, other, _ := ed25519.GenerateKey(nil)
	for _, tc := range []struct {
		name string
		req  func() *http.Request
		now  time.Time
		want int
	}{
		{"vector PING", vector, vectorNow, 200},
		{"fresh signature", func() *http.Request { return signed(t, testKey(), vectorNow, vectorBody) }, vectorNow, 200},
		{"bad signature", func() *http.Request {
			r := vector()
			r.Header.Set("X-Signature-Ed25519", strings.Repeat("ab", 64))
			return r
		}, vectorNow, 401},
		{"other key", func() *http.Request { return signed(t, other, vectorNow, vectorBody) }, vectorNow, 401},
		{"tampered body", func() *http.Request {
			r := signed(t, testKey(), vectorNow, vectorBody)
			r.Body = http.NoBody
			r2 := httptest.NewRequest("POST", "/discord/interactions", strings.NewReader(`{"type":2}`))
			r2.Header = r.Header
			return r2
		}, vectorNow, 401},
		{"timestamp not the signed one", func() *http.Request {
			r := vector()
			r.Header.Set("X-Signature-Timestamp", "1700000001")
			return r
		}, vectorNow, 401},
		{"old timestamp", vector, time.Unix(1700000000, 0).Add(6 * time.Minute), 401},
		{"future timestamp", vector, time.Unix(1700000000, 0).Add(-6 * time.Minute), 401},
		{"missing signature", func() *http.Request {
			r := vector()
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, vectorNow, 401},
		{"short signature", func() *http.Request {
			r := vector()
			r.Header.Set("X-Signature-Ed25519", vectorSignature[:64])
			return r
		}, vectorNow, 401},
		{"GET", func() *http.Request { return httptest.NewRequest("GET", "/discord/interactions", nil) }, vectorNow, 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.now
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.req())
			if w.Code != tc.want {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tc.want, w.Body)
			}
			if tc.want == 200 {
				if ct := w.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				if got := strings.TrimSpace(w.Body.String()); got != `{"type":1}` {
					t.Errorf("body = %s, want {\"type\":1}", got)
				}
			}
		})
	}
}

// commandJSON is an APPLICATION_COMMAND interaction for /watch.
func commandJSON(perms int64, opts string) string {
	return `{"id":"111","application_id":"555","type":2,"token":"tok-secret","guild_id":"222","channel_id":"` + textCh +
		`","member":{"user":{"id":"333","username":"reporter"},"permissions":"` + strconv.FormatInt(perms, 10) +
		`"},"data":{"id":"444","name":"watch","type":1,"options":[` + opts + `]}}`
}

// interactionSeq numbers interactions that must each be new: the same id
// twice is a replay and is not run again.
var interactionSeq atomic.Int64

// newID gives the interaction in body an id of its own.
func newID(body string) string {
	return strings.Replace(body, `"id":"111"`, `"id":"`+strconv.FormatInt(2000+interactionSeq.Add(1), 10)+`"`, 1)
}

func postInteraction(t *testing.T, h http.Handler, body string) discordgo.InteractionResponse {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, testKey(), time.Now(), body))
	if w.Code != 200 {
		t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
	}
	var raw map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if data, ok := raw["data"].(map[string]any); ok && raw["type"] == float64(4) {
		am, _ := data["allowed_mentions"].(map[string]any)
		if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
			t.Errorf("reply allowed_mentions = %v, want parse []", data["allowed_mentions"])
		}
	}
	var resp discordgo.InteractionResponse
	json.Unmarshal(w.Body.Bytes(), &resp)
	return resp
}

func TestInteractionsCommands(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, func(o *Options) { o.PublicKey = vectorPublicKey })
	c := &fakeCommander{reply: "@everyone ok "}
	h := d.InteractionsHandler(c)
	manage := int64(discordgo.PermissionManageChannels | discordgo.PermissionSendMessages)

	resp := postInteraction(t, h, newID(commandJSON(manage, `{"type":1,"name":"add","options":[{"type":3,"name":"query","value":"\"Abrego Garcia\" OR Xinis"}]}`)))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data == nil || resp.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("response = %+v, want an ephemeral message", resp)
	}
	if strings.Contains(resp.Data.Content, "@everyone") || !strings.Contains(resp.Data.Content, "Abrego Garcia") {
		t.Errorf("reply = %q, want the commander's text escaped", resp.Data.Content)
	}
	got := c.commands()
	want := wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: `"Abrego Garcia" OR Xinis`, Channel: "discord:" + textCh, User: "reporter", MayManageFeeds: true}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("commands = %+v, want [%+v]", got, want)
	}

	// Without Manage Channels: read-only commands work, changing ones do not.
	resp = postInteraction(t, h, newID(commandJSON(0, `{"type":1,"name":"drop","options":[{"type":3,"name":"id","value":"w1"}]}`)))
	if !strings.Contains(resp.Data.Content, "Manage Channels") {
		t.Errorf("drop without permission: reply %q, want a refusal naming Manage Channels", resp.Data.Content)
	}
	postInteraction(t, h, newID(commandJSON(0, `{"type":1,"name":"list"}`)))
	got = c.commands()
	if len(got) != 2 || got[1].Verb != wirewatch.CmdList || got[1].MayManageFeeds {
		t.Errorf("commands = %+v, want add then list (drop refused, no feed rights)", got)
	}
}

func TestInteractionsFeedAddDefers(t *testing.T) {
	f := newFake(t)
	// HTTP interactions only: no bot token at all.
	d := f.adapter(t, func(o *Options) { o.PublicKey, o.Token = vectorPublicKey, "" })
	c := &fakeCommander{release: make(chan struct{})}
	h := d.InteractionsHandler(c)
	resp := postInteraction(t, h, commandJSON(int64(discordgo.PermissionAdministrator),
		`{"type":2,"name":"feed","options":[{"type":1,"name":"add","options":[{"type":3,"name":"url","value":"https://example.org/rss"},{"type":3,"name":"name","value":"Example"}]}]}`))
	if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || resp.Data == nil || resp.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("response = %+v, want a deferred ephemeral reply", resp)
	}
	if n := len(f.requests("PATCH", "/api/v9/webhooks/")); n != 0 {
		t.Fatalf("reply edited before the command finished")
	}
	close(c.release)
	var edit fakeReq
	select {
	case edit = <-f.edits:
	case <-time.After(10 * time.Second):
		t.Fatal("deferred reply never edited")
	}
	if edit.Path != "/api/v9/webhooks/555/tok-secret/messages/@original" {
		t.Errorf("edited %s, want the original response", edit.Path)
	}
	if edit.Auth != "" {
		t.Errorf("Authorization = %q without a bot token, want none", edit.Auth)
	}
	var e struct{ Content string }
	json.Unmarshal(edit.Body, &e)
	if !strings.Contains(e.Content, "feed add") || !strings.Contains(e.Content, "example") {
		t.Errorf("edited reply = %q", e.Content)
	}
	got := c.commands()
	if len(got) != 1 || got[0].Verb != wirewatch.CmdFeedAdd || got[0].Arg != "https://example.org/rss" || got[0].Name != "Example" {
		t.Errorf("commands = %+v", got)
	}
}

func TestInteractionsAutocomplete(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, func(o *Options) { o.PublicKey = vectorPublicKey })
	c := &fakeCommander{}
	here := wirewatch.Destination("discord:" + textCh)
	for i := range 30 {
		c.watches = append(c.watches, wirewatch.Watch{ID: "w" + strconv.Itoa(i), Query: "query " + strconv.Itoa(i), To: []wirewatch.Destination{here}})
	}
	c.watches = append(c.watches, wirewatch.Watch{ID: "x1", Name: "Elsewhere", To: []wirewatch.Destination{"discord:" + otherCh}})
	h := d.InteractionsHandler(c)
	body := strings.Replace(commandJSON(0, `{"type":1,"name":"drop","options":[{"type":3,"name":"id","value":"%s","focused":true}]}`), `"type":2`, `"type":4`, 1)

	resp := postInteraction(t, h, newID(strings.Replace(body, "%s", "", 1)))
	if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(resp.Data.Choices) != 25 {
		t.Fatalf("response type %d with %d choices, want 8 with 25", resp.Type, len(resp.Data.Choices))
	}
	resp = postInteraction(t, h, newID(strings.Replace(body, "%s", "query 2", 1)))
	var ids []string
	for _, ch := range resp.Data.Choices {
		ids = append(ids, ch.Value.(string))
	}
	if strings.Join(ids, ",") != "w2,w20,w21,w22,w23,w24,w25,w26,w27,w28,w29" {
		t.Errorf("choices for %q = %v", "query 2", ids)
	}
	for _, ch := range resp.Data.Choices {
		if ch.Value == "x1" {
			t.Error("offered a watch of another channel")
		}
	}
}

func TestCommandParse(t *testing.T) {
	long := strings.Repeat("x", maxQuery+1)
	for _, tc := range []struct {
		name    string
		opts    string
		want    wirewatch.Command
		wantErr string
	}{
		{"list", `{"type":1,"name":"list"}`, wirewatch.Command{Verb: "list"}, ""},
		{"help", `{"type":1,"name":"help"}`, wirewatch.Command{Verb: "help"}, ""},
		{"test", `{"type":1,"name":"test","options":[{"type":3,"name":"query","value":" acme "}]}`, wirewatch.Command{Verb: "test", Arg: "acme"}, ""},
		{"drop", `{"type":1,"name":"drop","options":[{"type":3,"name":"id","value":"w7"}]}`, wirewatch.Command{Verb: "drop", Arg: "w7"}, ""},
		{"feed list", `{"type":2,"name":"feed","options":[{"type":1,"name":"list"}]}`, wirewatch.Command{Verb: "feed list"}, ""},
		{"feed drop", `{"type":2,"name":"feed","options":[{"type":1,"name":"drop","options":[{"type":3,"name":"id","value":"f2"}]}]}`, wirewatch.Command{Verb: "feed drop", Arg: "f2"}, ""},
		{"add with search", `{"type":1,"name":"add","options":[{"type":3,"name":"query","value":"Xinis"},{"type":3,"name":"search","value":"google_news,courtlistener"}]}`, wirewatch.Command{Verb: "add", Arg: "Xinis", Search: "google_news,courtlistener"}, ""},
		{"add without query", `{"type":1,"name":"add"}`, wirewatch.Command{}, "needs query"},
		{"add too long", `{"type":1,"name":"add","options":[{"type":3,"name":"query","value":"` + long + `"}]}`, wirewatch.Command{}, "longer than"},
		{"query not a string", `{"type":1,"name":"add","options":[{"type":3,"name":"query","value":5}]}`, wirewatch.Command{}, "needs query"},
		{"unknown", `{"type":1,"name":"nuke"}`, wirewatch.Command{}, "unknown subcommand"},
		{"unknown group", `{"type":2,"name":"admin","options":[{"type":1,"name":"x"}]}`, wirewatch.Command{}, "unknown command group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var i discordgo.Interaction
			if err := json.Unmarshal([]byte(commandJSON(0, tc.opts)), &i); err != nil {
				t.Fatal(err)
			}
			got, err := command(&i)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Channel, tc.want.User = wirewatch.Destination("discord:"+textCh), "reporter"
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCommandsDefinition(t *testing.T) {
	cmds := Commands()
	if len(cmds) != 1 || cmds[0].Name != "watch" {
		t.Fatalf("got %d commands, want one /watch", len(cmds))
	}
	b, err := json.Marshal(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"default_member_permissions":"16"`) {
		t.Errorf("default_member_permissions not Manage Channels (16): %s", b)
	}
	var walk func(prefix string, opts []*discordgo.ApplicationCommandOption)
	seen := map[string]bool{}
	walk = func(prefix string, opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			if n := len(o.Description); n < 1 || n > 100 {
				t.Errorf("%s%s: description has %d characters, want 1–100", prefix, o.Name, n)
			}
			seen[prefix+o.Name] = true
			walk(prefix+o.Name+" ", o.Options)
		}
	}
	walk("", cmds[0].Options)
	for _, want := range []string{"add query", "list", "drop id", "test query", "feed add url", "feed add name", "feed list", "feed drop id", "help"} {
		if !seen[want] {
			t.Errorf("no option %q", want)
		}
	}
}

// TestAnswerDefersSlowCommand: a command still running after deferAfter is
// deferred (type 5), on fake time; a quick one is answered at once.
func TestAnswerDefersSlowCommand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, err := New(Options{Token: "x", APIURL: "http://127.0.0.1:1/"})
		if err != nil {
			t.Fatal(err)
		}
		slow := &slowCommander{release: make(chan struct{})}
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(commandJSON(0, `{"type":1,"name":"test","options":[{"type":3,"name":"query","value":"x"}]}`)), &i); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		resp, later := d.answer(context.Background(), slow, &i)
		if resp.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || later == nil {
			t.Fatalf("response type %d, want 5 with a follow-up", resp.Type)
		}
		if waited := time.Since(start); waited != d.deferAfter {
			t.Errorf("deferred after %s, want %s", waited, d.deferAfter)
		}
		close(slow.release)

		quick := &fakeCommander{}
		start = time.Now()
		resp, later = d.answer(context.Background(), quick, &i)
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || later != nil {
			t.Fatalf("quick command: type %d, want 4 and no follow-up", resp.Type)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("quick command answered after %s, want at once", waited)
		}
	})
}

type slowCommander struct{ release chan struct{} }

func (c *slowCommander) Command(ctx context.Context, cmd wirewatch.Command) wirewatch.Reply {
	<-c.release
	return wirewatch.Reply{Text: "done"}
}

func (c *slowCommander) Watches(context.Context, wirewatch.Destination) []wirewatch.Watch { return nil }
