package courtlistener

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	wirewatch "github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// searchResult is a RECAP result of the search API (type=r) or a search
// alert: a docket with up to three of its filings that match.
type searchResult struct {
	CaseName          string          `json:"caseName"`
	CourtID           string          `json:"court_id"`
	DocketNumber      string          `json:"docketNumber"`
	DocketID          int64           `json:"docket_id"`
	DocketAbsoluteURL string          `json:"docket_absolute_url"`
	PacerCaseID       json.RawMessage `json:"pacer_case_id"`
	DateFiled         string          `json:"dateFiled"`
	AssignedTo        string          `json:"assignedTo"`
	ReferredTo        string          `json:"referredTo"`
	Party             []string        `json:"party"`
	RecapDocuments    []apiDocument   `json:"recap_documents"`
}

// maxParties bounds the party names an item carries.
const maxParties = 20

// readSearch reads an API v4 search response (api/rest/v4/search/?type=r,
// a watch's CourtListener search): an item per docket, the case itself,
// dated the day it was filed, so that a new case alerts once; and an item
// per filing CourtListener nests in it.
func (c *Client) readSearch(body []byte) ([]wirewatch.Item, error) {
	var r struct {
		Results []searchResult `json:"results"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("search results: %w", err)
	}
	return c.resultItems(r.Results, true), nil
}

// resultItems makes items of search results: one per docket entry, and
// with cases one per docket too.
func (c *Client) resultItems(results []searchResult, cases bool) []wirewatch.Item {
	if len(results) > maxEntries {
		results = results[:maxEntries]
	}
	var items []wirewatch.Item
	seen := map[string]bool{}
	for _, r := range results {
		info := docketInfo{
			ID:          r.DocketID,
			Court:       r.CourtID,
			Number:      r.DocketNumber,
			CaseName:    r.CaseName,
			AbsoluteURL: r.DocketAbsoluteURL,
			PacerCaseID: numString(r.PacerCaseID),
			AssignedTo:  r.AssignedTo,
			ReferredTo:  r.ReferredTo,
		}.normalized()
		// A result knows less of a docket than its lookup (no origin,
		// parties or attorneys): it must not replace what one found.
		if cur, ok := c.cached(info.ID); ok {
			info = cur
		} else {
			c.remember(info)
		}
		if cases {
			if it, ok := c.caseItem(info, r); ok {
				items = append(items, it)
			}
		}
		docs := r.RecapDocuments
		if len(docs) > maxEntries {
			docs = docs[:maxEntries]
		}
		for _, d := range docs {
			short := d
			short.Description = d.ShortDescription
			e := apiEntry{
				ID:             d.DocketEntryID,
				EntryNumber:    d.EntryNumber,
				DateFiled:      d.EntryDateFiled,
				Description:    d.Description,
				RecapDocuments: []apiDocument{short},
			}
			it := c.entryItem(info, e)
			if seen[it.ID] {
				continue // an attachment of an entry already taken
			}
			seen[it.ID] = true
			items = append(items, it)
		}
	}
	return items
}

// caseItem is the item of a docket found by a search: "New case", dated
// its filing day, its parties in the text. A docket without a filing date
// gives none: its key would change with every poll.
func (c *Client) caseItem(info docketInfo, r searchResult) (wirewatch.Item, bool) {
	date := strings.TrimSpace(r.DateFiled)
	if len(date) > 10 {
		date = date[:10] // "2025-03-24T00:00:00-07:00"
	}
	published := filed(date, nil, "", info.Court)
	if published.IsZero() || info.ID == 0 {
		return wirewatch.Item{}, false
	}
	var parties []string
	for _, p := range r.Party {
		if p = wirewatch.Ellipsize(text(p), 200); p != "" && len(parties) < maxParties {
			parties = append(parties, p)
		}
	}
	d := &wirewatch.Docket{
		Court:            info.Court,
		Number:           info.Number,
		CaseName:         info.CaseName,
		ShortDescription: "New case",
		PacerCaseID:      info.PacerCaseID,
		Judges:           info.judges(),
		Parties:          parties, // so a party: watch matches the new case here too
	}
	summary := "Filed " + published.Format("January 2, 2006")
	if len(parties) > 0 {
		summary += ". Parties: " + strings.Join(parties, "; ")
	}
	return wirewatch.Item{
		ID:        "courtlistener docket " + strconv.FormatInt(info.ID, 10),
		Title:     court.Title(*d),
		Link:      c.docketPage(info),
		Published: published,
		Summary:   wirewatch.Ellipsize(summary, maxSummary),
		Docket:    d,
	}, true
}
