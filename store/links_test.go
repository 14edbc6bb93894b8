package store

import (
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
)

func note(d wirewatch.Docket, text string) CaseNote {
	return CaseNote{Docket: d, Mentions: court.Mentions(d, text)}
}

func keys(f Family) []string {
	var out []string
	for _, m := range f.Members {
		out = append(out, m.Key())
	}
	return out
}

// A district docket and its appeal are one matter once each one's text
// names the other; the district docket is the root; a forged number in an
// unrelated case's text links nothing; unlink undoes a link and link makes one.
func TestCaseFamilies(t *testing.T) {
	clock := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	db := MustOpen(t, func() time.Time { clock = clock.Add(time.Minute); return clock })
	mdd := wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem"}
	ca4 := wirewatch.Docket{Court: "ca4", Number: "25-1345", CaseName: "Kilmar Abrego Garcia v. Kristi Noem"}
	scotus := wirewatch.Docket{Court: "scotus", Number: "24A949", CaseName: "Noem v. Abrego Garcia"}
	other := wirewatch.Docket{Court: "mdd", Number: "1:25-cv-00100", CaseName: "Doe v. Roe"}
	nysd := wirewatch.Docket{Court: "nysd", Number: "1:25-cv-01234", CaseName: "Forger v. X"}

	// One side alone links nothing.
	if err := db.NoteCases([]CaseNote{note(mdd, "USCA Case Number 25-1345 for [61] Notice of Appeal")}); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.Family(ca4); len(f.Members) != 1 {
		t.Fatalf("one-sided claim linked: %v", keys(f))
	}
	// The appeal names its origin: linked, the district docket is the root,
	// whichever docket asks.
	if err := db.NoteCases([]CaseNote{note(ca4, "Originating case number: 8:25-cv-00951-PX. Supreme Court application 24A949")}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []wirewatch.Docket{mdd, ca4} {
		f, err := db.Family(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Members) != 2 || f.Root.Key() != "mdd 8:25-cv-951" || f.Root.Number != "8:25-cv-00951" {
			t.Fatalf("family of %s: root %+v members %v", d.Court, f.Root, keys(f))
		}
	}
	// The Supreme Court docket's fields name its origin (the appeal).
	if err := db.NoteCases([]CaseNote{{Docket: scotus, Origin: &CaseRef{Court: "ca4", Number: "25-1345"}}}); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.Family(scotus); len(f.Members) != 3 || f.Root.Court != "mdd" {
		t.Fatalf("family of scotus: root %+v members %v", f.Root, keys(f))
	}
	// Forgeries: an unrelated Maryland case claims the appeal's number and
	// the appeal's origin; a New York case's "USCA Case Number" is a
	// Second Circuit number. Neither joins the family.
	if err := db.NoteCases([]CaseNote{note(other, "USCA Case Number 25-1345"), note(nysd, "USCA Case Number 25-1345; Appeal to the 4th Circuit")}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []wirewatch.Docket{other, nysd} {
		if f, _ := db.Family(d); len(f.Members) != 1 {
			t.Errorf("forged claim of %s linked: %v", d.Number, keys(f))
		}
	}
	if f, _ := db.Family(mdd); len(f.Members) != 3 {
		t.Errorf("family grew to %v", keys(f))
	}
	// By hand: link the criminal case, then unlink the appeal.
	tnmd := CaseRef{Court: "tnmd", Number: "3:25-cr-00115"}
	if err := db.LinkCases(CaseRef{Court: "mdd", Number: "8:25-cv-00951"}, tnmd, "U1"); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.Family(wirewatch.Docket{Court: "tnmd", Number: "3:25-cr-00115"}); len(f.Members) != 4 || f.Root.Court != "mdd" {
		t.Fatalf("after link: root %+v members %v", f.Root, keys(f))
	}
	if err := db.UnlinkCases(CaseRef{Court: "ca4", Number: "25-1345"}, CaseRef{Court: "mdd", Number: "8:25-cv-951"}, "U2"); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.Family(mdd); len(f.Members) != 2 {
		t.Errorf("after unlink: %v, want mdd and tnmd", keys(f))
	}
	if f, _ := db.Family(ca4); len(f.Members) != 2 || f.Root.Court != "ca4" {
		t.Errorf("after unlink the appeal's family: root %+v %v, want ca4 and scotus", f.Root, keys(f))
	}
	links, err := db.CaseLinks(10)
	if err != nil {
		t.Fatal(err)
	}
	hows := map[string]string{}
	for _, l := range links {
		hows[l.A.Key()+"|"+l.B.Key()] = l.How
	}
	if hows["mdd 8:25-cv-951|tnmd 3:25-cr-115"] != "by hand" || hows["ca4 25-1345|scotus 24a949"] != "docket fields" || len(links) != 2 {
		t.Errorf("links: %v", hows)
	}
	trail, err := db.Audit(10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action+" "+e.User)
	}
	if !contains(actions, "case link U1") || !contains(actions, "case unlink U2") {
		t.Errorf("audit trail %v, want case link and case unlink", actions)
	}
	if err := db.LinkCases(tnmd, tnmd, "U1"); err == nil {
		t.Error("linking a docket to itself: no error")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The Supreme Court's docket naming its lower court's case, and the
// appeal's text naming the application, link the two.
func TestCaseFamilySupremeCourtByTexts(t *testing.T) {
	db := MustOpen(t, nil)
	ca4 := wirewatch.Docket{Court: "ca4", Number: "25-1345"}
	scotus := wirewatch.Docket{Court: "scotus", Number: "24A949"}
	if err := db.NoteCases([]CaseNote{
		note(ca4, "Supreme Court application 24A949 filed"),
		note(scotus, "Lower Ct: United States Court of Appeals for the Fourth Circuit; Case Numbers: (25-1345)"),
	}); err != nil {
		t.Fatal(err)
	}
	f, err := db.Family(scotus)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Members) != 2 || f.Root.Court != "ca4" {
		t.Errorf("root %+v members %v, want ca4 and scotus, ca4 first", f.Root, keys(f))
	}
}
