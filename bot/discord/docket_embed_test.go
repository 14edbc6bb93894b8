package discord

import (
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// A docket embed names the court as people read it and labels documents:
// sealed, minute and text-only entries get no link, a link says whether it
// is free (RECAP) or on PACER.
func TestDocketEmbedDocuments(t *testing.T) {
	d := testDiscord(t)
	tests := []struct {
		name      string
		dk        wirewatch.Docket
		wantDoc   string // the Document field's value; "" for no field
		wantCourt string
	}{
		{"recap", wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", EntryNumber: "61", DocumentURL: "https://storage.courtlistener.com/recap/x.pdf"},
			"document (free, RECAP): https://storage.courtlistener.com/recap/x.pdf", `8\:25\-cv\-00951 \(D. Md.\)`},
		{"pacer", wirewatch.Docket{Court: "ca4", Number: "25-1345", DocumentURL: "https://ecf.ca4.uscourts.gov/docs1/00409876543"},
			"document (PACER, fee): https://ecf.ca4.uscourts.gov/docs1/00409876543", `25\-1345 \(4th Cir.\)`},
		{"sealed", wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", Document: wirewatch.DocSealed, ShortDescription: "SEALED MOTION"},
			escape("sealed: no document to open"), ""},
		{"minute", wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", Document: wirewatch.DocMinute, ShortDescription: "Status Conference"},
			escape("minute entry: no document"), ""},
		{"text only", wirewatch.Docket{Court: "scotus", Number: "24A949", Document: wirewatch.DocNone, EntryNumber: "3"}, "no document", `24A949 \(U.S.\)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testAlert(textCh, "Doc · Order")
			dk := tt.dk
			a.Docket = &dk
			e := d.alertEmbed(a)
			fields := map[string]string{}
			for _, f := range e.Fields {
				fields[f.Name] = f.Value
			}
			if got := fields["Document"]; got != tt.wantDoc {
				t.Errorf("Document field %q, want %q", got, tt.wantDoc)
			}
			if tt.wantCourt != "" && fields["Docket"] != tt.wantCourt {
				t.Errorf("Docket field %q, want %q", fields["Docket"], tt.wantCourt)
			}
			if tt.dk.Document != "" && (strings.Contains(e.URL, "doc1") || strings.Contains(fields["Document"], "http")) {
				t.Errorf("an entry without a document links one: url %q, field %q", e.URL, fields["Document"])
			}
		})
	}
}
