package bot

import (
	"slices"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

func newList(t *testing.T, ws ...wirewatch.Watch) *Watchlist {
	t.Helper()
	l := NewWatchlist()
	for _, w := range ws {
		if err := l.Set(w); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func nyc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	return loc
}

func TestAlertsOnePerDestinationNamingEveryWatch(t *testing.T) {
	l := newList(t,
		wirewatch.Watch{ID: "cfg-1", Name: "Abrego", Query: `"Abrego Garcia" OR Xinis`, To: []wirewatch.Destination{"slack:C1", "discord:42"}},
		wirewatch.Watch{ID: "cfg-2", Query: `Xinis AND deport*`, To: []wirewatch.Destination{"slack:C1"}},
		wirewatch.Watch{ID: "w1", Name: "Bukele", Query: `Bukele`, To: []wirewatch.Destination{"discord:42"}},
		wirewatch.Watch{ID: "w2", Name: "unrelated", Query: `Smithfield`, To: []wirewatch.Destination{"slack:C1"}},
	)
	it := wirewatch.Item{
		Feed: "Courthouse News", Title: "Judge Xinis orders Ábrego García's return",
		Link: "https://news.example/abrego", Published: time.Date(2026, 11, 21, 22, 0, 0, 0, time.UTC),
		Summary: "The government deported him to El Salvador. President Bukele declined.",
	}
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	alerts := l.Alerts(it, now, time.UTC)
	if len(alerts) != 2 {
		t.Fatalf("got %d alerts, want one per destination (2): %+v", len(alerts), alerts)
	}
	by := map[wirewatch.Destination]wirewatch.Alert{}
	for _, a := range alerts {
		if _, dup := by[a.To]; dup {
			t.Errorf("two alerts for %s", a.To)
		}
		by[a.To] = a
	}
	if got := by["slack:C1"].Watches; !slices.Equal(got, []string{"Abrego", "Xinis AND deport*"}) {
		t.Errorf("slack alert names watches %q", got)
	}
	if got := by["discord:42"].Watches; !slices.Equal(got, []string{"Abrego", "Bukele"}) {
		t.Errorf("discord alert names watches %q", got)
	}
	for _, a := range alerts {
		if a.Title != it.Title || a.Link != it.Link || a.Source != "Courthouse News" || !a.Published.Equal(it.Published) {
			t.Errorf("alert for %s does not carry the item: %+v", a.To, a)
		}
		if a.Thread != "watch:cfg-1:2026-11-22" {
			t.Errorf("alert for %s in thread %q, want the first watch's, today's", a.To, a.Thread)
		}
		if a.Quiet {
			t.Errorf("news alert for %s is quiet", a.To)
		}
	}
	// Terms as written in the item, each once.
	if terms := by["discord:42"].Terms; !slices.Contains(terms, "Ábrego García") || !slices.Contains(terms, "Bukele") {
		t.Errorf("discord terms %q", terms)
	}

	if got := l.Alerts(wirewatch.Item{Title: "Weather", Summary: "Rain."}, now, time.UTC); got != nil {
		t.Errorf("unmatched item made alerts %+v", got)
	}
	l.Remove("cfg-1")
	if got := l.Alerts(it, now, time.UTC); len(got) != 2 || !slices.Equal(got[0].Watches, []string{"Xinis AND deport*"}) {
		t.Errorf("after removing cfg-1: %+v", got)
	}
}

func TestAlertsNewsThreadIsTheLocalDay(t *testing.T) {
	loc := nyc(t)
	l := newList(t, wirewatch.Watch{ID: "w7", Query: "Xinis", To: []wirewatch.Destination{"stdout"}})
	it := wirewatch.Item{Title: "Xinis rules", Link: "https://news.example/x"}
	// 03:00 UTC on the 22nd is 22:00 on the 21st in New York.
	seen := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	a := l.Alerts(it, seen, loc)
	if len(a) != 1 || a[0].Thread != "watch:w7:2026-11-21" {
		t.Fatalf("alerts %+v, want thread watch:w7:2026-11-21", a)
	}
	if a := l.Alerts(it, seen, time.UTC); len(a) != 1 || a[0].Thread != "watch:w7:2026-11-22" {
		t.Errorf("in UTC: %+v, want thread watch:w7:2026-11-22", a)
	}
	// The day is when the item was seen, not when the feed says it was published.
	it.Published = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if a := l.Alerts(it, seen, loc); len(a) != 1 || a[0].Thread != "watch:w7:2026-11-21" {
		t.Errorf("with an old Published: %+v", a)
	}
}

func docketItem(desc string, procedural bool) wirewatch.Item {
	return wirewatch.Item{
		Title: "8:25-cv-00951 Abrego Garcia v. Noem", Link: "https://ecf.mdd.uscourts.gov/doc1/1",
		Docket: &wirewatch.Docket{
			Court: "MDD", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem",
			EntryNumber: "12", ShortDescription: desc, Procedural: procedural,
		},
	}
}

func TestAlertsDocketThreadAndQuiet(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	byCase := wirewatch.Watch{ID: "cfg-1", Query: "case:8:25-cv-00951", To: []wirewatch.Destination{"slack:C1"}}
	byName := wirewatch.Watch{ID: "cfg-2", Query: `"Abrego Garcia"`, To: []wirewatch.Destination{"slack:C1"}}

	l := newList(t, byCase, byName)
	a := l.Alerts(docketItem("ORDER granting motion", false), now, nyc(t))
	if len(a) != 1 {
		t.Fatalf("alerts %+v, want 1", a)
	}
	if a[0].Thread != "case:mdd:8:25-cv-00951" {
		t.Errorf("thread %q, want case:mdd:8:25-cv-00951", a[0].Thread)
	}
	if a[0].Quiet || a[0].Docket == nil || len(a[0].Watches) != 2 {
		t.Errorf("substantive entry: %+v", a[0])
	}

	a = l.Alerts(docketItem("NOTICE of Appearance by John Doe", true), now, time.UTC)
	if len(a) != 1 || !a[0].Quiet {
		t.Errorf("procedural entry, no watch wants them: %+v, want one quiet alert", a)
	}

	// One matching watch asking for procedural entries makes the alert loud.
	byName.Procedural = true
	l = newList(t, byCase, byName)
	a = l.Alerts(docketItem("NOTICE of Appearance by John Doe", true), now, time.UTC)
	if len(a) != 1 || a[0].Quiet {
		t.Errorf("procedural entry with a Procedural watch: %+v, want loud", a)
	}

	// A Procedural watch that does not match this item does not count.
	other := wirewatch.Watch{ID: "cfg-3", Query: "Smithfield", To: []wirewatch.Destination{"slack:C1"}, Procedural: true}
	byName.Procedural = false
	l = newList(t, byCase, byName, other)
	a = l.Alerts(docketItem("NOTICE of Appearance by John Doe", true), now, time.UTC)
	if len(a) != 1 || !a[0].Quiet {
		t.Errorf("procedural entry, the Procedural watch did not match: %+v, want quiet", a)
	}
	// Destinations are decided per alert: a Procedural watch elsewhere makes
	// only its own destination's alert loud.
	elsewhere := wirewatch.Watch{ID: "cfg-4", Query: "case:25-cv-951", To: []wirewatch.Destination{"discord:42"}, Procedural: true}
	l = newList(t, byCase, elsewhere)
	for _, a := range l.Alerts(docketItem("NOTICE of Appearance", true), now, time.UTC) {
		if want := a.To == "slack:C1"; a.Quiet != want {
			t.Errorf("alert for %s: quiet %v, want %v", a.To, a.Quiet, want)
		}
	}
}

func TestWatchlistRefusesBadQuery(t *testing.T) {
	l := NewWatchlist()
	if err := l.Set(wirewatch.Watch{ID: "w1", Query: `("Abrego`}); err == nil {
		t.Error("Set accepted an unbalanced query")
	}
	if _, ok := l.Get("w1"); ok {
		t.Error("a refused watch was kept")
	}
}
