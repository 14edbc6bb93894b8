package pacer

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

// feed wraps items in a PACER-shaped RSS document declared ISO-8859-1.
func feed(lastBuild string, items ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>Test - Recent Entries</title>
<link>https://ecf.mdd.uscourts.gov</link><description>Docket entries of type: all</description>
<lastBuildDate>` + lastBuild + `</lastBuildDate>` + strings.Join(items, "\n") + `</channel></rss>`)
}

func item(title, desc, guid, pubDate string) string {
	return "<item><title>" + title + "</title><link>https://ecf.mdd.uscourts.gov/cgi-bin/DktRpt.pl?578815</link>" +
		"<description>" + desc + "</description><guid isPermaLink=\"true\">" + guid + "</guid><pubDate>" + pubDate + "</pubDate></item>"
}

const docLink = `(&#x3C;a href=&#x22;https://ecf.mdd.uscourts.gov/doc1/09312345678?caseid=578815&#x26;de_seq_num=150&#x22; &#x3E;61&#x3C;/a&#x3E;)`

func TestReadQuirks(t *testing.T) {
	const guid = "https://ecf.mdd.uscourts.gov/cgi-bin/DktRpt.pl?578815" // the same for every entry
	body := feed("Fri, 11 Jul 2025 13:00:00 EST",
		// A July date written "EST": Eastern daylight time.
		item("8:25-cv-00951-PX Abrego Garcia v. Noem et al", "[Order] "+docLink, guid, "Fri, 11 Jul 2025 12:30:00 EST"),
		// Same GUID, text-only entry (no link).
		item("8:25-cv-00951-PX Abrego Garcia v. Noem et al", "[Status Conference]", guid, "Fri, 11 Jul 2025 12:00:00 EST"),
		// One filing split in two events: merged.
		item("8:25-cv-00951-PX Abrego Garcia v. Noem et al", "[~Util - Set Deadlines] "+strings.Replace(docLink, "&#x3E;61", "&#x3E;62", 1), guid, "Fri, 11 Jul 2025 11:00:00 EST"),
		item("8:25-cv-00951-PX Abrego Garcia v. Noem et al", "[Order] "+strings.Replace(docLink, "&#x3E;61", "&#x3E;62", 1), guid, "Fri, 11 Jul 2025 11:00:00 EST"),
		// No parsable docket number: skipped and counted.
		item("5:25-~gr-00001 In re Grand Jury", "[Order]", guid, "Fri, 11 Jul 2025 10:00:00 EST"),
		// ISO-8859-1 byte (é = 0xE9), double-escaped ampersand, padded title.
		item("8:25-cv-01000 Caf\xe9 &amp;amp; Bar LLC v. Noem                          ", "[Notice of Appearance] "+strings.Replace(docLink, "&#x3E;61", "&#x3E;3", 1), guid, "Fri, 11 Jul 2025 09:00:00 GMT"),
	)
	items, skipped, lastBuild, err := Parse(body, "mdd")
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 {
		t.Errorf("skipped %d, want 1", skipped)
	}
	if want := time.Date(2025, 7, 11, 17, 0, 0, 0, time.UTC); !lastBuild.Equal(want) {
		t.Errorf("lastBuild %s, want %s", lastBuild.UTC(), want)
	}
	if len(items) != 4 {
		t.Fatalf("got %d items, want 4", len(items))
	}

	order := items[0]
	if got, want := order.Published.Format(time.RFC3339), "2025-07-11T12:30:00-04:00"; got != want {
		t.Errorf("EST in July: published %s, want %s", got, want)
	}
	if got, want := order.Title, "Doc 61 · Order · Abrego Garcia v. Noem et al, 8:25-cv-00951 (D. Md.)"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	d := order.Docket
	if d.Number != "8:25-cv-00951" || d.EntryNumber != "61" || d.PacerCaseID != "578815" || d.Court != "mdd" {
		t.Errorf("docket %+v", *d)
	}
	if want := "https://ecf.mdd.uscourts.gov/doc1/09312345678?caseid=578815&de_seq_num=150"; d.DocumentURL != want || order.Link != want {
		t.Errorf("document url %q, link %q, want %q", d.DocumentURL, order.Link, want)
	}

	text := items[1]
	if text.Docket.EntryNumber != "" || text.Docket.DocumentURL != "" || text.Docket.ShortDescription != "Status Conference" {
		t.Errorf("text-only entry: %+v", *text.Docket)
	}
	if text.Link != "https://ecf.mdd.uscourts.gov/cgi-bin/DktRpt.pl?578815" {
		t.Errorf("text-only entry links to %q, want the docket report", text.Link)
	}
	// The repeated GUID is not the identity: every entry has its own.
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.ID] || seen[it.Key()] {
			t.Errorf("id %q or key %q repeats", it.ID, it.Key())
		}
		seen[it.ID], seen[it.Key()] = true, true
	}

	merged := items[2]
	if got, want := merged.Docket.ShortDescription, "Order AND ~Util - Set Deadlines"; got != want {
		t.Errorf("merged description %q, want %q", got, want)
	}

	cafe := items[3]
	if got, want := cafe.Docket.CaseName, "Café & Bar LLC v. Noem"; got != want {
		t.Errorf("caption %q, want %q", got, want)
	}
	if !cafe.Docket.Procedural {
		t.Error("notice of appearance not marked procedural")
	}
	if got, want := cafe.Published.Format(time.RFC3339), "2025-07-11T09:00:00Z"; got != want {
		t.Errorf("GMT: %s, want %s", got, want)
	}
}

