package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

// clicks lists the audit trail's button entries as "action id by: detail".
func clicks(t *testing.T, db *store.DB) []string {
	t.Helper()
	trail, err := db.Audit(100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range trail {
		if strings.HasPrefix(e.Action, "button ") {
			out = append(out, e.Action+" "+e.ID+" "+e.User+": "+e.Detail)
		}
	}
	return out
}

// TestClickMuteAndUnmute: the mute button mutes a thread of the channel it
// is pressed in (only one posted there), /watch list names it with its
// unmute command, and unmute (the button the answer offers, or the
// command) lifts it.
func TestClickMuteAndUnmute(t *testing.T) {
	db := openStore(t)
	s, _ := newCommands(db)
	const c1, c2 = wirewatch.Destination("slack:C1"), wirewatch.Destination("slack:C2")
	const key = "case:mdd:8:25-cv-00951"
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if err := db.SaveThread(wirewatch.Thread{Key: key, To: c1, Ref: "1.0", TopRef: "1.0", Title: "Abrego Garcia v. Noem", Started: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	// The thread was posted in C1, not C2: a press there (a forged value,
	// a message shared elsewhere) is refused.
	if r := s.Click(t.Context(), wirewatch.Click{Control: wirewatch.Control{Action: wirewatch.ActMute, Arg: key}, Channel: c2, User: "U2"}); !r.Refused {
		t.Errorf("mute in C2: got %q, want refused", r.Text)
	}
	if muted, _ := db.Muted(c2, key); muted {
		t.Error("C2: muted by a refused press")
	}
	r := s.Click(t.Context(), wirewatch.Click{Control: wirewatch.Control{Action: wirewatch.ActMute, Arg: key}, Channel: c1, User: "U1"})
	if r.Refused || !strings.Contains(r.Text, "/watch unmute "+key) || len(r.Controls) != 1 || r.Controls[0].Action != wirewatch.ActUnmute {
		t.Fatalf("mute: got %+v, want done with the unmute command and button", r)
	}
	if muted, _ := db.Muted(c1, key); !muted {
		t.Fatal("C1: not muted")
	}
	list := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdList, Channel: c1, User: "U1"})
	if !strings.Contains(list.Text, "Abrego Garcia v. Noem") || !strings.Contains(list.Text, "/watch unmute "+key) {
		t.Errorf("list: got %q, want the muted thread and its unmute command", list.Text)
	}
	r = s.Click(t.Context(), wirewatch.Click{Control: r.Controls[0], Channel: c1, User: "U3"})
	if r.Refused {
		t.Fatalf("unmute: refused: %s", r.Text)
	}
	if muted, _ := db.Muted(c1, key); muted {
		t.Error("still muted after the unmute button")
	}
	if r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdUnmute, Arg: key, Channel: c1, User: "U3"}); !r.Refused {
		t.Errorf("unmute again: got %q, want refused (not muted)", r.Text)
	}
	want := []string{
		"button mute " + key + " U2: refused: wirewatch has no such thread in this channel (it may be too old)",
		"button mute " + key + " U1: done",
		"button unmute " + key + " U3: done",
	}
	if got := clicks(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestClickStopAsksThenDrops: stop asks first (nothing dropped), with
// /watch drop's checks; the confirmation drops the watch; the platform's
// refusal (Denied) and the config file's watches are refused.
func TestClickStopAsksThenDrops(t *testing.T) {
	db := openStore(t)
	s, _ := newCommands(db)
	const c1, c2 = wirewatch.Destination("discord:1"), wirewatch.Destination("discord:2")
	if err := s.List.Set(wirewatch.Watch{ID: "cfg-1", Query: "Xinis", To: []wirewatch.Destination{c1}}); err != nil {
		t.Fatal(err)
	}
	if r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: `"Abrego Garcia"`, Channel: c1, User: "ann"}); r.Refused {
		t.Fatal(r.Text)
	}
	stop := func(act, id string, ch wirewatch.Destination, denied string) wirewatch.Reply {
		return s.Click(t.Context(), wirewatch.Click{Control: wirewatch.Control{Action: act, Arg: id}, Channel: ch, User: "bob", Denied: denied})
	}
	r := stop(wirewatch.ActStop, "w1", c1, "")
	if r.Refused || len(r.Controls) != 1 || r.Controls[0].ID() != "stop!:w1" || !strings.Contains(r.Text, `"Abrego Garcia"`) {
		t.Fatalf("stop: got %+v, want a question naming the query and a confirmation button", r)
	}
	if _, ok := s.List.Get("w1"); !ok {
		t.Fatal("w1 dropped before the confirmation")
	}
	for _, tc := range []struct {
		name, act, id string
		ch            wirewatch.Destination
		denied, want  string
	}{
		{"no permission", wirewatch.ActStopConfirm, "w1", c1, "needs Manage Channels", "needs Manage Channels"},
		{"another channel", wirewatch.ActStopConfirm, "w1", c2, "", "belongs to another channel"},
		{"another channel, asked", wirewatch.ActStop, "w1", c2, "", "belongs to another channel"},
		{"config file", wirewatch.ActStop, "cfg-1", c1, "", "config file"},
		{"config file, confirmed", wirewatch.ActStopConfirm, "cfg-1", c1, "", "config file"},
		{"unknown", wirewatch.ActStop, "w9", c1, "", "no watch"},
	} {
		if r := stop(tc.act, tc.id, tc.ch, tc.denied); !r.Refused || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s: got %+v, want refused saying %q", tc.name, r, tc.want)
		}
	}
	if _, ok := s.List.Get("w1"); !ok {
		t.Fatal("w1 dropped by a refused press")
	}
	if r := stop(wirewatch.ActStopConfirm, "w1", c1, ""); r.Refused || !strings.Contains(r.Text, "Dropped watch w1") {
		t.Fatalf("confirm: got %+v, want dropped", r)
	}
	if _, ok := s.List.Get("w1"); ok {
		t.Error("w1 still watched after the confirmation")
	}
	if got := clicks(t, db); len(got) != 8 || !strings.HasPrefix(got[0], "button stop w1 bob: done") || !strings.HasPrefix(got[7], "button stop! w1 bob: done") {
		t.Errorf("audit: got %q, want the 8 presses, refused ones too", got)
	}
}

