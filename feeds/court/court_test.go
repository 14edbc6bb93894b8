package court

import (
	"strings"
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

// federalDistricts are the 94 district courts' ids (CourtListener's); each
// one's bankruptcy court is the same id with "b" for the final "d", except
// nmid (no bankruptcy court by that id: nmib) and a few listed apart below.
var federalDistricts = []string{
	"almd", "alnd", "alsd", "akd", "azd", "ared", "arwd", "cacd", "caed", "cand", "casd",
	"cod", "ctd", "ded", "dcd", "flmd", "flnd", "flsd", "gamd", "gand", "gasd", "gud",
	"hid", "idd", "ilcd", "ilnd", "ilsd", "innd", "insd", "iand", "iasd", "ksd", "kyed",
	"kywd", "laed", "lamd", "lawd", "med", "mdd", "mad", "mied", "miwd", "mnd", "msnd",
	"mssd", "moed", "mowd", "mtd", "ned", "nvd", "nhd", "njd", "nmd", "nyed", "nynd",
	"nysd", "nywd", "nced", "ncmd", "ncwd", "ndd", "nmid", "ohnd", "ohsd", "oked", "oknd",
	"okwd", "ord", "paed", "pamd", "pawd", "prd", "rid", "scd", "sdd", "tned", "tnmd",
	"tnwd", "txed", "txnd", "txsd", "txwd", "utd", "vtd", "vid", "vaed", "vawd", "waed",
	"wawd", "wvnd", "wvsd", "wied", "wiwd", "wyd",
}

// TestEveryFederalCourtHasAShortName checks the table's coverage: every
// district, its bankruptcy court, every circuit and the national courts have
// a citation-style name (not the id, not a spelled-out state), a full name
// and a zone.
func TestEveryFederalCourtHasAShortName(t *testing.T) {
	if len(federalDistricts) != 94 {
		t.Fatalf("%d districts listed, want 94", len(federalDistricts))
	}
	ids := append([]string{}, federalDistricts...)
	for _, d := range federalDistricts {
		switch d {
		case "nmid":
			ids = append(ids, "nmib")
		case "ned":
			ids = append(ids, "nebraskab")
		case "azd":
			ids = append(ids, "arb")
		default:
			ids = append(ids, d[:len(d)-1]+"b")
		}
	}
	ids = append(ids, "scotus", "ca1", "ca2", "ca3", "ca4", "ca5", "ca6", "ca7", "ca8", "ca9", "ca10", "ca11", "cadc", "cafc",
		"bap1", "bap2", "bap6", "bap8", "bap9", "bap10",
		"uscfc", "cit", "jpml", "cavc", "armfor", "tax", "fisc", "fiscr", "acca", "afcca", "nmcca", "cgcca")
	for _, id := range ids {
		c, ok := table()[id]
		if !ok {
			t.Errorf("%s: not in courts.json", id)
			continue
		}
		if c.Name == "" || c.Full == "" || c.Zone == "" {
			t.Errorf("%s: name %q, full %q, zone %q: want all three", id, c.Name, c.Full, c.Zone)
		}
	}
	for id, c := range table() {
		if strings.EqualFold(c.Name, id) || !strings.Contains(c.Name, ".") {
			t.Errorf("%s: name %q is not a citation-style abbreviation", id, c.Name)
		}
		for _, spelled := range []string{"Alabama", "Florida", "Georgia", "Kentucky", "Louisiana", "Michigan", "Mississippi", "Missouri", "Carolina", "New York", "Texas", "Virginia", "Washington", "Wisconsin", "Penn.", "SCOTUS", "3rd"} {
			if strings.Contains(c.Name, spelled) {
				t.Errorf("%s: name %q spells out %q (Bluebook abbreviates it)", id, c.Name, spelled)
			}
		}
		// Bluebook writes six places in full; every other name ends in an
		// abbreviation's period.
		words := strings.Fields(c.Name)
		last := words[len(words)-1]
		if !strings.HasSuffix(last, ".") && !strings.Contains("Alaska Guam Idaho Iowa Ohio Utah Orleans Trade", last) {
			t.Errorf("%s: name %q lacks its final period", id, c.Name)
		}
		if c.Zone != "" {
			if _, err := time.LoadLocation(c.Zone); err != nil {
				t.Errorf("%s: zone %q: %v", id, c.Zone, err)
			}
		}
	}
	known := map[string]string{
		"mdd": "D. Md.", "ca4": "4th Cir.", "scotus": "U.S.", "ca3": "3d Cir.", "ca2": "2d Cir.", "nyed": "E.D.N.Y.",
		"tnmd": "M.D. Tenn.", "dcd": "D.D.C.", "cadc": "D.C. Cir.", "cafc": "Fed. Cir.", "wied": "E.D. Wis.",
		"pamd": "M.D. Pa.", "uscfc": "Fed. Cl.", "cit": "Ct. Int'l Trade", "jpml": "J.P.M.L.", "mdb": "Bankr. D. Md.",
		"ianb": "Bankr. N.D. Iowa", "wvsd": "S.D.W. Va.", "bap9": "B.A.P. 9th Cir.",
	}
	for id, want := range known {
		if got := Name(id); got != want {
			t.Errorf("Name(%q) = %q, want %q", id, got, want)
		}
	}
	// The PACER spellings reach the same names.
	for pacer, want := range map[string]string{"cofc": "Fed. Cl.", "azb": "Bankr. D. Ariz.", "neb": "Bankr. D. Neb.", "MDD": "D. Md."} {
		if got := Name(FromPACER(pacer)); got != want {
			t.Errorf("Name(FromPACER(%q)) = %q, want %q", pacer, got, want)
		}
	}
}

func TestSealed(t *testing.T) {
	for _, s := range []string{"SEALED MOTION for Protective Order", "*SEALED* Order", "Sealed Document", "Exhibit A (Sealed)", "Motion to Dismiss (SEALED)", "  sealed entry"} {
		if !Sealed(s) {
			t.Errorf("Sealed(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"ORDER granting Motion to File Sealed Exhibits", "Order that the transcript be unsealed", "MOTION to Seal", "UNSEALED Indictment", "Order", ""} {
		if Sealed(s) {
			t.Errorf("Sealed(%q) = true, want false", s)
		}
	}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		d               wirewatch.Docket
		label, wantLink string
	}{
		{wirewatch.Docket{DocumentURL: "https://storage.courtlistener.com/recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0.pdf"}, "document (free, RECAP)", "https://storage.courtlistener.com/recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0.pdf"},
		{wirewatch.Docket{DocumentURL: "https://ecf.nysd.uscourts.gov/doc1/127122264358"}, "document (PACER, fee)", "https://ecf.nysd.uscourts.gov/doc1/127122264358"},
		{wirewatch.Docket{DocumentURL: "https://www.courtlistener.com/docket/1/2/"}, "document page (CourtListener)", "https://www.courtlistener.com/docket/1/2/"},
		// The label follows the host, whatever the text says.
		{wirewatch.Docket{DocumentURL: "https://ecf.nysd.uscourts.gov.evil.example/storage.courtlistener.com"}, "document", "https://ecf.nysd.uscourts.gov.evil.example/storage.courtlistener.com"},
		{wirewatch.Docket{Document: wirewatch.DocSealed, DocumentURL: "https://ecf.mdd.uscourts.gov/doc1/1"}, "sealed: no document to open", ""},
		{wirewatch.Docket{Document: wirewatch.DocMinute}, "minute entry: no document", ""},
		{wirewatch.Docket{Document: wirewatch.DocNone}, "no document", ""},
		{wirewatch.Docket{DocumentURL: "javascript:alert(1)"}, "", ""},
		{wirewatch.Docket{}, "", ""},
	}
	for _, tt := range tests {
		label, link := Document(tt.d)
		if label != tt.label || link != tt.wantLink {
			t.Errorf("Document(%+v) = %q, %q; want %q, %q", tt.d, label, link, tt.label, tt.wantLink)
		}
	}
	if got := Cite(wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951"}); got != "8:25-cv-00951 (D. Md.)" {
		t.Errorf("Cite = %q", got)
	}
	if got := Cite(wirewatch.Docket{Court: "scotus", Number: "24A949"}); got != "24A949 (U.S.)" {
		t.Errorf("Cite = %q", got)
	}
}
