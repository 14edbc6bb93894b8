package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/store"
)

func docketItem(id, court, number, name, entry, desc string, at time.Time) wirewatch.Item {
	return wirewatch.Item{ID: id, Title: desc, Link: "https://www.courtlistener.com/docket/1/" + id, Published: at, Summary: desc,
		Docket: &wirewatch.Docket{Court: court, Number: number, CaseName: name, EntryNumber: entry, ShortDescription: desc}}
}

// districtCasePipeline is a pipeline whose one watch, w1, follows the
// district case 8:25-cv-00951 in slack:C1 (links on), at a fixed now.
func districtCasePipeline(t *testing.T) (*store.DB, *bot.Pipeline, time.Time) {
	t.Helper()
	db := openStore(t)
	now := time.Date(2025, 4, 1, 15, 0, 0, 0, time.UTC)
	wl := mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: "case:8:25-cv-00951", To: []wirewatch.Destination{"slack:C1"}})
	wl.SetCases(db, quietLog())
	return db, &bot.Pipeline{DB: db, Location: time.UTC, Log: quietLog(), Now: func() time.Time { return now }, Watches: wl}, now
}

// A district docket and its appeal, once each names the other, are one
// matter: the appeal's entries are threaded under the district docket's key
// and a case: watch on the district number alerts for them; a forged
// "USCA Case Number" in another court's case does not join the thread.
// ("ORDER denying stay" names no number: only the link makes it alert.)
func TestLinkedDocketsThreadTogether(t *testing.T) {
	db, p, now := districtCasePipeline(t)
	hook := wirewatch.Feed{ID: "hook", Name: "CourtListener"}

	push := func(items ...wirewatch.Item) {
		t.Helper()
		if err := p.Ingest(t.Context(), hook, items); err != nil {
			t.Fatal(err)
		}
	}
	push(docketItem("d61", "mdd", "8:25-cv-00951", "Abrego Garcia v. Noem", "61",
		"USCA Case Number 25-1345 for [58] Notice of Appeal filed by Kristi Noem", now.Add(-3*time.Hour)))
	// The appeal's first entry names its origin: this completes the link.
	push(docketItem("a1", "ca4", "25-1345", "Kilmar Abrego Garcia v. Kristi Noem", "1",
		"Case docketed. Originating case number: 8:25-cv-00951-PX", now.Add(-2*time.Hour)))
	push(docketItem("a2", "ca4", "25-1345", "Kilmar Abrego Garcia v. Kristi Noem", "2", "ORDER denying stay", now.Add(-time.Hour)))
	// Forgery: a New York case's text claims the appeal's number, and an
	// unrelated ca2 docket names the Maryland number as its origin.
	push(docketItem("f1", "nysd", "1:25-cv-01234", "Forger v. X", "3", "USCA Case Number 25-1345; originating case number 8:25-cv-00951", now))
	push(docketItem("f2", "ca2", "25-1345", "Forger v. X", "1", "Originating case number: 8:25-cv-00951", now))

	got, err := db.Pending("slack:C1", 10)
	if err != nil {
		t.Fatal(err)
	}
	threads := map[string]string{}
	for _, a := range got {
		threads[a.Docket.Court+" "+a.Docket.EntryNumber] = a.Thread
	}
	want := map[string]string{
		"mdd 61": "case:mdd:8:25-cv-00951",
		"ca4 1":  "case:mdd:8:25-cv-00951",
		"ca4 2":  "case:mdd:8:25-cv-00951",
	}
	for k, th := range want {
		if threads[k] != th {
			t.Errorf("%s: thread %q, want %q (all: %v)", k, threads[k], th, threads)
		}
	}
	// The forged entries name the number in their text, so the case: watch
	// sees them, but each stays in its own docket's thread.
	for k, th := range map[string]string{"nysd 3": "case:nysd:1:25-cv-01234", "ca2 1": "case:ca2:25-1345"} {
		if threads[k] != th {
			t.Errorf("forged %s: thread %q, want its own %q", k, threads[k], th)
		}
	}
}

