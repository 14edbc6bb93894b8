package court

import (
	"reflect"
	"testing"

	wirewatch "github.com/wirewatch/wirewatch"
)

func TestCircuit(t *testing.T) {
	for court, want := range map[string]string{"mdd": "ca4", "mdb": "ca4", "tnmd": "ca6", "nysd": "ca2", "nmid": "ca9", "nmd": "ca10",
		"arb": "ca9", "ared": "ca8", "dcd": "cadc", "prd": "ca1", "vid": "ca3", "gud": "ca9", "uscfc": "cafc", "ca4": "", "scotus": "", "zzz": ""} {
		if got := Circuit(court); got != want {
			t.Errorf("Circuit(%q) = %q, want %q", court, got, want)
		}
	}
	for court, want := range map[string]int{"mdd": 0, "ca4": 1, "ca10": 1, "cadc": 1, "cafc": 1, "scotus": 2, "cand": 0, "canb": 0} {
		if got := Level(court); got != want {
			t.Errorf("Level(%q) = %d, want %d", court, got, want)
		}
	}
}

func TestMentions(t *testing.T) {
	mdd := wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951"}
	ca4 := wirewatch.Docket{Court: "ca4", Number: "25-1345"}
	nysd := wirewatch.Docket{Court: "nysd", Number: "1:25-cv-01234"}
	tests := []struct {
		name string
		from wirewatch.Docket
		text string
		want []Mention
	}{
		{"usca number", mdd, "USCA Case Number 25-1345 for [61] Notice of Appeal filed by Kristi Noem.", []Mention{{"ca4", "25-1345"}}},
		{"usca4", mdd, "Transmittal of Notice of Appeal. USCA4 Case No. 25-1345", []Mention{{"ca4", "25-1345"}}},
		{"appeal to the circuit", mdd, "NOTICE OF APPEAL to the 4th Circuit by Kristi Noem", []Mention{{"ca4", ""}}},
		{"appeal to the fourth circuit with number", mdd, "Notice of Appeal to the U.S. Court of Appeals for the Fourth Circuit. USCA Case Number 25-1345", []Mention{{"ca4", "25-1345"}}},
		// Another circuit named: the text contradicts the court's geography.
		{"wrong circuit", mdd, "Appeal to the 9th Circuit, USCA Case Number 25-1345", nil},
		{"wrong usca", mdd, "USCA9 Case Number 25-1345", nil},
		// A New York case's "USCA Case Number" is a Second Circuit number,
		// never the Fourth Circuit's 25-1345.
		{"other district", nysd, "USCA Case Number 25-1345", []Mention{{"ca2", "25-1345"}}},
		{"scotus from circuit", ca4, "Supreme Court application 24A949 filed by the Government", []Mention{{"scotus", "24a949"}}},
		{"origin", ca4, "Originating case number: 8:25-cv-00951-PX", []Mention{{"", "8:25-cv-951"}}},
		// A trial court's text does not name an origin.
		{"origin from district", mdd, "Originating case number: 8:25-cv-00952", nil},
		{"nothing", mdd, "ORDER granting motion", nil},
		{"lower court", wirewatch.Docket{Court: "scotus", Number: "24A949"}, "Lower Ct: United States Court of Appeals for the Fourth Circuit; Case Numbers: (25-1345)", []Mention{{"", "25-1345"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mentions(tt.from, tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Mentions(%s, %q) = %+v, want %+v", tt.from.Court, tt.text, got, tt.want)
			}
		})
	}
}

func TestCanon(t *testing.T) {
	for in, want := range map[string]string{"8:25-cv-00951-PX": "8:25-cv-951", "08:25-cv-951": "8:25-cv-951", "25-1345": "25-1345", "24A949": "24a949", "16-10992-smb": "16-10992"} {
		if got := Canon(in); got != want {
			t.Errorf("Canon(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the text, Mentions claims at most maxMentions dockets, and only
// in courts the docket's own court can lead to.
func FuzzMentions(f *testing.F) {
	f.Add("mdd", "USCA Case Number 25-1345 for [61] Notice of Appeal; Supreme Court application 24A949")
	f.Add("ca4", "Originating case number: 8:25-cv-00951-PX. Supreme Court Case No. 24-1234")
	f.Add("nysd", "Appeal to the D.C. Circuit. USCA4 Case No. 25-1345")
	f.Fuzz(func(t *testing.T, from, text string) {
		d := wirewatch.Docket{Court: from, Number: "1:25-cv-00001"}
		ms := Mentions(d, text)
		if len(ms) > maxMentions {
			t.Fatalf("%d mentions", len(ms))
		}
		for _, m := range ms {
			if m.Court != "" && m.Court != "scotus" && m.Court != Circuit(from) {
				t.Fatalf("from %q: mention of court %q", from, m.Court)
			}
			if m.Court == "" && Level(from) != 1 {
				t.Fatalf("from %q (level %d): a number-only mention", from, Level(from))
			}
			if len(m.Number) > 40 {
				t.Fatalf("number %q", m.Number)
			}
		}
	})
}
