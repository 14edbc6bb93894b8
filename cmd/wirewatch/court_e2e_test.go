package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestAppealThreadsWithDistrictDocket (issue 11) follows Abrego Garcia v.
// Noem from the District of Maryland to the Fourth Circuit through two
// PACER feeds: the notice of appeal gets "USCA Case Number 25-1345", then
// the appeal is docketed naming its originating case. From then on the
// appeal's entries share the district docket's thread, the case: watch on
// the district number alerts for an appellate order that names no number,
// and every alert names its court. An unrelated Maryland case whose text
// forges the same USCA number stays in its own thread.
func TestAppealThreadsWithDistrictDocket(t *testing.T) {
	host := newDocketHost(t)
	mddURL := host.serve("/mdd/cgi-bin/rss_outside.pl", "court_mdd_seed.xml")
	ca4URL := host.serve("/ca4/rss", "court_ca4_seed.xml")
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
watches:
  - query: case:8:25-cv-00951
    to: [stdout]
  - query: '"Doe v. Roe"'
    to: [stdout]
`, mddURL, ca4URL))
	run := func(what string) []alertLine {
		t.Helper()
		r := runDocketCLI(t, nil, "run", "-once", "-config", cfg)
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
	st := status(t, cfg)
	if len(st.Links) != 1 || st.Links[0].How != "docket texts" || st.Links[0].A != "8:25-cv-00951 (D. Md.)" || st.Links[0].B != "25-1345 (4th Cir.)" {
		t.Errorf("status links %+v, want the one link by docket texts", st.Links)
	}
}