// link and unlink from chat: parsed, permission-checked, carried out,
// audited; a bad case is refused with what a case looks like.
func TestLinkCommands(t *testing.T) {
	db := openStore(t)
	wl := mustWatchlist(t)
	wl.SetCases(db, quietLog())
	cmds := &bot.Commands{DB: db, List: wl, Location: time.UTC, Log: quietLog()}
	run := func(text string, admin bool) wirewatch.Reply {
		t.Helper()
		c, err := wirewatch.ParseCommandText(text)
		if err != nil {
			return wirewatch.Reply{Text: err.Error(), Refused: true}
		}
		c.Channel, c.User, c.MayManageFeeds = "slack:C1", "U1", admin
		return cmds.Command(t.Context(), c)
	}
	if r := run("link mdd:8:25-cv-00951 tnmd:3:25-cr-00115", false); !r.Refused {
		t.Errorf("link without permission: %q", r.Text)
	}
	for _, bad := range []string{"link mdd:8:25-cv-00951", "link zz:1-2 mdd:8:25-cv-00951", "link mdd:hello ca4:25-1345", "link mdd:8:25-cv-00951 mdd:8:25-cv-951"} {
		if r := run(bad, true); !r.Refused {
			t.Errorf("%q: accepted: %q", bad, r.Text)
		}
	}
	r := run("link mdd:8:25-cv-00951 case:tnmd:3:25-cr-00115", true)
	if r.Refused || !strings.Contains(r.Text, "8:25-cv-00951 (D. Md.)") || !strings.Contains(r.Text, "3:25-cr-00115 (M.D. Tenn.)") {
		t.Fatalf("link: %+v", r)
	}
	// The criminal case's next entry goes to the civil case's thread.
	alerts := mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: "case:3:25-cr-00115", To: []wirewatch.Destination{"slack:C1"}})
	alerts.SetCases(db, quietLog())
	it := docketItem("c1", "tnmd", "3:25-cr-00115", "United States v. Abrego Garcia", "12", "ORDER of detention", time.Now())
	if got := alerts.Alerts(it, time.Now(), time.UTC); len(got) != 1 || got[0].Thread != "case:mdd:8:25-cv-00951" {
		t.Fatalf("after link: alerts %+v", got)
	}
	if r := run("unlink tnmd:3:25-cr-00115 mdd:8:25-cv-00951", true); r.Refused {
		t.Fatalf("unlink: %+v", r)
	}
	if got := alerts.Alerts(it, time.Now(), time.UTC); len(got) != 1 || got[0].Thread != "case:tnmd:3:25-cr-00115" {
		t.Fatalf("after unlink: alerts %+v", got)
	}
	trail, err := db.Audit(10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, "case link") || !slices.Contains(actions, "case unlink") {
		t.Errorf("audit trail %v", actions)
	}
}

// A plain word matches the judge a docket item's source names.
func TestWatchMatchesDocketJudge(t *testing.T) {
	wl := mustWatchlist(t, wirewatch.Watch{ID: "w1", Query: "Xinis", To: []wirewatch.Destination{"stdout"}})
	it := docketItem("e1", "mdd", "8:25-cv-00951", "Abrego Garcia v. Noem", "61", "ORDER", time.Now())
	if got := wl.Alerts(it, time.Now(), time.UTC); len(got) != 0 {
		t.Fatalf("no judge named: %d alerts", len(got))
	}
	it.Docket.Judges = []string{"Paula Xinis"}
	if got := wl.Alerts(it, time.Now(), time.UTC); len(got) != 1 {
		t.Fatalf("judge named: %d alerts, want 1", len(got))
	}
}

