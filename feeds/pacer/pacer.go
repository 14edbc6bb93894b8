// Package pacer reads PACER CM/ECF RSS feeds (district and bankruptcy
// rss_outside.pl, appellate TransportRoom) into docket items.
//
// Each RSS item is one docket event: the title is "NUMBER CAPTION", the
// description "[short description] (<a href=DOC>N</a>)", preceded in
// bankruptcy courts by "Type: … Office: … Chapter: … Trustee: …". The rules,
// which follow juriscraper's PacerRssFeed so that the golden files agree:
//
//   - The court is the feed's Court if set, else the PACER subdomain of the
//     feed's host (ecf.nysd.uscourts.gov → nysd), else that of the channel's
//     link, as CourtListener names it (court.FromPACER).
//   - The docket number is the core number at the start of the title
//     (court.CoreNumber); items without one are skipped and counted, not fatal.
//   - The caption is the rest of the title, HTML-unescaped (titles of some
//     appellate courts are escaped twice) and with white space collapsed
//     (bankruptcy titles are padded to a fixed width).
//   - The short description is the text inside the first […]; the entry
//     number is the text of the document link when it is a number; appellate
//     courts that write "Document" instead give the document id as the entry
//     number (CourtListener does the same). Entries without a link are kept.
//   - Times: pubDate's zone abbreviation names a region, not an offset, and
//     is resolved DST-aware by court.AbbrevLocation: "EST" on a July date is
//     Eastern Daylight Time (−04:00); GMT is UTC; numeric offsets are taken as
//     written; an unknown abbreviation is read in the court's own zone.
//   - GUIDs repeat for every entry of a case in some courts and are never
//     used: Item.ID is court, core number and entry number (else document id,
//     else sequence number, else time and description).
//   - Items of one filing split into several events (same number, PACER case
//     id, time and document id) are merged into one, the short descriptions
//     sorted and joined with " AND ".
package pacer

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	wirewatch "github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// Limits on untrusted input.
const (
	MaxItems      = 5000     // items read from one feed; the rest are ignored
	maxFieldBytes = 16 << 10 // a title or description longer than this is cut
	maxCaption    = 1000     // bytes of a caption
)

// ErrNotRSS is returned for a body that is not an RSS document.
var ErrNotRSS = errors.New("not an RSS document")

// Reader reads PACER RSS feeds. The zero value is ready to use.
type Reader struct{}

// Read parses body, a PACER RSS document fetched from f, into docket items.
func (r Reader) Read(ctx context.Context, body []byte, f wirewatch.Feed) ([]wirewatch.Item, error) {
	items, _, err := r.ReadStats(ctx, body, f)
	return items, err
}

// Stats tell what a read left out and how fresh the feed is.
type Stats struct {
	Court     string    // the court the items were read for
	Skipped   int       // items without a docket number
	LastBuild time.Time // the channel's lastBuildDate; zero when absent (see Stale)
}

// ReadStats is Read that also returns Stats, for the poller's log and
// status (skipped items, staleness).
func (Reader) ReadStats(ctx context.Context, body []byte, f wirewatch.Feed) ([]wirewatch.Item, Stats, error) {
	if err := ctx.Err(); err != nil {
		return nil, Stats{}, err
	}
	c := f.Court
	if c == "" {
		c = CourtFromURL(f.URL)
	}
	st := Stats{Court: court.FromPACER(c)}
	items, skipped, lastBuild, err := Parse(body, c)
	if err != nil {
		return nil, st, fmt.Errorf("pacer feed %s: %w", f.URL, err)
	}
	st.Skipped, st.LastBuild = skipped, lastBuild
	for i := range items {
		items[i].FeedID = f.ID
		items[i].Feed = f.Name
	}
	return items, st, nil
}

// IsPACER tells whether u is on a PACER host (*.uscourts.gov).
func IsPACER(u *url.URL) bool {
	if u == nil {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	return strings.HasSuffix(h, ".uscourts.gov")
}

// CourtFromURL is the court id named by a PACER feed URL
// (https://ecf.nysd.uscourts.gov/cgi-bin/rss_outside.pl → nysd), "" if none.
func CourtFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !IsPACER(u) {
		return ""
	}
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), ".")
	// ecf.{court}.uscourts.gov, or {court}.uscourts.gov
	if len(labels) >= 4 && labels[0] == "ecf" {
		return court.FromPACER(labels[1])
	}
	if len(labels) >= 3 && labels[0] != "www" && labels[0] != "ecf" {
		return court.FromPACER(labels[0])
	}
	return ""
}

// StaleAfter is how long a feed's lastBuildDate may stand still on a weekday
// before the feed is flagged (CourtListener's rule).
const StaleAfter = 2 * time.Hour

