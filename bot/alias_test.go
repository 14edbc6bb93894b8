package bot

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

func newTestCommands(t *testing.T) *Commands {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Commands{DB: db, List: NewWatchlist(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func mustCommand(t *testing.T, s *Commands, c wirewatch.Command) string {
	t.Helper()
	r := s.Command(context.Background(), c)
	if r.Refused {
		t.Fatalf("%s %q refused: %s", c.Verb, c.Arg, r.Text)
	}
	return r.Text
}

// TestAddEchoesQueryAsRead: the reply that saves a watch shows how the
// query was read, operators written out.
func TestAddEchoesQueryAsRead(t *testing.T) {
	s := newTestCommands(t)
	const ch = wirewatch.Destination("slack:C1")
	for _, tt := range []struct{ query, want string }{
		{`"Abrego Garcia" Xinis`, `Added watch w1: "Abrego Garcia" AND Xinis — new matching items will be posted to this channel.`},
		{`Abrego Garcia -Bukele`, `Added watch w2: "Abrego Garcia" AND NOT Bukele — new matching items will be posted to this channel.`},
		{`"Joseph Mazzara~"`, `Added watch w3: "Joseph Mazzara~" — new matching items will be posted to this channel.`},
	} {
		if got := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: tt.query, Channel: ch, User: "U1"}); got != tt.want {
			t.Errorf("add %s: got %q, want %q", tt.query, got, tt.want)
		}
	}
	// The watch is stored as typed; only the reply spells it out.
	if w, _ := s.List.Get("w1"); w.Query != `"Abrego Garcia" Xinis` {
		t.Errorf("stored query %q, want it as typed", w.Query)
	}
	r := s.Command(context.Background(), wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: `Noem~`, Channel: ch})
	if !r.Refused || !strings.Contains(r.Text, `at least 5 letters`) || !strings.Contains(r.Text, "at 5") {
		t.Errorf("add Noem~: got %+v, want a refusal naming the rule and position", r)
	}
	if got := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdTest, Arg: `"Abrego Garcia" Xinis`, Channel: ch}); !strings.Contains(got, `"Abrego Garcia" AND Xinis`) {
		t.Errorf("test: got %q, want the query as read", got)
	}
}

// TestAliasCommand: /watch alias ID SPELLING makes the next item with that
// spelling alert, is shown in list, survives a restart of the watch list
// from the store, and is refused where it must be.
func TestAliasCommand(t *testing.T) {
	s := newTestCommands(t)
	const ch = wirewatch.Destination("slack:C1")
	mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: `"Joseph Mazzara"`, Channel: ch, User: "U1"})
	it := wirewatch.Item{ID: "1", Title: "Joseph Mazarra testifies on removals", Feed: "Outlet B"}
	if as := s.List.Alerts(it, time.Now(), time.UTC); len(as) != 0 {
		t.Fatalf("before the alias: %d alerts, want none", len(as))
	}
	cmd, err := wirewatch.ParseCommandText("alias w1  Mazarra")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Channel, cmd.User = ch, "U2"
	got := mustCommand(t, s, cmd)
	if want := `Watch w1 now also matches Mazarra: "Joseph Mazzara" OR "Mazarra".`; got != want {
		t.Errorf("alias reply: got %q, want %q", got, want)
	}
	as := s.List.Alerts(it, time.Now(), time.UTC)
	if len(as) != 1 || strings.Join(as[0].Terms, ",") != "Mazarra" {
		t.Fatalf("after the alias: got %+v, want one alert with the term Mazarra", as)
	}
	if l := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdList, Channel: ch}); !regexp.MustCompile(`w1 · "Joseph Mazzara" · also: Mazarra · added by U1`).MatchString(l) {
		t.Errorf("list: got %q, want the alias shown", l)
	}
	// A new watch list loaded from the store (a restart) keeps the alias.
	ws, err := s.DB.Watches()
	if err != nil {
		t.Fatal(err)
	}
	fresh := NewWatchlist()
	if errs := fresh.SetAll(ws); len(errs) > 0 {
		t.Fatal(errs)
	}
	if as := fresh.Alerts(it, time.Now(), time.UTC); len(as) != 1 {
		t.Errorf("after a restart: %d alerts, want 1", len(as))
	}

	s.List.Set(wirewatch.Watch{ID: "cfg-1", Query: "Xinis", To: []wirewatch.Destination{ch}})
	for _, tt := range []struct {
		name string
		c    wirewatch.Command
		want string
	}{
		{"other channel", wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "w1", Alias: "Mazara", Channel: "slack:C2"}, "belongs to another channel"},
		{"config watch", wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "cfg-1", Alias: "Xinnis", Channel: ch}, "config file"},
		{"unknown", wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "w9", Alias: "Mazara", Channel: ch}, `no watch "w9"`},
		{"again", wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "w1", Alias: "MAZARRA", Channel: ch}, "has the alias Mazarra already"},
		{"no letters", wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "w1", Alias: "—", Channel: ch}, "no letters or digits"},
	} {
		r := s.Command(context.Background(), tt.c)
		if !r.Refused || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s: got %+v, want a refusal containing %q", tt.name, r, tt.want)
		}
	}
	if _, err := wirewatch.ParseCommandText("alias w1"); err == nil || !strings.Contains(err.Error(), "alias w3 Mazarra") {
		t.Errorf("alias without a spelling: got %v, want the usage", err)
	}
	if !strings.Contains(Help, "/watch alias ID SPELLING") {
		t.Error("help does not mention /watch alias")
	}
}

