package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestAppealThreadsWithDistrictDocket (issue 11) follows Abrego Garcia v.
// Noem from the District of Maryland to the Fourth Circuit through two
// PACER feeds, and to the Supreme Court through a CourtListener docket
// feed and the stand-in CourtListener API: the notice of appeal gets "USCA
// Case Number 25-1345", then the appeal is docketed naming its originating
// case, and the application 24A949's docket fields name the appeal. From
// then on the appeal's and the application's entries share the district
// docket's thread, the case: watch on the district number alerts for an
// appellate order and a Supreme Court order that name no number, and every
// alert names its court. A judge: watch finds the application's entries by
// the Justice the API names. An unrelated Maryland case whose text forges
// the same USCA number stays in its own thread.
func TestAppealThreadsWithDistrictDocket(t *testing.T) {
	host := newDocketHost(t)
	mddURL := host.serve("/mdd/cgi-bin/rss_outside.pl", "court_mdd_seed.xml")
	ca4URL := host.serve("/ca4/rss", "court_ca4_seed.xml")
	scotusURL := host.serve("/docket/69856789/feed/", "cl_scotus_seed.xml")
	host.serve("/api/rest/v4/dockets/69856789/", "cl_scotus_docket.json")
	cfg := MustConfig(t, fmt.Sprintf(`
timezone: America/New_York
feeds:
  - url: %s
    name: PACER D. Md.
    type: pacer
    court: mdd
  - url: %s
    name: PACER 4th Cir.
    type: pacer
    court: ca4
  - url: %s
    name: CourtListener U.S.
    type: courtlistener
    court: scotus
watches:
  - query: case:8:25-cv-00951
    to: [stdout]
  - query: '"Doe v. Roe"'
    to: [stdout]
  - query: judge:Roberts
    to: [stdout]
courtlistener:
  api_url: %s/
`, mddURL, ca4URL, scotusURL, host.URL))
	vars := map[string]string{"COURTLISTENER_TOKEN": "cl-test-token"}
	run := func(what string) []alertLine {
		t.Helper()
		r := runDocketCLI(t, vars, "run", "-once", "-config", cfg)
		if r.code != 0 {
			t.Fatalf("%s: code %d, stderr %s", what, r.code, r.stderr)
		}
		return alertsOf(t, r.stdout)
	}
	if as := run("seeding run"); len(as) != 0 {
		t.Fatalf("seeding run alerted %q", titles(as))
	}
	// The notice of appeal, and the forgery, in the district feed. Run
	// apart from the appeal's feed: feeds of one run are read in parallel.
	host.serve("/mdd/cgi-bin/rss_outside.pl", "court_mdd_appeal.xml")
	first := run("district run")
	host.serve("/ca4/rss", "court_ca4_appeal.xml")
	second := run("appeal run")

	threads := map[string]string{}
	for _, a := range append(first, second...) {
		threads[docketEntryOf(t, a)+" "+a.Title] = a.Thread
		if !strings.Contains(a.Title, "(D. Md.)") && !strings.Contains(a.Title, "(4th Cir.)") {
			t.Errorf("alert %q does not name its court", a.Title)
		}
	}
	want := map[string]string{
		"63 Doc 63 · USCA Case Number 25-1345 for 58 Notice of Appeal filed by Kristi Noem · Abrego Garcia v. Noem et al, 8:25-cv-00951 (D. Md.)": "case:mdd:8:25-cv-00951",
		"1 Doc 1 · Case docketed. Originating case number: 8:25-cv-00951-PX · Kilmar Abrego Garcia v. Kristi Noem, 25-1345 (4th Cir.)":            "case:mdd:8:25-cv-00951",
		"9 Doc 9 · ORDER denying motion for stay pending appeal · Kilmar Abrego Garcia v. Kristi Noem, 25-1345 (4th Cir.)":                        "case:mdd:8:25-cv-00951",
		"7 Doc 7 · Notice (USCA Case Number 25-1345, Appeal to the 4th Circuit) filed by John Doe · Doe v. Roe, 8:25-cv-01000 (D. Md.)":           "case:mdd:8:25-cv-01000",
	}
	for k, th := range want {
		if got, ok := threads[k]; !ok || got != th {
			t.Errorf("%s: thread %q (alerted %v), want %q", k, got, ok, th)
		}
	}
	if len(threads) != len(want) {
		t.Errorf("alerts %v, want exactly %d", threads, len(want))
	}

	// The Supreme Court's docket, on CourtListener: its order names no
	// number, but the API's docket fields name the appeal.
	host.serve("/docket/69856789/feed/", "cl_scotus_new.xml")
	third := run("Supreme Court run")
	if len(third) != 1 {
		t.Fatalf("Supreme Court run: alerts %q, want entry 3 once", titles(third))
	}
	a := third[0]
	if a.Thread != "case:mdd:8:25-cv-00951" || a.Title != "Doc 3 · Order · Noem v. Abrego Garcia, 24A949 (U.S.)" || docketEntryOf(t, a) != "3" {
		t.Errorf("Supreme Court alert %q in thread %q, want entry 3 naming its court (U.S.) in the district docket's thread", a.Title, a.Thread)
	}
	if !reflect.DeepEqual(a.Watches, []string{"case:8:25-cv-00951", "judge:Roberts"}) {
		t.Errorf("Supreme Court alert's watches %q, want the case: watch and the judge: watch", a.Watches)
	}
	var judges struct {
		Judges []string `json:"judges"`
	}
	if err := json.Unmarshal(a.Docket, &judges); err != nil || !reflect.DeepEqual(judges.Judges, []string{"John G. Roberts, Jr."}) {
		t.Errorf("docket %s: want the judges the API names (%v)", a.Docket, err)
	}

	st := status(t, cfg)
	links := map[string]string{}
	for _, l := range st.Links {
		links[l.A+" | "+l.B] = l.How
	}
	if want := map[string]string{
		"8:25-cv-00951 (D. Md.) | 25-1345 (4th Cir.)": "docket texts",
		"25-1345 (4th Cir.) | 24A949 (U.S.)":          "docket fields",
	}; !reflect.DeepEqual(links, want) {
		t.Errorf("status links %v, want %v", links, want)
	}
}
