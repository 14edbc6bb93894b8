package courtlistener

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	wirewatch "github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// Limits on untrusted input.
const (
	maxEntries = 1000 // entries read from one document
	maxSummary = 4000 // bytes of an item's summary
	// readLookupWait bounds how long Read waits for the API budget to look
	// up a docket it has not seen; past it, items go out without the case
	// name rather than holding up the poller.
	readLookupWait = 20 * time.Second
)

// ErrFormat is returned for a body that is none of the formats read here.
var ErrFormat = errors.New("not a CourtListener feed or API response")

// Read parses body, fetched from f.URL: a docket Atom feed, a RECAP search
// Atom feed or an API v4 docket-entries response (told apart by the URL's
// path, else by the body). Dockets it has not seen are looked up through the
// API when a token is set (see the package doc).
func (c *Client) Read(ctx context.Context, body []byte, f wirewatch.Feed) ([]wirewatch.Item, error) {
	u, _ := url.Parse(f.URL)
	var path string
	if u != nil {
		path = u.Path
	}
	trimmed := bytes.TrimSpace(body)
	var (
		items []wirewatch.Item
		err   error
	)
	switch {
	case strings.Contains(path, "/api/rest/v4/search/"):
		items, err = c.readSearch(trimmed) // a watch's search (search.go)
	case strings.Contains(path, "/api/rest/") || bytes.HasPrefix(trimmed, []byte("{")):
		var hint int64
		if u != nil {
			hint, _ = strconv.ParseInt(u.Query().Get("docket"), 10, 64)
		}
		items, err = c.readEntries(ctx, trimmed, hint)
	default:
		items, err = c.readAtom(ctx, trimmed, f, path)
	}
	if err != nil {
		return nil, fmt.Errorf("courtlistener feed %s: %w", f.URL, err)
	}
	for i := range items {
		items[i].FeedID = f.ID
		items[i].Feed = f.Name
	}
	return items, nil
}

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	Title   string      `xml:"title"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Summary   string     `xml:"summary"`
	Links     []atomLink `xml:"link"`
	Author    struct {
		Name string `xml:"name"`
	} `xml:"author"`
}

func (e atomEntry) link(rel string) string {
	for _, l := range e.Links {
		r := l.Rel
		if r == "" {
			r = "alternate"
		}
		if r == rel {
			return strings.TrimSpace(l.Href)
		}
	}
	return ""
}

var (
	docketFeedPath = regexp.MustCompile(`/docket/(\d{1,18})/feed/?$`)
	docketInLink   = regexp.MustCompile(`/docket/(\d{1,18})/(?:(\d{1,10})/)?`)
	entryTitle     = regexp.MustCompile(`^Entry #(\d{1,10}) in `)
	recapPath      = regexp.MustCompile(`/gov\.uscourts\.([a-z0-9-]{2,20})\.(\d{1,12})/`)
)

// readAtom reads the docket feed and the search feed.
func (c *Client) readAtom(ctx context.Context, body []byte, f wirewatch.Feed, path string) ([]wirewatch.Item, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var feed atomFeed
	if err := d.Decode(&feed); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if len(feed.Entries) > maxEntries {
		feed.Entries = feed.Entries[:maxEntries]
	}
	self := path
	for _, l := range feed.Links {
		if l.Rel == "self" {
			if u, err := url.Parse(l.Href); err == nil && self == "" {
				self = u.Path
			}
		}
	}
	if m := docketFeedPath.FindStringSubmatch(self); m != nil || strings.HasPrefix(feed.Title, "Docket updates for ") {
		var id int64
		if m != nil {
			id, _ = strconv.ParseInt(m[1], 10, 64)
		}
		return c.readDocketFeed(ctx, feed, f, id), nil
	}
	return c.readSearchFeed(ctx, feed, f), nil
}

