package courtlistener

import (
	"slices"
	"testing"
)

// TestSearchKeepsWhatALookupFound: a search result names a docket already
// looked up (its origin, parties and attorneys known); reading the result
// leaves that docket as the lookup found it, so the appeal still joins
// its district case's thread and its people are not asked for again.
func TestSearchKeepsWhatALookupFound(t *testing.T) {
	c := New(Options{})
	full := docketInfo{ID: 7, Court: "ca4", Number: "25-1345", CaseName: "Abrego Garcia v. Noem",
		AppealFrom: "https://www.courtlistener.com/api/rest/v4/courts/mdd/",
		OriginalInfo: &struct {
			DocketNumber string `json:"docket_number"`
		}{DocketNumber: "8:25-cv-00951"},
		Parties: []string{"Kilmar Armando Abrego Garcia"}, Attorneys: []string{"Simon Sandoval-Moshenberg"}}.normalized()
	c.remember(full)
	origin := full.origin()
	if origin == "" {
		t.Fatal("the test's docket has no origin")
	}
	body := []byte(`{"results":[{"caseName":"Abrego Garcia v. Noem","court_id":"ca4","docketNumber":"25-1345","docket_id":7,
		"dateFiled":"2025-04-07","party":["Kilmar Armando Abrego Garcia"],"recap_documents":[]}]}`)
	if _, err := c.readSearch(body); err != nil {
		t.Fatal(err)
	}
	got, _ := c.cached(7)
	if got.origin() != origin || !slices.Equal(got.Parties, full.Parties) || !slices.Equal(got.Attorneys, full.Attorneys) {
		t.Errorf("after a search result: origin %q, parties %q, attorneys %q; want %q, %q, %q kept",
			got.origin(), got.Parties, got.Attorneys, origin, full.Parties, full.Attorneys)
	}
	// A docket no lookup found yet is remembered from the result.
	body = []byte(`{"results":[{"caseName":"New v. Case","court_id":"mdd","docketNumber":"8:26-cv-00001","docket_id":8,"dateFiled":"2026-01-02"}]}`)
	if _, err := c.readSearch(body); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.cached(8); !ok || got.CaseName != "New v. Case" {
		t.Errorf("new docket from a search: cached %v, %+v", ok, got)
	}
}
