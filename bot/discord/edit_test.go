package discord

import (
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestUpdatedItemEditsItsMessage: through the store's ingest, the real
// dispatcher and the Discord stand-in, an item whose entry is filled in
// after it was posted edits its message (PATCH) with the new text and an
// "Updated" time, and posts nothing.
func TestUpdatedItemEditsItsMessage(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	db := openStore(t)
	ingest := func(items ...wirewatch.Item) {
		t.Helper()
		_, err := db.Ingest("cfg-1", nil, items, func(it wirewatch.Item) []wirewatch.Alert {
			a := testAlert(textCh, it.Title)
			a.Thread, a.Link, a.Docket = wirewatch.CaseThreadKey("mdd", "8:25-cv-00951"), it.Link, it.Docket
			return []wirewatch.Alert{a}
		})
		if err != nil {
			t.Fatal(err)
		}
		deliverAll(t, db, d)
	}
	entry := func(n, desc string) wirewatch.Item {
		return wirewatch.Item{ID: n, FeedID: "cfg-1", Link: "https://ecf.example/" + n, Title: "",
			Docket: &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: n, ShortDescription: desc}}
	}
	ingest(entry("1", "Complaint"))
	ingest(entry("2", "Order"))
	ths := f.Threads(textCh)
	if len(ths) != 1 || len(f.Messages(ths[0].ID)) != 1 {
		t.Fatalf("threads %+v; want one, with the second entry in it", ths)
	}
	ingest(entry("2", "ORDER granting motion to expedite discovery"))
	in := f.Messages(ths[0].ID)
	if len(in) != 1 || len(in[0].Embeds) != 1 {
		t.Fatalf("%d messages in the thread, want the one, edited", len(in))
	}
	e := in[0].Embeds[0]
	text := e.Title + e.Description
	for _, fl := range e.Fields {
		text += fl.Name + fl.Value
	}
	if !strings.Contains(text, "expedite discovery") || !strings.Contains(text, "✏️ Updated<t:") {
		t.Errorf("edited embed %q; want the filled-in entry and the time", text)
	}
	if n := len(f.Messages(textCh)); n != 2 { // the top and the order's broadcast
		t.Errorf("%d messages in the channel after the edit, want the same 2", n)
	}
}
