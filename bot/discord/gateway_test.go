package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// TestGatewayWatchAdd runs /watch add end to end over a websocket stand-in:
// GET /gateway (whose wss://gateway.discord.gg answer the transport points
// at the stand-in), Hello, Identify, READY, INTERACTION_CREATE, then the
// command, the reply through the callback endpoint and the command
// registration.
func TestGatewayWatchAdd(t *testing.T) {
	f := newFake(t)
	f.Dispatch(commandJSON(int64(discordgo.PermissionManageChannels),
		`{"type":1,"name":"add","options":[{"type":3,"name":"query","value":"Xinis"}]}`))
	d := f.adapter(t, func(o *Options) {
		o.Gateway = true
		o.ApplicationID = "" // learnt from READY
		o.GuildID = "222"
	})
	c := &fakeCommander{reply: "added "}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, c) }()

	var id map[string]any
	select {
	case id = <-f.Identify:
	case err := <-done:
		t.Fatalf("Run returned before identifying: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no Identify")
	}
	data, _ := id["d"].(map[string]any)
	if id["op"] != float64(2) || data["token"] != "Bot test" || data["intents"] != float64(0) {
		t.Errorf("identify = op %v token %v intents %v, want op 2, the bot token, no intents", id["op"], data["token"], data["intents"])
	}

	var cb fakeReq
	select {
	case cb = <-f.Callbacks:
	case <-time.After(10 * time.Second):
		t.Fatal("no interaction callback")
	}
	if cb.Path != "/api/v9/interactions/111/tok-secret/callback" {
		t.Errorf("callback path = %s", cb.Path)
	}
	var resp discordgo.InteractionResponse
	if err := json.Unmarshal(cb.Body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Data.Flags != discordgo.MessageFlagsEphemeral ||
		!strings.Contains(resp.Data.Content, "added add\\: Xinis") {
		t.Errorf("callback = %+v %+v, want an ephemeral reply from the commander", resp, resp.Data)
	}
	got := c.commands()
	if len(got) != 1 || got[0].Verb != wirewatch.CmdAdd || got[0].Arg != "Xinis" || got[0].Channel != "discord:"+textCh {
		t.Errorf("commands = %+v", got)
	}

	// Registration: one PUT of /watch into the guild, for the app of READY.
	select {
	case <-f.Puts:
	case <-time.After(10 * time.Second):
		t.Fatal("commands never registered")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	puts := f.requests("PUT", "/api/v9/applications/555/guilds/222/commands")
	if len(puts) != 1 {
		t.Fatalf("got %d command registrations, want 1", len(puts))
	}
	var cmds []map[string]any
	json.Unmarshal(puts[0].Body, &cmds)
	if len(cmds) != 1 || cmds[0]["name"] != "watch" || cmds[0]["default_member_permissions"] != "16" {
		t.Errorf("registered %v", cmds)
	}
}

func TestRunHTTPModeRegistersGlobally(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, nil) // gateway off, application 555, no guild
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, &fakeCommander{}) }()
	// Run registers before it waits; cancel once the PUT is in.
	select {
	case put := <-f.Puts:
		if put.Path != "/api/v9/applications/555/commands" {
			t.Errorf("registered at %s, want the global commands", put.Path)
		}
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("commands never registered")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if n := len(f.requests("GET", "/api/v9/gateway")); n != 0 {
		t.Errorf("asked for the gateway %d times with the gateway off", n)
	}
}

func TestRunRegistrationRefused(t *testing.T) {
	f := newFake(t)
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		return 403, nil, `{"message":"Missing Access","code":50001}`, true
	})
	d := f.adapter(t, nil)
	err := d.Run(context.Background(), &fakeCommander{})
	if err == nil || !strings.Contains(err.Error(), "Missing Access") {
		t.Fatalf("Run = %v, want the refusal", err)
	}
}

func TestInviteURL(t *testing.T) {
	want := "https://discord.com/oauth2/authorize?client_id=555&scope=bot+applications.commands&permissions=309237730304"
	if got := InviteURL("555"); got != want {
		t.Errorf("InviteURL = %s, want %s", got, want)
	}
}