// TestClickFollowAddsACaseWatch: follow adds case:NUMBER to the channel,
// once; the button's value must be a docket number and nothing more.
func TestClickFollowAddsACaseWatch(t *testing.T) {
	db := openStore(t)
	s, _ := newCommands(db)
	const ch = wirewatch.Destination("slack:C1")
	follow := func(arg string) wirewatch.Reply {
		return s.Click(t.Context(), wirewatch.Click{Control: wirewatch.Control{Action: wirewatch.ActFollow, Arg: arg}, Channel: ch, User: "ann"})
	}
	if r := follow("8:25-cv-951"); r.Refused || !strings.Contains(r.Text, "Added watch w1") {
		t.Fatalf("follow: got %+v, want a watch added", r)
	}
	ws := s.Watches(t.Context(), ch)
	if len(ws) != 1 || ws[0].Query != "case:8:25-cv-951" || ws[0].AddedBy != "ann" {
		t.Fatalf("watches: got %+v, want case:8:25-cv-951 added by ann", ws)
	}
	for _, arg := range []string{"8:25-cv-951", "8:25-cv-951 OR Xinis", "Xinis", "8:25-cv-00951"} {
		if r := follow(arg); !r.Refused {
			t.Errorf("follow %q: got %q, want refused", arg, r.Text)
		}
	}
	if ws := s.Watches(t.Context(), ch); len(ws) != 1 {
		t.Errorf("watches: got %d, want 1", len(ws))
	}
}

// TestAlertsCarryWhatTheButtonsNeed: an alert names its watches' ids, and
// a news item's the docket number it mentions (a docket entry's does not:
// it is the case already).
func TestAlertsCarryWhatTheButtonsNeed(t *testing.T) {
	l := bot.NewWatchlist()
	for _, w := range []wirewatch.Watch{{ID: "cfg-1", Query: "Xinis", To: []wirewatch.Destination{"slack:C1"}}, {ID: "w2", Name: "AG", Query: `"Abrego Garcia"`, To: []wirewatch.Destination{"slack:C1"}}} {
		if err := l.Set(w); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	news := wirewatch.Item{ID: "1", Title: "Judge Xinis rules for Abrego Garcia", Summary: "In case 8:25-cv-00951-PX, the judge ordered…"}
	as := l.Alerts(news, now, time.UTC)
	if len(as) != 1 || strings.Join(as[0].WatchIDs, ",") != "cfg-1,w2" || strings.Join(as[0].Watches, ",") != "Xinis,AG" || as[0].Mentions != "8:25-cv-951" {
		t.Fatalf("news alert: got %+v, want watch ids cfg-1,w2 beside their labels, and mentions 8:25-cv-951", as)
	}
	entry := news
	entry.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951"}
	if as := l.Alerts(entry, now, time.UTC); len(as) != 1 || as[0].Mentions != "" {
		t.Errorf("docket alert: got %+v, want no mention", as)
	}
}
