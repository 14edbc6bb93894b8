package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// A docket card names the court as people read it and labels documents:
// sealed, minute and text-only entries get no link (their pages fail), a
// document link says whether it is free (RECAP) or on PACER.
func TestDocketCardDocuments(t *testing.T) {
	s := New(Options{})
	base := wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: "61", ShortDescription: "Order"}
	tests := []struct {
		name   string
		edit   func(d *wirewatch.Docket)
		want   []string
		refuse []string
	}{
		{"recap", func(d *wirewatch.Docket) {
			d.DocumentURL = "https://storage.courtlistener.com/recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0.pdf"
		}, []string{"8:25-cv-00951 (D. Md.)", "<https://storage.courtlistener.com/recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0.pdf|document (free, RECAP)>"}, []string{"mdd 8:25"}},
		{"pacer", func(d *wirewatch.Docket) { d.DocumentURL = "https://ecf.mdd.uscourts.gov/doc1/09312345678" },
			[]string{"<https://ecf.mdd.uscourts.gov/doc1/09312345678|document (PACER, fee)>"}, nil},
		{"sealed", func(d *wirewatch.Docket) {
			d.Document, d.DocumentURL, d.ShortDescription = wirewatch.DocSealed, "", "SEALED MOTION"
		}, []string{"sealed: no document to open"}, []string{"doc1", "|document"}},
		{"minute", func(d *wirewatch.Docket) {
			d.Document, d.EntryNumber, d.ShortDescription = wirewatch.DocMinute, "", "Status Conference"
		},
			[]string{"minute entry: no document"}, []string{"|document", "doc1"}},
		{"text only", func(d *wirewatch.Docket) { d.Document = wirewatch.DocNone }, []string{"no document"}, []string{"|document", "doc1", "|no document"}},
		{"scotus", func(d *wirewatch.Docket) { d.Court, d.Number = "scotus", "24A949" }, []string{"24A949 (U.S.)"}, []string{"scotus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := alert("C1", "k", "Doc 61 · Order")
			d := base
			tt.edit(&d)
			a.Docket = &d
			b, err := json.Marshal(s.card(&a))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("card lacks %q:\n%s", w, got)
				}
			}
			for _, r := range tt.refuse {
				if strings.Contains(got, r) {
					t.Errorf("card has %q:\n%s", r, got)
				}
			}
		})
	}
}