// readDocketFeed reads /docket/{id}/feed/.
func (c *Client) readDocketFeed(ctx context.Context, feed atomFeed, f wirewatch.Feed, id int64) []wirewatch.Item {
	// "Docket updates for {case name, cut at 100}, {docket number}"
	info := docketInfo{ID: id}
	head := strings.TrimPrefix(text(feed.Title), "Docket updates for ")
	if i := strings.LastIndex(head, ", "); i >= 0 {
		info.CaseName, info.Number = head[:i], head[i+2:]
	} else {
		info.CaseName = head
	}
	if n := court.CoreNumber(info.Number); n != "" {
		info.Number = n
	}
	if id != 0 {
		if known, err := c.docket(ctx, id, readLookupWait, true); err == nil {
			info = known // the API's case name is not cut at 100 characters
		} else if !errors.Is(err, ErrNoToken) {
			c.log.Warn("courtlistener docket lookup", "docket", id, "err", err)
		}
	}
	if f.Court != "" {
		info.Court = court.FromPACER(f.Court)
	}
	// RECAP storage paths (gov.uscourts.{court}.{pacer case id}) of any
	// entry's PDF name the court and the PACER case id of the docket.
	for _, e := range feed.Entries {
		if m := recapPath.FindStringSubmatch(e.link("enclosure")); m != nil {
			if info.Court == "" {
				info.Court = court.FromPACER(m[1])
			}
			if info.PacerCaseID == "" {
				info.PacerCaseID = m[2]
			}
			break
		}
	}
	items := make([]wirewatch.Item, 0, len(feed.Entries))
	for _, e := range feed.Entries {
		enclosure := e.link("enclosure")
		var entryNo string
		if m := entryTitle.FindStringSubmatch(text(e.Title)); m != nil {
			entryNo = strings.TrimLeft(m[1], "0")
		}
		long := wirewatch.Ellipsize(text(e.Summary), maxSummary)
		d := &wirewatch.Docket{
			Court:            info.Court,
			Number:           info.Number,
			CaseName:         info.CaseName,
			EntryNumber:      entryNo,
			ShortDescription: shortFrom(long),
			DocumentURL:      safeURL(enclosure),
			PacerCaseID:      info.PacerCaseID,
		}
		info.fill(d)
		d.Procedural = court.Procedural(long)
		court.SetDocument(d, court.Sealed(long), d.DocumentURL != "")
		link := safeURL(e.link("alternate"))
		if strings.HasPrefix(d.DocumentURL, storageURL) {
			link = d.DocumentURL // the free RECAP copy
		}
		items = append(items, atomItem(e, d, link, long))
	}
	return items
}

// readSearchFeed reads /feed/search/?type=r&…: one entry per document.
func (c *Client) readSearchFeed(ctx context.Context, feed atomFeed, f wirewatch.Feed) []wirewatch.Item {
	items := make([]wirewatch.Item, 0, len(feed.Entries))
	for _, e := range feed.Entries {
		link := safeURL(e.link("alternate"))
		info := docketInfo{CaseName: wirewatch.Ellipsize(text(e.Title), 300), Court: court.ByFullName(text(e.Author.Name))}
		var entryNo string
		if u, err := url.Parse(link); err == nil {
			if m := docketInLink.FindStringSubmatch(u.Path); m != nil {
				info.ID, _ = strconv.ParseInt(m[1], 10, 64)
				entryNo = strings.TrimLeft(m[2], "0")
			}
		}
		if info.ID != 0 {
			// No parties: a search's results are many dockets, each
			// worth a lookup but not three.
			if known, err := c.docket(ctx, info.ID, readLookupWait, false); err == nil {
				info = known
			} else if !errors.Is(err, ErrNoToken) {
				c.log.Warn("courtlistener docket lookup", "docket", info.ID, "err", err)
			}
		}
		if info.Court == "" && f.Court != "" {
			info.Court = court.FromPACER(f.Court)
		}
		d := &wirewatch.Docket{
			Court:       info.Court,
			Number:      info.Number,
			CaseName:    info.CaseName,
			EntryNumber: entryNo,
			DocumentURL: link,
			PacerCaseID: info.PacerCaseID,
		}
		summary := wirewatch.Ellipsize(strings.TrimSuffix(text(e.Summary), "Original document"), maxSummary)
		d.Procedural = court.Procedural(summary)
		items = append(items, atomItem(e, d, link, strings.TrimSpace(summary)))
	}
	return items
}

// atomItem is the item of Atom entry e: its id is the entry's, else its
// link (feeds.Parse bounds ids, hashing long ones).
func atomItem(e atomEntry, d *wirewatch.Docket, link, summary string) wirewatch.Item {
	id := strings.TrimSpace(e.ID)
	if id == "" {
		id = link
	}
	return wirewatch.Item{
		ID:        id,
		Title:     court.Title(*d),
		Link:      link,
		Published: atomTime(e),
		Summary:   summary,
		Docket:    d,
	}
}

func atomTime(e atomEntry) time.Time {
	for _, s := range []string{e.Published, e.Updated} {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return time.Time{}
}

// safeURL keeps http(s) URLs only.
func safeURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2000 || strings.Contains(s, "..") {
		return ""
	}
	return u.String()
}

var leadCap = regexp.MustCompile(`^(?:[A-Z][A-Z0-9'\-]*(?:\s+|$))+`)

// text turns HTML (or plain text) into plain text on one line: feeds.PlainText
// with its line breaks made spaces.
func text(s string) string {
	return strings.Join(strings.Fields(feeds.PlainText(s)), " ")
}

// shortFrom makes a short description from a docket text, which CM/ECF
// starts with the event in capitals ("ORDER finding…" → "Order", "MOTION
// for…" → "Motion"); otherwise its first words.
func shortFrom(long string) string {
	if m := strings.TrimSpace(leadCap.FindString(long)); m != "" && len(m) > 1 {
		words := strings.Fields(strings.ToLower(m))
		for i, w := range words {
			if i == 0 || len(w) > 3 {
				r, size := utf8.DecodeRuneInString(w)
				words[i] = string(unicode.ToUpper(r)) + w[size:]
			}
		}
		return wirewatch.Ellipsize(strings.Join(words, " "), 80)
	}
	return wirewatch.Ellipsize(long, 80)
}