// party:, judge: and attorney: watches match the names a docket item's
// source gives, only there; matched_in counts them as "docket".
func TestWatchFieldsMatchDocketNames(t *testing.T) {
	wl := mustWatchlist(t,
		wirewatch.Watch{ID: "party", Query: `party:"Abrego Garcia"`, To: []wirewatch.Destination{"stdout"}},
		wirewatch.Watch{ID: "judge", Query: `judge:Xinis`, To: []wirewatch.Destination{"stdout"}},
		wirewatch.Watch{ID: "attorney", Query: `attorney:Sandoval*`, To: []wirewatch.Destination{"stdout"}},
		wirewatch.Watch{ID: "judge2", Query: `judge:Noem`, To: []wirewatch.Destination{"stdout"}})
	it := docketItem("e1", "mdd", "8:25-cv-00951", "Abrego Garcia v. Noem", "61", "ORDER", time.Now())
	if got := wl.Alerts(it, time.Now(), time.UTC); len(got) != 0 {
		t.Fatalf("no names given (PACER RSS): %d alerts, want none (the caption is no party list)", len(got))
	}
	it.Docket.Parties = []string{"Kilmar Armando Abrego Garcia", "Kristi Noem"}
	it.Docket.Judges = []string{"Paula Xinis"}
	it.Docket.Attorneys = []string{"Simon Y. Sandoval-Moshenberg"}
	got := wl.Alerts(it, time.Now(), time.UTC)
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1", len(got))
	}
	a := got[0]
	if !slices.Equal(a.Watches, []string{`attorney:Sandoval*`, `judge:Xinis`, `party:"Abrego Garcia"`}) {
		t.Errorf("watches %q, want the three field watches (not judge:Noem)", a.Watches)
	}
	if !slices.Equal(a.MatchedIn, []string{"docket"}) {
		t.Errorf("matched_in %q, want [docket]", a.MatchedIn)
	}
	if !slices.Contains(a.Terms, "Abrego Garcia") || !slices.Contains(a.Terms, "Xinis") || !slices.Contains(a.Terms, "Sandoval") {
		t.Errorf("terms %q", a.Terms)
	}
	// stdout prints them in the docket object.
	var buf bytes.Buffer
	if _, err := bot.NewWriter(&buf).PostTop(context.Background(), wirewatch.Thread{}, a); err != nil {
		t.Fatal(err)
	}
	var line struct {
		Docket struct{ Parties, Judges, Attorneys []string }
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if d := line.Docket; len(d.Parties) != 2 || len(d.Judges) != 1 || len(d.Attorneys) != 1 {
		t.Errorf("stdout docket %s: want parties, judges and attorneys", buf.Bytes())
	}
}

// Dockets link when their entries come on feeds' first polls too, which
// alert nothing (seeding): the appeal's next entry, on a later poll, is
// threaded under the district docket and alerts its case: watch.
func TestLinkedDocketsFromSeeding(t *testing.T) {
	db, p, now := districtCasePipeline(t)
	district := wirewatch.Feed{ID: "mdd", URL: "https://www.courtlistener.com/docket/1/rss", Type: wirewatch.FeedCourtListener}
	appeal := wirewatch.Feed{ID: "ca4", URL: "https://www.courtlistener.com/docket/2/rss", Type: wirewatch.FeedCourtListener}
	commit := func(f wirewatch.Feed, first bool, items ...wirewatch.Item) {
		t.Helper()
		for i := range items {
			items[i].FeedID = f.ID
		}
		if err := p.Commit(t.Context(), f, wirewatch.FeedState{Seeded: !first}, items, first); err != nil {
			t.Fatal(err)
		}
	}
	commit(district, true, docketItem("d61", "mdd", "8:25-cv-00951", "Abrego Garcia v. Noem", "61",
		"USCA Case Number 25-1345 for [58] Notice of Appeal filed by Kristi Noem", now.Add(-3*time.Hour)))
	a1 := docketItem("a1", "ca4", "25-1345", "Kilmar Abrego Garcia v. Kristi Noem", "1",
		"Case docketed. Originating case number: 8:25-cv-00951-PX", now.Add(-2*time.Hour))
	commit(appeal, true, a1)
	if got, err := db.Pending("slack:C1", 10); err != nil || len(got) != 0 {
		t.Fatalf("first polls queued %d alerts (%v), want none", len(got), err)
	}
	commit(appeal, false, a1, docketItem("a2", "ca4", "25-1345", "Kilmar Abrego Garcia v. Kristi Noem", "2", "ORDER denying stay", now.Add(-time.Hour)))
	got, err := db.Pending("slack:C1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Docket == nil || got[0].Docket.EntryNumber != "2" || got[0].Thread != "case:mdd:8:25-cv-00951" {
		t.Fatalf("after the seeding: %+v, want the appeal's entry 2 in thread case:mdd:8:25-cv-00951", got)
	}
}
