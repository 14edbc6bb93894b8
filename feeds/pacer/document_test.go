package pacer

import (
	"strings"
	"testing"

	wirewatch "github.com/wirewatch/wirewatch"
)

// Sealed, minute and text-only entries say so, and a sealed entry's item
// links the docket report, not its doc1 page (which refuses everyone), and
// carries no document_url, as the CourtListener readers' sealed entries don't.
func TestReadDocumentKinds(t *testing.T) {
	const guid = "https://ecf.mdd.uscourts.gov/cgi-bin/DktRpt.pl?578815"
	sealedLink := strings.Replace(docLink, "&#x3E;61", "&#x3E;70", 1)
	body := feed("Fri, 11 Jul 2025 13:00:00 EST",
		item("8:25-cv-00951-PX Abrego Garcia v. Noem", "[Order] "+docLink, guid, "Fri, 11 Jul 2025 12:30:00 EST"),
		item("8:25-cv-00951-PX Abrego Garcia v. Noem", "[Status Conference]", guid, "Fri, 11 Jul 2025 12:00:00 EST"),
		item("8:25-cv-00951-PX Abrego Garcia v. Noem", "[SEALED MOTION] "+sealedLink, guid, "Fri, 11 Jul 2025 11:00:00 EST"),
	)
	items, _, _, err := Parse(body, "mdd")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3", len(items))
	}
	want := []struct{ doc, link string }{
		{"", "https://ecf.mdd.uscourts.gov/doc1/09312345678?caseid=578815&de_seq_num=150"},
		{wirewatch.DocMinute, "https://ecf.mdd.uscourts.gov/cgi-bin/DktRpt.pl?578815"},
		{wirewatch.DocSealed, "https://ecf.mdd.uscourts.gov/cgi-bin/DktRpt.pl?578815"},
	}
	for i, it := range items {
		if it.Docket.Document != want[i].doc || it.Link != want[i].link {
			t.Errorf("item %d (%s): document %q link %q, want %q %q", i, it.Docket.ShortDescription, it.Docket.Document, it.Link, want[i].doc, want[i].link)
		}
		if hasURL := it.Docket.DocumentURL != ""; hasURL != (want[i].doc == "") {
			t.Errorf("item %d (%s): document_url %q", i, it.Docket.ShortDescription, it.Docket.DocumentURL)
		}
	}
}
