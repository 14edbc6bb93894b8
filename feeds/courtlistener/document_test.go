package courtlistener

import (
	"encoding/json"
	"testing"

	wirewatch "github.com/wirewatch/wirewatch"
)

// API entries say when their document can't be opened: a sealed RECAP
// document (is_sealed) links the docket page, not the document; an entry
// with no documents is a minute entry (no number) or a text-only one.
func TestEntryDocumentKinds(t *testing.T) {
	c := New(Options{})
	info := docketInfo{ID: 69777799, Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", AbsoluteURL: "/docket/69777799/abrego-garcia-v-noem/"}
	yes, path := true, "recap/gov.uscourts.mdd.578815/gov.uscourts.mdd.578815.61.0.pdf"
	tests := []struct {
		name, entry string
		docs        []apiDocument
		want        string
		freeLink    bool
	}{
		{"free", "61", []apiDocument{{ID: 1, Description: "Order", FilepathLocal: &path, IsAvailable: &yes}}, "", true},
		{"sealed", "62", []apiDocument{{ID: 2, Description: "Motion", IsSealed: &yes, AbsoluteURL: "/docket/69777799/62/x/"}}, wirewatch.DocSealed, false},
		{"minute", "", nil, wirewatch.DocMinute, false},
		{"text only", "63", nil, wirewatch.DocNone, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := c.entryItem(info, apiEntry{ID: 9, EntryNumber: json.RawMessage(`"` + tt.entry + `"`), Description: "Entry text", RecapDocuments: tt.docs})
			if it.Docket.Document != tt.want {
				t.Errorf("Document %q, want %q", it.Docket.Document, tt.want)
			}
			if free := it.Docket.DocumentURL == storageURL+path; free != tt.freeLink {
				t.Errorf("DocumentURL %q (free %v, want %v)", it.Docket.DocumentURL, free, tt.freeLink)
			}
			if tt.want == wirewatch.DocSealed && it.Docket.DocumentURL != "" {
				t.Errorf("sealed entry links %q", it.Docket.DocumentURL)
			}
		})
	}
}

// A docket's appeal fields (appeal_from, original_court_info) become the
// item's Origin; a docket without them, or naming itself or an unknown
// court, has none.
func TestDocketOrigin(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"id":1,"court_id":"ca4","docket_number":"25-1345","appeal_from":"https://www.courtlistener.com/api/rest/v4/courts/mdd/","original_court_info":{"docket_number":"8:25-cv-00951-PX"}}`, "mdd 8:25-cv-00951"},
		{`{"id":1,"court_id":"ca4","docket_number":"25-1345","appeal_from":null,"original_court_info":null}`, ""},
		{`{"id":1,"court_id":"ca4","docket_number":"25-1345","appeal_from":"https://x/courts/nowhere/","original_court_info":{"docket_number":"8:25-cv-00951"}}`, ""},
		{`{"id":1,"court_id":"mdd","docket_number":"8:25-cv-00951","appeal_from":"https://x/courts/mdd/","original_court_info":{"docket_number":"8:25-cv-00951"}}`, ""},
		{`{"id":1,"court_id":"ca4","docket_number":"25-1345","appeal_from":"https://x/courts/mdd/","original_court_info":{"docket_number":"not a number"}}`, ""},
	}
	c := New(Options{})
	for _, tt := range tests {
		var info docketInfo
		if err := json.Unmarshal([]byte(tt.body), &info); err != nil {
			t.Fatal(err)
		}
		info = info.normalized()
		it := c.entryItem(info, apiEntry{ID: 2, EntryNumber: json.RawMessage(`1`)})
		if it.Docket.Origin != tt.want {
			t.Errorf("%s: Origin %q, want %q", tt.body, it.Docket.Origin, tt.want)
		}
	}
}

// The docket's judges (assigned_to_str, referred_to_str) ride on its items.
func TestDocketJudges(t *testing.T) {
	var info docketInfo
	if err := json.Unmarshal([]byte(`{"id":1,"court_id":"mdd","docket_number":"8:25-cv-00951","assigned_to_str":"Paula Xinis","referred_to_str":""}`), &info); err != nil {
		t.Fatal(err)
	}
	it := New(Options{}).entryItem(info.normalized(), apiEntry{ID: 2, EntryNumber: json.RawMessage(`61`)})
	if len(it.Docket.Judges) != 1 || it.Docket.Judges[0] != "Paula Xinis" {
		t.Errorf("Judges %q, want [Paula Xinis]", it.Docket.Judges)
	}
}
