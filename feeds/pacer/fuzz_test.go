package pacer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch/feeds/court"
)

func FuzzPACERItem(f *testing.F) {
	f.Add("1:18-cv-03365 Chau v. Donovan et al", `[Notice of Appearance] (<a href="https://ecf.nysd.uscourts.gov/doc1/127122264358?caseid=492165&de_seq_num=10" >3</a>)`, "Wed, 18 Apr 2018 00:09:55 GMT", "nysd")
	f.Add("16-10992-smb SunEdison, Inc.                 ", `Type: bk Office: 1 Chapter: 11 Trustee: O&#039;Toole [Objection] (<a href='https://ecf.nysb.uscourts.gov/doc1/126018830418?pdf_header=&de_seq_num=16739&caseid=265812'>5237</a>)`, "Thu, 19 Apr 2018 18:21:31 GMT", "nysb")
	f.Add("22-1214 Food &amp;amp; Water Watch v. FERC", `[Order Filed (CLERK)] (&lt;a href='https://ecf.cadc.uscourts.gov/docs1/01208491112'>Document&lt;/a>)`, "Fri, 03 Feb 2023 11:57:38 EST", "cadc")
	f.Add("5:18-~gr-00001 X", "[", "Fri, 03 Feb 2023 11:57:38 XYZ", "wvsd")
	f.Add("1:12-cv-04402-PKC-CLP Joseph v. X", "[Order] USA v. X <a href=x>", "Fri, 03 Jul 2023 11:57:38 -0400", "nyed")
	f.Fuzz(func(t *testing.T, title, desc, pubDate, courtID string) {
		e, ok := parseItem(courtID, rssItem{Title: title, Description: desc, PubDate: pubDate, Link: "https://ecf.x.uscourts.gov/cgi-bin/DktRpt.pl?1"})
		if !ok {
			if court.CoreNumber(clean(title)) != "" {
				t.Fatalf("title %q has a number but the item was skipped", title)
			}
			return
		}
		if e.number == "" || e.number != court.CoreNumber(clean(title)) {
			t.Fatalf("number %q, want CoreNumber of %q", e.number, title)
		}
		it := e.item()
		for _, s := range []string{it.Title, it.Summary, it.ID, it.Docket.CaseName, it.Docket.ShortDescription} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if cn := it.Docket.CaseName; cn != strings.TrimSpace(cn) || strings.Contains(cn, "  ") {
			t.Fatalf("caption %q not trimmed and collapsed", cn)
		}
		if !strings.Contains(it.Title, e.number) {
			t.Fatalf("title %q lacks the number %q", it.Title, e.number)
		}
		if n := it.Docket.EntryNumber; n != "" && strings.Trim(n, "0123456789") != "" {
			t.Fatalf("entry number %q is not a number", n)
		}
	})
}
