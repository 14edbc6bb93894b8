// Package wirewatch holds the domain types of the news-alert bot: items read
// from feeds, the watches they are matched against, the alerts that result and
// the interfaces the adapters (feeds, store, chat platforms) implement. It does
// no I/O.
package wirewatch

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// Item is one normalized entry of a feed: a news article or a court-docket entry.
type Item struct {
	// ID is stable for the same entry across polls of the same feed (GUID,
	// else link, else title and date). For docket items it is the entry's
	// identity in the court (see Docket.Key).
	ID string `json:"id"`
	// FeedID names the feed the item came from in the store ("cfg:…" for
	// feeds of the config file, a store id for feeds added at run time).
	FeedID    string    `json:"-"`
	Feed      string    `json:"feed"` // the feed's display name
	Title     string    `json:"title"`
	Link      string    `json:"link"` // canonical: tracking parameters removed; an anchor (#…) kept
	Published time.Time `json:"published"`
	Summary   string    `json:"summary"` // plain text, HTML stripped
	Docket    *Docket   `json:"docket,omitempty"`
	// Article is the main text of the page Link points to, when it was
	// read (feeds[].fulltext) for matching; never stored, never posted.
	Article string `json:"-"`
	// SearchFor is the id of the watch whose search feed brought the item
	// (Feed.Watch): the engine matched the whole article, so the item
	// alerts that watch whatever its headline says.
	SearchFor string `json:"search_for,omitempty"`
	// Site is the publisher's site ("nytimes.com") of an item whose Link
	// is a search engine's redirect that cannot be followed (Google
	// News): with the headline it stands for the story (HeadlineKey).
	Site string `json:"site,omitempty"`
	// ArticlePending: the page is being read and the item's alerts wait
	// for it; the commit that records the item keeps it as pending
	// (store.FinishArticle ends the wait). Never stored.
	ArticlePending bool `json:"-"`
}

// HeadlineKey stands for a news story where links cannot: the publisher's
// registrable domain (Site, else Link's) and the headline folded to
// lower-case letters and digits. A search engine's item whose link is its
// own redirect has the key of the publisher's item of the same story. ""
// for docket items and items without a site or headline.
func (it *Item) HeadlineKey() string {
	if it.Docket != nil {
		return ""
	}
	site := it.Site
	if site == "" {
		site = SiteOf(it.Link)
	}
	var b strings.Builder
	space := false
	for _, r := range it.Title {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
			space = false
		} else {
			space = true
		}
	}
	if site == "" || b.Len() == 0 {
		return ""
	}
	return "h " + site + " " + b.String()
}

// SiteOf is the registrable domain of a URL's host ("www.nytimes.com" →
// "nytimes.com", "news.bbc.co.uk" → "bbc.co.uk"), "" when it has none.
func SiteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if site, err := publicsuffix.EffectiveTLDPlusOne(h); err == nil {
		return site
	}
	return h
}

// Docket describes a court-docket entry. Only docket items carry one.
type Docket struct {
	Court            string `json:"court"`  // PACER court id, e.g. "nysd", "mdd"
	Number           string `json:"number"` // core docket number, e.g. "1:18-cv-03365"
	CaseName         string `json:"case_name"`
	EntryNumber      string `json:"entry_number"` // empty for minute entries
	ShortDescription string `json:"short_description"`
	DocumentURL      string `json:"document_url"`
	PacerCaseID      string `json:"pacer_case_id"`
	// Document says why the entry has no document to open: DocSealed,
	// DocMinute or DocNone; "" when DocumentURL is the document (or unknown).
	Document string `json:"document,omitempty"`
	// Origin is the case this docket came from as the source's docket
	// fields give it ("mdd 8:25-cv-00951": CourtListener's appeal_from and
	// original_court_info); "" when the source gives none. Links dockets
	// into one matter (store/links.go).
	Origin string `json:"origin,omitempty"`
	// Judges are the judges the source's docket data names (CourtListener:
	// assigned and referred to); PACER RSS names none.
	Judges []string `json:"judges,omitempty"`
	// Parties and Attorneys are the case's parties and their attorneys as
	// the source names them (CourtListener's parties and attorneys of the
	// docket, bounded: see feeds/courtlistener); PACER RSS names none.
	Parties   []string `json:"parties,omitempty"`
	Attorneys []string `json:"attorneys,omitempty"`
	// Procedural marks routine entries (notice of appearance, pro hac vice…)
	// that are counted in a case thread but not posted by default.
	Procedural bool `json:"-"`
}

// Values of Docket.Document: an entry whose document cannot be opened.
const (
	DocSealed = "sealed" // filed under seal
	DocMinute = "minute" // a minute entry: the docket text is all there is
	DocNone   = "none"   // a numbered entry without a document
)

// CaseKey identifies the case: court and core docket number. Alerts for docket
// items are threaded by it, whatever source they came from.
func (d *Docket) CaseKey() string {
	return strings.ToLower(d.Court) + " " + d.Number
}

// Key identifies the item across every feed, so that the same story or docket
// entry seen in two feeds is recognised as one: a docket entry by its case and
// entry, a news item by its canonical link without its fragment, anything
// else by feed and id.
func (it *Item) Key() string {
	switch {
	case it.Docket != nil && it.Docket.Number != "":
		entry := it.Docket.EntryNumber
		if entry == "" {
			// Minute entries have no number: the description and the day tell
			// them apart.
			entry = it.Published.UTC().Format("2006-01-02") + " " + strings.ToLower(it.Docket.ShortDescription)
		}
		return "d " + it.Docket.CaseKey() + " " + entry
	case it.Link != "":
		// The page, not the anchor in it: a story linked with and
		// without "#comments" is one.
		page, _, _ := strings.Cut(it.Link, "#")
		return "l " + page
	default:
		return "i " + it.FeedID + " " + it.ID
	}
}

// FeedKey identifies the item within its feed: a docket entry by Key (the
// same entry whatever the source), anything else by feed and id. Items of
// one feed with distinct ids are distinct even when their canonical links,
// and so their Keys, are the same (a live blog's "#post-1", "#post-2").
//
// An item a watch's search feed brought (SearchFor) is distinct per feed
// whatever it is: the same entry or story that another feed brought first,
// where the watch may not have matched, still alerts the watch; the store
// posts it once per channel instead (store/posted.go).
func (it *Item) FeedKey() string {
	if it.Docket != nil && it.Docket.Number != "" && it.SearchFor == "" {
		return it.Key()
	}
	return "i " + it.FeedID + " " + it.ID
}