// TestSuggestAliasEndToEnd: items spell the watch's name another way;
// /watch test and /watch list offer it with the command, and once it is an
// alias the next such item alerts.
func TestSuggestAliasEndToEnd(t *testing.T) {
	s := newTestCommands(t)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	const ch = wirewatch.Destination("slack:C1")
	mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: `"Joseph Mazzara"`, Channel: ch, User: "U1"})
	ingest := func(items ...wirewatch.Item) int {
		t.Helper()
		res, err := s.DB.Ingest("f1", nil, items, func(it wirewatch.Item) []wirewatch.Alert { return s.List.Alerts(it, now, time.UTC) })
		if err != nil {
			t.Fatal(err)
		}
		return res.Alerts[ch]
	}
	day := func(d int) time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }
	if n := ingest(
		wirewatch.Item{ID: "1", Title: "Joseph Mazarra testifies", Published: day(1)},
		wirewatch.Item{ID: "2", Title: "ICE official Joseph Mazarra", Published: day(2)},
		wirewatch.Item{ID: "3", Title: "Mazarra, again", Summary: "Joseph Mazarra said", Published: day(3)},
		wirewatch.Item{ID: "4", Title: "Joseph Mazarra last month", Published: day(30)},
		wirewatch.Item{ID: "5", Title: "Mazarra alone", Published: day(1)},
	); n != 0 {
		t.Fatalf("%d alerts before the alias, want none", n)
	}
	want := "also seen: Joseph Mazarra (3 items this week) — to match it too: /watch alias w1 Joseph Mazarra"
	if got := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdTest, Arg: `"Joseph Mazzara"`, Channel: ch}); !strings.Contains(got, want) {
		t.Errorf("test: got %q, want it to offer %q", got, want)
	}
	if got := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdList, Channel: ch}); !strings.Contains(got, want) {
		t.Errorf("list: got %q, want it to offer %q", got, want)
	}
	// Nothing was added by itself.
	if n := ingest(wirewatch.Item{ID: "6", Title: "Joseph Mazarra returns", Published: now}); n != 0 {
		t.Fatalf("%d alerts before the alias was confirmed, want none", n)
	}
	cmd, err := wirewatch.ParseCommandText("alias w1 Joseph Mazarra")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Channel, cmd.User = ch, "U1"
	mustCommand(t, s, cmd)
	if n := ingest(wirewatch.Item{ID: "7", Title: "Joseph Mazarra resigns", Published: now}); n != 1 {
		t.Fatalf("%d alerts after the alias, want 1", n)
	}
	if got := mustCommand(t, s, wirewatch.Command{Verb: wirewatch.CmdTest, Arg: `"Joseph Mazzara"`, Channel: ch}); strings.Contains(got, "also seen") {
		t.Errorf("test after the alias still offers it: %q", got)
	}
}
