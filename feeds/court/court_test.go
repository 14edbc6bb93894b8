package court

import (
	"testing"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

func TestCoreNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1:17-cr-00554-MKB", "1:17-cr-00554"},
		{"16-10992-smb", "16-10992"},
		{"1:18-cv-03365 Chau v. Donovan et al", "1:18-cv-03365"},
		{"1:12-cv-04402-PKC-CLP Joseph v. X", "1:12-cv-04402"},
		{"8:25-cv-00951-PX", "8:25-cv-00951"},
		{"1:17-cr-00554-1", "1:17-cr-00554"},
		{"11-8 Alden Harden v. Jamel Jackson", "11-8"},
		{"22-1214", "22-1214"},
		{"  18-22414-rdd Primrose McLean   ", "18-22414"},
		{"5:18-~gr-00001 In re X", ""},
		{"Chau v. Donovan", ""},
		{"", ""},
		{"123-45", ""},
	}
	for _, tt := range tests {
		if got := CoreNumber(tt.in); got != tt.want {
			t.Errorf("CoreNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProcedural(t *testing.T) {
	yes := []string{
		"MOTION for Leave to Appear Pro Hac Vice by Jane Doe",
		"NOTICE of Appearance by John Roe on behalf of Kristi Noem",
		"Notice of Attorney Appearance",
		"Corporate Disclosure Statement by Acme Corp.",
		"Rule 7.1 Disclosure Statement",
		"Certificate of Interested Parties",
		"Attorney Jane Doe added for Kristi Noem",
		"Attorney John Roe terminated.",
		"Summons Issued as to Kristi Noem",
		"Electronic Summons Issued",
	}
	no := []string{
		"ORDER finding that Defendants have failed to comply with the Court's Order at ECF No. 51.",
		"MOTION for Temporary Restraining Order",
		"Disclosure Statement for Chapter 11 Plan",
		"Notice of Appeal",
		"",
	}
	for _, s := range yes {
		if !Procedural(s) {
			t.Errorf("Procedural(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if Procedural(s) {
			t.Errorf("Procedural(%q) = true, want false", s)
		}
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name string
		d    wirewatch.Docket
		want string
	}{
		{"full", wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: "61", ShortDescription: "Order"},
			"Doc 61 · Order · Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"},
		{"minute entry", wirewatch.Docket{Court: "nysd", Number: "1:18-cv-03365", CaseName: "Chau v. Donovan", ShortDescription: "Status Conference"},
			"Status Conference · Chau v. Donovan, 1:18-cv-03365 (S.D.N.Y.)"},
		{"no number", wirewatch.Docket{Court: "mdd", CaseName: "Abrego Garcia v. Noem", EntryNumber: "61"},
			"Doc 61 · Abrego Garcia v. Noem (D. Md.)"},
		{"document id as entry number", wirewatch.Docket{Court: "cadc", Number: "22-1214", CaseName: "Food & Water Watch v. FERC", EntryNumber: "01208491112", ShortDescription: "Order Filed (CLERK)"},
			"Order Filed (CLERK) · Food & Water Watch v. FERC, 22-1214 (D.C. Cir.)"},
		{"unknown court", wirewatch.Docket{Court: "zzz", Number: "1-2"}, "1-2 (zzz)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Title(tt.d); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNameAndLocation(t *testing.T) {
	for court, want := range map[string]string{"mdd": "D. Md.", "nysd": "S.D.N.Y.", "ca4": "4th Cir.", "nysb": "Bankr. S.D.N.Y.", "cadc": "D.C. Cir.", "arb": "Bankr. D. Ariz."} {
		if got := Name(court); got != want {
			t.Errorf("Name(%q) = %q, want %q", court, got, want)
		}
	}
	for court, want := range map[string]string{"mdd": "America/New_York", "cand": "America/Los_Angeles", "azd": "America/Phoenix", "ca10": "America/Denver", "nowhere": "America/New_York"} {
		if got := Location(court).String(); got != want {
			t.Errorf("Location(%q) = %q, want %q", court, got, want)
		}
	}
	if got := FromPACER("azb"); got != "arb" {
		t.Errorf("FromPACER(azb) = %q, want arb", got)
	}
	if got := ByFullName("District Court, D. Maryland"); got != "mdd" {
		t.Errorf("ByFullName = %q, want mdd", got)
	}
}

func TestAbbrevLocation(t *testing.T) {
	tests := []struct {
		court, abbr string
		wall        time.Time // wall clock, read in the resolved zone
		wantOffset  int       // hours east of UTC
	}{
		{"ca4", "EST", time.Date(2023, 2, 3, 12, 0, 0, 0, time.UTC), -5},
		{"ca4", "EST", time.Date(2023, 7, 3, 12, 0, 0, 0, time.UTC), -4}, // EST in July: Eastern daylight time
		{"nysd", "GMT", time.Date(2018, 7, 3, 12, 0, 0, 0, time.UTC), 0},
		{"azd", "MST", time.Date(2023, 7, 3, 12, 0, 0, 0, time.UTC), -7},  // Arizona keeps standard time
		{"ca10", "MST", time.Date(2023, 7, 3, 12, 0, 0, 0, time.UTC), -6}, // Denver observes DST
		{"", "PST", time.Date(2023, 7, 3, 12, 0, 0, 0, time.UTC), -7},
		{"cand", "EDT", time.Date(2023, 1, 3, 12, 0, 0, 0, time.UTC), -5}, // the abbreviation's region wins over the court's
	}
	for _, tt := range tests {
		loc, ok := AbbrevLocation(tt.court, tt.abbr, tt.wall.Year())
		if !ok {
			t.Fatalf("AbbrevLocation(%q, %q): not ok", tt.court, tt.abbr)
		}
		w := tt.wall
		at := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), 0, 0, 0, loc)
		if _, off := at.Zone(); off != tt.wantOffset*3600 {
			t.Errorf("%s %s on %s: offset %d s, want %d h", tt.court, tt.abbr, w.Format("Jan 2"), off, tt.wantOffset)
		}
	}
	if _, ok := AbbrevLocation("nysd", "XYZ", 2023); ok {
		t.Error("AbbrevLocation(XYZ) ok, want not ok")
	}
}
