// Package court holds what the court-docket readers (feeds/pacer,
// feeds/courtlistener) share: the core form of docket numbers, the table of
// federal courts (citation-style names and time zones), the classifier of
// procedural entries and the headline of a docket item.
//
// Court ids are CourtListener's, which are PACER's subdomains except for four
// courts (azb → arb, cofc → uscfc, neb → nebraskab, nysb-mega → nysb); see
// FromPACER. Using one set of ids makes the same entry read from PACER RSS
// and from CourtListener one item (wirewatch.Item.Key).
//
// Procedural entries are those whose description names pro hac vice
// admission, a notice of appearance, a corporate disclosure statement (or
// certificate of interested parties), an attorney added or terminated, or a
// summons issued; they are counted in a case thread but not posted unless a
// watch asks for them.
package court

import (
	"net/url"
	"regexp"
	"strings"

	wirewatch "github.com/wirewatch/wirewatch"
)

var (
	// District and appellate-with-office numbers: optional office code, year,
	// case type, serial; anything after (judge initials, defendant number) is
	// not part of the core number.
	districtNumber = regexp.MustCompile(`^(?:(\d{1,2}):)?(\d{2})-([A-Za-z]{1,5})-(\d{1,10})(?:$|[^0-9])`)
	// Bankruptcy and appellate numbers: year and serial ("16-10992-smb",
	// "22-1214", "11-8").
	shortNumber = regexp.MustCompile(`^(?:(\d{1,2}):)?(\d{2})-(\d{1,10})(?:$|[^0-9])`)
)

// CoreNumber returns the core docket number at the start of s, as the court
// writes it, without judge initials or defendant suffixes
// ("1:17-cr-00554-MKB" → "1:17-cr-00554", "16-10992-smb" → "16-10992",
// "11-8" → "11-8"), or "" when s does not start with a docket number.
func CoreNumber(s string) string {
	s = strings.TrimSpace(s)
	if tok, _, ok := strings.Cut(s, " "); ok {
		s = tok
	}
	if m := districtNumber.FindStringSubmatch(s); m != nil {
		n := m[2] + "-" + m[3] + "-" + m[4]
		if m[1] != "" {
			n = m[1] + ":" + n
		}
		return n
	}
	if m := shortNumber.FindStringSubmatch(s); m != nil {
		n := m[2] + "-" + m[3]
		if m[1] != "" {
			n = m[1] + ":" + n
		}
		return n
	}
	return ""
}

// procedural matches the routine entries left out of chat by default.
var procedural = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`pro\s+hac\s+vice`,
	`\bnotice\s+of\s+(?:attorney\s+|counsel\s+)?appearance`,
	`\bappearance\s+of\s+counsel\b`,
	`\bcorporate\s+disclosure`,
	`\bdisclosure\s+statement\s+(?:pursuant\s+to|under)\s+(?:fed(?:eral|\.)?\s*r(?:ule|\.)?\s*(?:of\s+)?(?:civ(?:il|\.)?\s*p(?:rocedure|\.)?\s*)?)?7\.1`,
	`\brule\s+7\.1\b`,
	`\bcertificate\s+of\s+(?:interested\s+(?:parties|persons)|disclosure)`,
	`\battorneys?\b[^.;]{0,60}\b(?:added|terminated)\b`,
	`\badd\s+and\s+terminate\s+attorneys?`,
	`\bsummons(?:es)?\s+(?:\w+\s+){0,3}issued`,
}, "|"))

// Procedural tells whether a docket description is a routine entry (see the
// package doc).
func Procedural(desc string) bool {
	return procedural.MatchString(wirewatch.Clip(desc, 4096))
}

// maxShownEntry is the longest entry number Title shows.
const maxShownEntry = 7

