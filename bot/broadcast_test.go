package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// TestBroadcastCommand: /watch broadcast ID MODE sets the watch's setting
// (saved, listed, carried by its alerts); a config watch, another channel's
// watch and a bad mode are refused.
func TestBroadcastCommand(t *testing.T) {
	s := newTestCommands(t)
	const ch = wirewatch.Destination("slack:C1")
	mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: "Xinis", Channel: ch, User: "U1"})
	c, err := wirewatch.ParseCommandText("broadcast w1 Always")
	if err != nil {
		t.Fatal(err)
	}
	c.Channel, c.User = ch, "U1"
	if got := mustCommand(t, s, c); !strings.Contains(got, "broadcast always") {
		t.Errorf("reply %q", got)
	}
	if w, _ := s.List.Get("w1"); w.Broadcast != wirewatch.BroadcastAlways {
		t.Errorf("watchlist has broadcast %q", w.Broadcast)
	}
	ws, err := s.DB.Watches()
	if err != nil || len(ws) != 1 || ws[0].Broadcast != wirewatch.BroadcastAlways {
		t.Errorf("store has %+v (%v)", ws, err)
	}
	if got := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdList, Channel: ch}); !strings.Contains(got, "broadcast always") {
		t.Errorf("list %q does not show the setting", got)
	}
	as := s.List.Alerts(wirewatch.Item{ID: "1", Title: "Judge Xinis rules", Link: "https://news.example/1", Feed: "News"}, time.Now(), time.UTC)
	if len(as) != 1 || as[0].Broadcast != wirewatch.BroadcastAlways {
		t.Errorf("alerts %+v, want one saying always", as)
	}
	for _, tc := range []struct {
		c    wirewatch.Command
		want string
	}{
		{wirewatch.Command{Verb: wirewatch.CmdBroadcast, Arg: "w1", Mode: "never", Channel: "slack:C2"}, "another channel"},
		{wirewatch.Command{Verb: wirewatch.CmdBroadcast, Arg: "cfg-1", Mode: "never", Channel: ch}, "config file"},
		{wirewatch.Command{Verb: wirewatch.CmdBroadcast, Arg: "w9", Mode: "never", Channel: ch}, "no watch"},
		{wirewatch.Command{Verb: wirewatch.CmdBroadcast, Arg: "w1", Mode: "loud", Channel: ch}, "auto, always or never"},
	} {
		if r := s.Command(context.Background(), tc.c); !r.Refused || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%+v: got %+v, want a refusal with %q", tc.c, r, tc.want)
		}
	}
	for _, text := range []string{"broadcast", "broadcast w1", "broadcast w1 loud"} {
		if _, err := wirewatch.ParseCommandText(text); err == nil {
			t.Errorf("%q parsed", text)
		}
	}
}