// Stale tells whether a feed whose channel lastBuildDate is lastBuild looks
// stuck at now: now is a weekday (Monday to Friday, US Eastern) and
// lastBuild is more than StaleAfter old. A zero lastBuild is never stale.
func Stale(lastBuild, now time.Time) bool {
	if lastBuild.IsZero() {
		return false
	}
	switch now.In(court.Location("")).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return now.Sub(lastBuild) > StaleAfter
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Channel struct {
		Link          string    `xml:"link"` // https://ecf.{court}.uscourts.gov
		LastBuildDate string    `xml:"lastBuildDate"`
		Items         []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	Description string `xml:"description"`
	PubDate     string `xml:"pubDate"`
}

// Parse reads a PACER RSS document for court. It returns the items (merged),
// how many items were skipped for want of a docket number, and the channel's
// lastBuildDate (zero when absent or unreadable).
func Parse(body []byte, courtID string) (items []wirewatch.Item, skipped int, lastBuild time.Time, err error) {
	entries, skipped, lastBuild, err := parseEntries(body, court.FromPACER(courtID))
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	items = make([]wirewatch.Item, 0, len(entries))
	for _, e := range entries {
		items = append(items, e.item())
	}
	return items, skipped, lastBuild, nil
}

func parseEntries(body []byte, courtID string) (entries []*entry, skipped int, lastBuild time.Time, err error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charset.NewReaderLabel
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var doc rssDoc
	if err := d.Decode(&doc); err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("%w: %v", ErrNotRSS, err)
	}
	if courtID == "" {
		// A feed read from a file: the channel's link names the court.
		courtID = CourtFromURL(strings.TrimSpace(doc.Channel.Link))
	}
	if t, err := parseTime(doc.Channel.LastBuildDate, courtID); err == nil {
		lastBuild = t
	}
	raw := doc.Channel.Items
	if len(raw) > MaxItems {
		raw = raw[:MaxItems]
	}
	byMerge := map[string]*entry{}
	for _, it := range raw {
		e, ok := parseItem(courtID, it)
		if !ok {
			skipped++
			continue
		}
		k := e.mergeKey()
		if prev := byMerge[k]; prev != nil {
			prev.merge(e)
			continue
		}
		byMerge[k] = e
		entries = append(entries, e)
	}
	return entries, skipped, lastBuild, nil
}

// entry is one parsed RSS item, with the fields the golden files check.
type entry struct {
	court       string
	number      string
	caseName    string
	entryNumber string
	descs       []string // short descriptions, more than one after a merge
	docURL      string
	docID       string // pacer_doc_id, 4th digit forced to 0
	seqNo       string
	pacerCaseID string
	link        string // the item's link: the docket report
	published   time.Time
	// Bankruptcy prefix.
	bkType, office, chapter, trustee string
}

func (e *entry) mergeKey() string {
	return e.number + "\x00" + e.pacerCaseID + "\x00" + e.published.UTC().Format(time.RFC3339) + "\x00" + e.docID
}

func (e *entry) merge(o *entry) {
	e.descs = append(e.descs, o.descs...)
	sort.Strings(e.descs)
	if e.entryNumber == "" {
		e.entryNumber = o.entryNumber
	}
	if e.docURL == "" {
		e.docURL = o.docURL
	}
}

func (e *entry) shortDescription() string { return strings.Join(e.descs, " AND ") }

func (e *entry) item() wirewatch.Item {
	d := &wirewatch.Docket{
		Court:            e.court,
		Number:           e.number,
		CaseName:         e.caseName,
		EntryNumber:      e.entryNumber,
		ShortDescription: e.shortDescription(),
		DocumentURL:      e.docURL,
		PacerCaseID:      e.pacerCaseID,
	}
	d.Procedural = court.Procedural(d.ShortDescription)
	// A sealed entry's doc1 page refuses everyone: SetDocument drops it.
	court.SetDocument(d, court.Sealed(d.ShortDescription), e.docURL != "")
	link := d.DocumentURL
	if link == "" {
		link = e.link
	}
	summary := d.ShortDescription
	if e.chapter != "" {
		summary += " (Chapter " + e.chapter
		if e.trustee != "" {
			summary += "; Trustee: " + e.trustee
		}
		summary += ")"
	}
	return wirewatch.Item{
		ID:        e.id(),
		Title:     court.Title(*d),
		Link:      link,
		Published: e.published,
		Summary:   strings.TrimSpace(summary),
		Docket:    d,
	}
}

// id is the entry's stable identity in the court (see the package doc).
func (e *entry) id() string {
	var k string
	switch {
	case e.entryNumber != "":
		k = e.entryNumber
	case e.docID != "":
		k = "doc-" + e.docID
	case e.seqNo != "":
		k = "seq-" + e.seqNo
	default:
		k = e.published.UTC().Format(time.RFC3339) + " " + strings.ToLower(e.shortDescription())
	}
	return "pacer " + e.court + " " + e.number + " " + k
}

var (
	bkPrefix  = regexp.MustCompile(`^\s*Type:\s*(\S*)\s+Office:\s*(\S*)\s+Chapter:\s*(\S*)\s*(?:Trustee:\s*(.*?))?\s*\[`)
	bracketed = regexp.MustCompile(`(?s)\[(.*?)\]`)
	anchor    = regexp.MustCompile(`(?is)<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>`)
	tags      = regexp.MustCompile(`(?s)<[^>]*>`)
	docPath   = regexp.MustCompile(`/docs?1/(\d+)`)
	seqParam  = regexp.MustCompile(`[?&]de_seq_num=(\d+)`)
	caseIDRe  = regexp.MustCompile(`DktRpt\.pl\?(\d+)`)
	iqueryRe  = regexp.MustCompile(`iquery\.pl\?[^#]*-(\d+)$`)
	digits    = regexp.MustCompile(`^\d+$`)
)