// Title is the headline of a docket item: "Doc 61 · Order · Abrego Garcia v.
// Noem, 8:25-cv-00951 (D. Md.)". Parts that are unknown are left out, and
// so are entry numbers that are document ids (more than 7 digits).
func Title(d wirewatch.Docket) string {
	var parts []string
	// Some appellate courts number entries by their 11- or 12-digit document
	// id, which says nothing to a reader.
	if d.EntryNumber != "" && len(d.EntryNumber) <= maxShownEntry {
		parts = append(parts, "Doc "+d.EntryNumber)
	}
	if s := oneLine(d.ShortDescription, 120); s != "" {
		parts = append(parts, s)
	}
	var c strings.Builder
	c.WriteString(oneLine(d.CaseName, 160))
	if d.Number != "" {
		if c.Len() > 0 {
			c.WriteString(", ")
		}
		c.WriteString(d.Number)
	}
	if d.Court != "" {
		if c.Len() > 0 {
			c.WriteString(" ")
		}
		c.WriteString("(" + Name(d.Court) + ")")
	}
	if c.Len() > 0 {
		parts = append(parts, c.String())
	}
	return strings.Join(parts, " · ")
}

// oneLine collapses white space and cuts s to at most n bytes, with an
// ellipsis when cut.
func oneLine(s string, n int) string {
	return wirewatch.Ellipsize(strings.Join(strings.Fields(s), " "), n)
}

// Cite is the docket number followed by the court's short name,
// "8:25-cv-00951 (D. Md.)"; either part may be missing.
func Cite(d wirewatch.Docket) string {
	n := oneLine(d.Number, 60)
	if d.Court == "" {
		return n
	}
	c := "(" + Name(oneLine(d.Court, 20)) + ")"
	if n == "" {
		return c
	}
	return n + " " + c
}

// sealed finds an entry filed under seal in its description: one that
// starts "SEALED" ("Sealed Motion", "*SEALED* Order"), or says "(sealed)"
// or "sealed document". An order about sealing ("granting motion to file
// sealed exhibits", "unsealed") is a public entry and does not match.
var sealed = regexp.MustCompile(`(?i)^[^a-z0-9]*sealed\b|\(\s*sealed\s*\)|\bsealed\s+(?:document|entry|filing)\b`)

// Sealed tells whether a docket description says the entry is sealed.
func Sealed(desc string) bool {
	return sealed.MatchString(wirewatch.Clip(desc, 4096))
}

// SetDocument sets d.Document for every reader alike: DocSealed when sealed,
// DocMinute for an unnumbered entry without a document, DocNone for a
// numbered one without, "" when it has a document to open. A sealed entry's
// DocumentURL is blanked: its document page refuses everyone, so no renderer
// or script is handed a link that cannot open.
func SetDocument(d *wirewatch.Docket, sealed, hasDocument bool) {
	switch {
	case sealed:
		d.Document = wirewatch.DocSealed
		d.DocumentURL = ""
	case !hasDocument && d.EntryNumber == "":
		d.Document = wirewatch.DocMinute
	case !hasDocument:
		d.Document = wirewatch.DocNone
	default:
		d.Document = ""
	}
}

// Document is how an entry's document is shown: a label and the URL to
// link it with ("" for no link). Sealed, minute and text-only entries get a
// label and no link, as their document pages fail; a link says whether it
// is free (a RECAP copy on storage.courtlistener.com) or on PACER (a fee,
// ecf.*.uscourts.gov). The label is plain text: adapters escape it.
func Document(d wirewatch.Docket) (label, link string) {
	switch d.Document {
	case wirewatch.DocSealed:
		return "sealed: no document to open", ""
	case wirewatch.DocMinute:
		return "minute entry: no document", ""
	case wirewatch.DocNone:
		return "no document", ""
	}
	u, err := url.Parse(d.DocumentURL)
	if d.DocumentURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "storage.courtlistener.com":
		return "document (free, RECAP)", d.DocumentURL
	case strings.HasPrefix(host, "ecf.") && strings.HasSuffix(host, ".uscourts.gov"):
		return "document (PACER, fee)", d.DocumentURL
	case host == "www.courtlistener.com" || host == "courtlistener.com":
		return "document page (CourtListener)", d.DocumentURL
	}
	return "document", d.DocumentURL
}