func TestReadAppellateDocumentLink(t *testing.T) {
	body := []byte(`<?xml version='1.0' encoding='ISO-8859-1'?><rss version="2.0"><channel>
<item><title>25-1345 Kilmar Abrego Garcia v. Kristi Noem</title>
<link>https://ecf.ca4.uscourts.gov/n/beam/servlet/TransportRoom?servlet=DocketReportFilter.jsp&amp;caseNum=25-1345</link>
<description>[Order filed] (&lt;a href='https://ecf.ca4.uscourts.gov/docs1/00419219058'>Document&lt;/a>)</description>
<pubDate>Thu, 17 Jul 2025 16:20:16 EST</pubDate></item></channel></rss>`)
	items, st, err := Reader{}.ReadStats(context.Background(), body, wirewatch.Feed{ID: "cfg-1", Name: "4th Cir.", URL: "https://ecf.ca4.uscourts.gov/n/beam/servlet/TransportRoom?servlet=RSSGenerator"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Court != "ca4" || st.Skipped != 0 || !st.LastBuild.IsZero() {
		t.Errorf("stats %+v, want court ca4, nothing skipped, no lastBuildDate", st)
	}
	if len(items) != 1 {
		t.Fatalf("got %d items, want 1", len(items))
	}
	it := items[0]
	if it.Docket.Court != "ca4" || it.Docket.EntryNumber != "00409219058" || it.Feed != "4th Cir." || it.FeedID != "cfg-1" {
		t.Errorf("item %+v docket %+v", it, *it.Docket)
	}
	if got, want := it.Published.Format(time.RFC3339), "2025-07-17T16:20:16-04:00"; got != want {
		t.Errorf("published %s, want %s", got, want)
	}
}

// E.D.N.Y. writes titles in CDATA with judge initials, repeats the caption
// after the description and links documents through show_case_doc.
func TestReadNYEDStyle(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>
<link>https://ecf.nyed.uscourts.gov</link>
<item><title><![CDATA[1:12-cv-04402-PKC-CLP Joseph v. Aramark]]></title>
<link>https://ecf.nyed.uscourts.gov/cgi-bin/DktRpt.pl?334567</link>
<description><![CDATA[[Order] Joseph v. Aramark <a href="https://ecf.nyed.uscourts.gov/cgi-bin/show_case_doc?150,334567,,,">150</a>]]></description>
<guid>https://ecf.nyed.uscourts.gov/cgi-bin/DktRpt.pl?334567</guid>
<pubDate>Wed, 18 Apr 2018 14:01:02 GMT</pubDate></item>
<item><title><![CDATA[1:17-cr-00554-MKB-1 USA v. Shargorodskaya]]></title>
<link>https://ecf.nyed.uscourts.gov/cgi-bin/iquery.pl?555555555555555-L_1_0-0-412345</link>
<description><![CDATA[[Status Conference] USA v. Shargorodskaya]]></description>
<pubDate>Wed, 18 Apr 2018 14:00:00 GMT</pubDate></item>
</channel></rss>`)
	items, _, _, err := Parse(body, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("got %d items, want 2", len(items))
	}
	a, b := items[0].Docket, items[1].Docket
	if a.Court != "nyed" || a.Number != "1:12-cv-04402" || a.EntryNumber != "150" || a.ShortDescription != "Order" || a.PacerCaseID != "334567" || a.CaseName != "Joseph v. Aramark" {
		t.Errorf("first: %+v", *a)
	}
	if b.Number != "1:17-cr-00554" || b.EntryNumber != "" || b.PacerCaseID != "412345" || b.ShortDescription != "Status Conference" {
		t.Errorf("second: %+v", *b)
	}
}

func TestCourtFromChannelLink(t *testing.T) {
	items, _, _, err := Parse(feed("", item("1:25-cv-00001 A v. B", "[Order]", "g", "Mon, 07 Jul 2025 10:00:00 EST")), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Docket.Court != "mdd" {
		t.Fatalf("items %+v, want one item of court mdd (from the channel link)", items)
	}
}

func TestReadNotRSS(t *testing.T) {
	for _, body := range []string{"", "<html><body>PACER login</body></html>", "{\"a\":1}"} {
		_, _, _, err := Parse([]byte(body), "nysd")
		if !errors.Is(err, ErrNotRSS) {
			t.Errorf("Parse(%q): err %v, want ErrNotRSS", body, err)
		}
	}
}

func TestCourtFromURL(t *testing.T) {
	tests := map[string]string{
		"https://ecf.nysd.uscourts.gov/cgi-bin/rss_outside.pl":                            "nysd",
		"https://ecf.azb.uscourts.gov/cgi-bin/rss_outside.pl":                             "arb",
		"https://ecf.cadc.uscourts.gov/n/beam/servlet/TransportRoom?servlet=RSSGenerator": "cadc",
		"https://example.org/rss":                                                         "",
		"https://www.uscourts.gov/":                                                       "",
		"::":                                                                              "",
	}
	for in, want := range tests {
		if got := CourtFromURL(in); got != want {
			t.Errorf("CourtFromURL(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{"https://ecf.nysd.uscourts.gov/x": true, "https://ECF.NYSD.USCOURTS.GOV./x": true, "https://uscourts.gov.evil.example/": false, "https://example.org/": false} {
		u, _ := url.Parse(in)
		if got := IsPACER(u); got != want {
			t.Errorf("IsPACER(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestStale(t *testing.T) {
	et, _ := time.LoadLocation("America/New_York")
	wed := time.Date(2025, 7, 9, 14, 0, 0, 0, et)
	sat := time.Date(2025, 7, 12, 14, 0, 0, 0, et)
	tests := []struct {
		name      string
		lastBuild time.Time
		now       time.Time
		want      bool
	}{
		{"weekday, 3h", wed.Add(-3 * time.Hour), wed, true},
		{"weekday, 1h", wed.Add(-time.Hour), wed, false},
		{"weekend, 3 days", sat.Add(-72 * time.Hour), sat, false},
		{"never built", time.Time{}, wed, false},
	}
	for _, tt := range tests {
		if got := Stale(tt.lastBuild, tt.now); got != tt.want {
			t.Errorf("%s: Stale = %v, want %v", tt.name, got, tt.want)
		}
	}
}