// parseItem reads one RSS item; ok is false when the title has no docket
// number.
func parseItem(courtID string, it rssItem) (*entry, bool) {
	courtID = court.FromPACER(courtID)
	title := clean(it.Title)
	number := court.CoreNumber(title)
	if number == "" {
		return nil, false
	}
	e := &entry{court: courtID, number: number, link: strings.TrimSpace(clean(it.Link))}
	if _, rest, ok := strings.Cut(strings.TrimSpace(title), " "); ok {
		e.caseName = caption(rest)
	}
	desc := clean(it.Description)
	// Feeds that escape the markup twice leave "&lt;a" after XML decoding.
	if !strings.Contains(desc, "<") && strings.Contains(desc, "&lt;") {
		desc = html.UnescapeString(desc)
	}
	if m := bkPrefix.FindStringSubmatch(desc); m != nil {
		e.bkType, e.office, e.chapter, e.trustee = m[1], m[2], m[3], strings.TrimSpace(html.UnescapeString(m[4]))
	}
	if m := bracketed.FindStringSubmatch(desc); m != nil {
		if s := strings.TrimSpace(html.UnescapeString(m[1])); s != "" {
			e.descs = []string{s}
		}
	}
	if m := anchor.FindStringSubmatch(desc); m != nil {
		href := strings.TrimSpace(html.UnescapeString(m[1] + m[2] + m[3]))
		if u, err := url.Parse(href); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			e.docURL = href
		}
		if dm := docPath.FindStringSubmatch(href); dm != nil {
			e.docID = normalizeDocID(dm[1])
		}
		if sm := seqParam.FindStringSubmatch(href); sm != nil {
			e.seqNo = sm[1]
		}
		text := strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(m[4], "")))
		if digits.MatchString(text) {
			e.entryNumber = strings.TrimLeft(text, "0")
			if e.entryNumber == "" {
				e.entryNumber = "0"
			}
		}
	}
	if e.entryNumber == "" && e.docID != "" && appellate(courtID) {
		e.entryNumber = e.docID
	}
	if m := caseIDRe.FindStringSubmatch(e.link); m != nil {
		e.pacerCaseID = m[1]
	} else if m := iqueryRe.FindStringSubmatch(e.link); m != nil {
		e.pacerCaseID = m[1]
	}
	if t, err := parseTime(it.PubDate, courtID); err == nil {
		e.published = t
	}
	return e, true
}

// clean makes untrusted text safe to handle: valid UTF-8, bounded length.
func clean(s string) string {
	s = wirewatch.Clip(s, maxFieldBytes)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// caption is the case name as published: HTML-unescaped, white space
// collapsed, bounded.
func caption(s string) string {
	s = html.UnescapeString(s)
	return wirewatch.Clip(strings.Join(strings.Fields(s), " "), maxCaption)
}

// normalizeDocID forces the 4th digit to 0, as PACER's doc ids vary there
// between links to the same document.
func normalizeDocID(id string) string {
	if len(id) < 4 {
		return id
	}
	return id[:3] + "0" + id[4:]
}

// appellate tells whether a court id names a court of appeals (ends in a
// digit, or cadc, cafc, cavc).
func appellate(id string) bool {
	if id == "" {
		return false
	}
	if c := id[len(id)-1]; c >= '0' && c <= '9' {
		return true
	}
	switch id {
	case "cadc", "cafc", "cavc":
		return true
	}
	return false
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"Mon, 2 Jan 06 15:04:05",
}

// parseTime reads an RFC 822 date as PACER writes it (see the package doc
// for zones).
func parseTime(s, courtID string) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, errors.New("no date")
	}
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return time.Time{}, fmt.Errorf("date %q: no zone", s)
	}
	wall, zone := s[:i], s[i+1:]
	var loc *time.Location
	if len(zone) == 5 && (zone[0] == '+' || zone[0] == '-') {
		h, err1 := strconv.Atoi(zone[1:3])
		m, err2 := strconv.Atoi(zone[3:5])
		if err1 != nil || err2 != nil || h > 23 || m > 59 {
			return time.Time{}, fmt.Errorf("date %q: bad offset", s)
		}
		off := h*3600 + m*60
		if zone[0] == '-' {
			off = -off
		}
		loc = time.FixedZone(zone, off)
	}
	for _, layout := range dateLayouts {
		if loc != nil {
			if t, err := time.ParseInLocation(layout, wall, loc); err == nil {
				return t, nil
			}
			continue
		}
		t, err := time.Parse(layout, wall)
		if err != nil {
			continue
		}
		l, ok := court.AbbrevLocation(courtID, zone, t.Year())
		if !ok {
			l = court.Location(courtID)
		}
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, l), nil
	}
	return time.Time{}, fmt.Errorf("date %q: unknown layout", s)
}
