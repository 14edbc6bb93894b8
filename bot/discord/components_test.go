package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
	"github.com/wirewatch/wirewatch/store"
)

const manage = int64(discordgo.PermissionManageChannels | discordgo.PermissionSendMessages)

// pressJSON is the interaction Discord sends when a member with perms
// presses the button customID in channel ch, on a message with flags.
func pressJSON(id, ch, customID string, perms int64, flags int) string {
	return `{"id":"` + id + `","application_id":"555","type":3,"token":"tok-secret","guild_id":"222","channel_id":"` + ch +
		`","member":{"user":{"id":"333","username":"reporter"},"permissions":"` + strconv.FormatInt(perms, 10) +
		`"},"message":{"id":"900","channel_id":"` + ch + `","flags":` + strconv.Itoa(flags) +
		`},"data":{"custom_id":"` + customID + `","component_type":2}}`
}

func buttonIDs(bs []discordtest.Button) string {
	var out []string
	for _, b := range bs {
		out = append(out, b.CustomID)
	}
	return strings.Join(out, " ")
}

// press posts a signed press and returns the response and its buttons'
// custom_ids (nil when it has no components field, [] when empty).
func press(t *testing.T, h http.Handler, body string) (discordgo.InteractionResponse, []string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, testKey(), time.Now(), body))
	if w.Code != 200 {
		t.Fatalf("status = %d (%s), want 200", w.Code, w.Body)
	}
	var resp discordgo.InteractionResponse
	json.Unmarshal(w.Body.Bytes(), &resp)
	var raw struct {
		Data struct {
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
			Components *[]struct {
				Components []discordtest.Button `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if am := raw.Data.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Errorf("answer %s: want allowed_mentions parse []", w.Body)
	}
	if raw.Data.Components == nil {
		return resp, nil
	}
	ids := []string{}
	for _, r := range *raw.Data.Components {
		for _, b := range r.Components {
			ids = append(ids, b.CustomID)
		}
	}
	return resp, ids
}

// TestAlertMessagesCarryButtons: a top message and a reply carry the
// alert's buttons, within Discord's component limits (the stand-in checks
// them, and allowed_mentions, on every post).
func TestAlertMessagesCarryButtons(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := testAlert(textCh, "Judge Xinis rules @everyone")
	a.Thread, a.WatchIDs, a.Mentions = "watch:w1:2026-11-22", []string{"w1"}, "8:25-cv-951"
	th, err := d.PostTop(context.Background(), newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	if th, err = d.Open(context.Background(), th); err != nil {
		t.Fatal(err)
	}
	many := a
	many.Watches = []string{"a", "b", "c", "d", "e"}
	many.WatchIDs = []string{"w1", "w2", "w3", "w4", "w5"}
	if _, err := d.Reply(context.Background(), th, many, false); err != nil {
		t.Fatal(err)
	}
	top, _ := f.Message(strings.Split(th.TopRef, "/")[1])
	if got, want := buttonIDs(top.Buttons), "ww:mute:watch:w1:2026-11-22 ww:stop:w1 ww:follow:8:25-cv-951"; got != want {
		t.Errorf("top's buttons: %s, want %s", got, want)
	}
	replies := f.Messages(th.Ref)
	if len(replies) != 1 {
		t.Fatalf("replies: %d, want 1", len(replies))
	}
	if got, want := buttonIDs(replies[0].Buttons), "ww:mute:watch:w1:2026-11-22 ww:stop:w1 ww:stop:w2 ww:stop:w3 ww:follow:8:25-cv-951"; got != want {
		t.Errorf("reply's buttons: %s, want %s (five at most: one row)", got, want)
	}
}

// buttonSetup is an adapter on the stand-in with the real commands: a watch
// w1 of textCh and a thread posted there.
func buttonSetup(t *testing.T) (*fakeDiscord, *Discord, http.Handler, *store.DB, string) {
	t.Helper()
	f := textFake(t)
	f.AddThread(discordtest.Thread{ID: "100000000000000009", Parent: textCh, Name: "Abrego Garcia v. Noem"})
	d := f.adapter(t, func(o *Options) { o.PublicKey = vectorPublicKey })
	cmds, db := realCommands(t)
	if r := cmds.Command(context.Background(), wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: "Xinis", Channel: "discord:" + textCh, User: "ann"}); r.Refused {
		t.Fatal(r.Text)
	}
	const key = "case:mdd:8:25-cv-00951"
	now := time.Now()
	if err := db.SaveThread(wirewatch.Thread{Key: key, To: "discord:" + textCh, Ref: "100000000000000009", TopRef: textCh + "/100000000000000008",
		Title: "Abrego Garcia v. Noem", Started: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	return f, d, d.InteractionsHandler(cmds), db, key
}

// TestButtonPresses: over POST /discord/interactions each button does what
// it says (mute, here pressed inside the thread; stop, asked then
// confirmed in place; follow), a member without Manage Channels is refused
// with a message, and every press is audited.
func TestButtonPresses(t *testing.T) {
	_, _, h, db, key := buttonSetup(t)
	dest := wirewatch.Destination("discord:" + textCh)

	resp, _ := press(t, h, pressJSON(newIDs(), textCh, "ww:mute:"+key, 0, 0))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !strings.Contains(resp.Data.Content, "Manage Channels") {
		t.Errorf("mute without permission: %+v, want a refusal naming Manage Channels", resp.Data)
	}
	if muted, _ := db.Muted(dest, key); muted {
		t.Fatal("muted by a member without permission")
	}
	// Pressed on a reply, inside the thread: the thread's channel is the
	// destination.
	resp, bs := press(t, h, pressJSON(newIDs(), "100000000000000009", "ww:mute:"+key, manage, 0))
	if resp.Data == nil || resp.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(resp.Data.Content, "unmute") ||
		strings.Join(bs, " ") != "ww:unmute:"+key {
		t.Errorf("mute: %+v, want an ephemeral answer with an unmute button", resp.Data)
	}
	if muted, _ := db.Muted(dest, key); !muted {
		t.Error("mute: not muted")
	}

	resp, bs = press(t, h, pressJSON(newIDs(), textCh, "ww:stop:w1", manage, 0))
	if len(bs) != 1 || bs[0] != "ww:stop!:w1" {
		t.Fatalf("stop: %+v, want a confirmation button", resp.Data)
	}
	resp, bs = press(t, h, pressJSON(newIDs(), textCh, "ww:stop!:w1", manage, int(discordgo.MessageFlagsEphemeral)))
	if resp.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(resp.Data.Content, "Dropped watch w1") || bs == nil || len(bs) != 0 {
		t.Errorf("confirm: %+v, want the confirmation updated in place, its button gone", resp)
	}
	if ws, _ := db.Watches(); len(ws) != 0 {
		t.Errorf("watches after stop: %+v, want none", ws)
	}

	press(t, h, pressJSON(newIDs(), textCh, "ww:follow:8:25-cv-951", manage, 0))
	if ws, _ := db.Watches(); len(ws) != 1 || ws[0].Query != "case:8:25-cv-951" {
		t.Errorf("follow: watches %+v, want case:8:25-cv-951", ws)
	}
	if n := buttonPresses(t, db); n != 5 {
		t.Errorf("audit: %d presses, want 5 (the refused one too)", n)
	}
}

// TestButtonPressRefused: a press with a forged or stale signature gets
// 401 and mutes nothing; the same press delivered twice runs once.
func TestButtonPressRefused(t *testing.T) {
	_, _, h, db, key := buttonSetup(t)
	dest := wirewatch.Destination("discord:" + textCh)
	body := pressJSON("7001", textCh, "ww:mute:"+key, manage, 0)
	other := ed25519.NewKeyFromSeed([]byte(strings.Repeat("x", ed25519.SeedSize)))
	for name, r := range map[string]*http.Request{
		"forged": signed(t, other, time.Now(), body),
		"stale":  signed(t, testKey(), time.Now().Add(-6*time.Minute), body),
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, w.Code)
		}
	}
	if muted, _ := db.Muted(dest, key); muted {
		t.Fatal("muted by a refused request")
	}
	at := time.Now()
	for i, want := range []string{"Muted", "already handled"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, testKey(), at, body))
		var resp discordgo.InteractionResponse
		json.Unmarshal(w.Body.Bytes(), &resp)
		if w.Code != 200 || resp.Data == nil || !strings.Contains(resp.Data.Content, want) {
			t.Errorf("delivery %d: %d %s, want %q", i+1, w.Code, w.Body, want)
		}
	}
}

// TestGatewayButtonPress: a press over the gateway is answered through the
// interaction callback and carried out.
func TestGatewayButtonPress(t *testing.T) {
	f := textFake(t)
	cmds, db := realCommands(t)
	const key = "case:mdd:8:25-cv-00951"
	now := time.Now()
	if err := db.SaveThread(wirewatch.Thread{Key: key, To: "discord:" + textCh, Ref: "100000000000000009", TopRef: textCh + "/100000000000000009",
		Title: "Abrego Garcia v. Noem", Started: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	f.Dispatch(pressJSON("7002", textCh, "ww:mute:"+key, manage, 0))
	d := f.adapter(t, func(o *Options) { o.Gateway = true; o.GuildID = "222" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, cmds) }()
	var cb fakeReq
	select {
	case cb = <-f.Callbacks:
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("no interaction callback")
	}
	cancel()
	<-done
	var resp discordgo.InteractionResponse
	json.Unmarshal(cb.Body, &resp)
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data == nil || !strings.Contains(resp.Data.Content, "Muted") {
		t.Errorf("callback: %s, want the mute's ephemeral answer", cb.Body)
	}
	if muted, _ := db.Muted("discord:"+textCh, key); !muted {
		t.Error("not muted")
	}
}

// newIDs gives each press an interaction id of its own.
func newIDs() string { return strconv.FormatInt(8000+interactionSeq.Add(1), 10) }

// panicClicker is a Commander whose Click panics.
type panicClicker struct{ fakeCommander }

func (*panicClicker) Click(context.Context, wirewatch.Click) wirewatch.Reply { panic("click") }

// TestButtonPressPanicIsAnswered: a press whose Clicker panics is answered
// with an error message instead of taking the process down, as a command
// that panics is.
func TestButtonPressPanicIsAnswered(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, func(o *Options) { o.PublicKey = vectorPublicKey })
	resp, _ := press(t, d.InteractionsHandler(&panicClicker{}), pressJSON(newIDs(), textCh, "ww:stop:w1", manage, 0))
	if resp.Data == nil || !strings.Contains(resp.Data.Content, "Something went wrong") {
		t.Errorf("answer %+v, want the error message", resp.Data)
	}
}
