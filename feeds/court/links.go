package court

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	wirewatch "github.com/wirewatch/wirewatch"
)

// A docket's text often names the same matter in another court: a
// district's notice of appeal gets "USCA Case Number 25-1345", an appeal
// names the "Supreme Court application 24A949", an appellate docket names
// its originating case. Mentions finds those; whether two dockets are one
// matter is decided by the store (store/links.go), which links them only
// when each docket's own source names the other, or a person said so. One
// docket's text alone never links: a forged caption or description could
// otherwise merge any case into any other.

// Mention is a docket another docket's text points to.
type Mention struct {
	// Court is the court pointed to ("ca4", "scotus"), "" when the text
	// names only a number (an appellate docket naming its origin).
	Court string
	// Number is the canonical docket number (Canon), "" when the text
	// names only the court ("Appeal to the 4th Circuit").
	Number string
}

// circuitOf maps the state part of a district or bankruptcy court id to its
// circuit.
var circuitOf = func() map[string]string {
	m := map[string]string{}
	for circuit, states := range map[string]string{
		"ca1": "me ma nh ri pr", "ca2": "ct ny vt", "ca3": "de nj pa vi", "ca4": "md nc sc va wv",
		"ca5": "la ms tx", "ca6": "ky mi oh tn", "ca7": "il in wi", "ca8": "ar ia mn mo ne nd sd",
		"ca9": "ak az ca gu hi id mt nv or wa nmi", "ca10": "co ks nm ok ut wy", "ca11": "al fl ga", "cadc": "dc",
	} {
		for _, s := range strings.Fields(states) {
			m[s] = circuit
		}
	}
	return m
}()

// Circuit is the court of appeals a court's appeals go to: the regional
// circuit of a district or bankruptcy court, the Federal Circuit for the
// Court of Federal Claims and the Court of International Trade, "" for
// courts of appeals and courts it does not know.
func Circuit(court string) string {
	court = strings.ToLower(court)
	switch court {
	case "uscfc", "cit":
		return "cafc"
	case "arb":
		return "ca9" // the Arizona bankruptcy court (PACER's azb)
	case "nebraskab":
		return "ca8"
	}
	if !Known(court) || Level(court) != 0 {
		return ""
	}
	if strings.HasPrefix(court, "nmi") {
		return "ca9" // Northern Mariana Islands, not New Mexico
	}
	return circuitOf[court[:2]] // "md" of mdd, "al" of almb
}

// Level orders courts by appeal: 0 for trial courts, 1 for courts of
// appeals, 2 for the Supreme Court.
func Level(court string) int {
	court = strings.ToLower(court)
	switch {
	case court == "scotus":
		return 2
	case court == "cadc" || court == "cafc" || strings.HasPrefix(court, "bap"):
		return 1
	case strings.HasPrefix(court, "ca") && len(court) <= 4:
		if _, err := strconv.Atoi(court[2:]); err == nil {
			return 1
		}
	}
	return 0
}

var (
	// "USCA Case Number 25-1345", "USCA4 Case No. 25-1345", "Court of
	// Appeals Case Number: 25-1345".
	uscaNumber = regexp.MustCompile(`(?i)\b(?:USCA(\d{1,2})?|court\s+of\s+appeals)\s+case\s+(?:number|no\.?|#)\s*:?\s*(\d{2}-\d{1,5})\b`)
	// "Appeal to the 4th Circuit", "appeal to the Fourth Circuit Court of
	// Appeals", "Notice of Appeal to the U.S. Court of Appeals for the 4th Circuit".
	appealTo = regexp.MustCompile(`(?i)\bappeal\s+to\s+the\s+(?:u\.?\s?s\.?\s+)?(?:court\s+of\s+appeals\s+for\s+the\s+)?(\w+|d\.\s?c\.)\s+circuit\b`)
	// "Supreme Court application 24A949", "Supreme Court Case No. 24-1234",
	// "Supreme Court of the United States No. 24A949".
	scotusNumber = regexp.MustCompile(`(?i)\bsupreme\s+court\b[^.;\n]{0,40}?\b(?:application|case|docket|no\.?|number)\s*(?:no\.?|number)?\s*:?\s*(\d{2}[-aA]\d{1,5})\b`)
	// "Originating case number: 8:25-cv-00951-PX", "Case originating from
	// 8:25-cv-00951", "lower court case number 8:25-cv-00951".
	// The Supreme Court's docket: "Lower Ct: United States Court of
	// Appeals for the Fourth Circuit; Case Numbers: (25-1345)".
	lowerCourtNumber = regexp.MustCompile(`(?i)\blower\s+ct\b[^\n]{0,160}?\bcase\s+numbers?\s*:?\s*\(?\s*(\d{2}-\d{1,5}|\d{1,2}:\d{2}-[a-z]{1,5}-\d{1,7})`)
	originNumber     = regexp.MustCompile(`(?i)\b(?:originating\s+case\s+(?:number|no\.?)|case\s+originating\s+from|lower\s+court\s+case\s+(?:number|no\.?)|district\s+court\s+case\s+(?:number|no\.?))\s*:?\s*(?:[a-z. ]{0,20}\s)?(\d{1,2}:\d{2}-[a-z]{1,5}-\d{1,7})`)
)

var ordinals = map[string]string{
	"1st": "ca1", "first": "ca1", "2nd": "ca2", "2d": "ca2", "second": "ca2", "3rd": "ca3", "3d": "ca3", "third": "ca3",
	"4th": "ca4", "fourth": "ca4", "5th": "ca5", "fifth": "ca5", "6th": "ca6", "sixth": "ca6", "7th": "ca7", "seventh": "ca7",
	"8th": "ca8", "eighth": "ca8", "9th": "ca9", "ninth": "ca9", "10th": "ca10", "tenth": "ca10", "11th": "ca11", "eleventh": "ca11",
	"federal": "cafc", "d.c.": "cadc", "dc": "cadc", "d. c.": "cadc",
}

// maxMentions bounds what one entry's text can claim.
const maxMentions = 4

// Mentions finds the dockets that text, from an entry of docket from,
// points to. Only courts from can lead to count: a trial court's text names
// its own circuit (whatever circuit the text claims: "USCA Case Number" in
// a Maryland case is a Fourth Circuit number) and the Supreme Court; a
// court of appeals' text names the Supreme Court and its originating case
// (by number only: the store matches it against the trial court's claim),
// the Supreme Court's names its lower court's case (by number only).
// A text that says it is an appeal to another circuit than from's claims
// nothing.
func Mentions(from wirewatch.Docket, text string) []Mention {
	text = wirewatch.Clip(text, 8192)
	level := Level(from.Court)
	circuit := Circuit(from.Court)
	var out []Mention
	add := func(m Mention) {
		for _, o := range out {
			if o == m {
				return
			}
		}
		if len(out) < maxMentions {
			out = append(out, m)
		}
	}
	if level == 0 && circuit != "" {
		named := ""
		for _, m := range appealTo.FindAllStringSubmatch(text, -1) {
			c := ordinals[strings.ToLower(m[1])]
			if c != "" && c != circuit {
				return nil // names a circuit this court does not appeal to
			}
			named = c
		}
		for _, m := range uscaNumber.FindAllStringSubmatch(text, -1) {
			if m[1] != "" && "ca"+strings.TrimLeft(m[1], "0") != circuit {
				return nil
			}
			add(Mention{Court: circuit, Number: Canon(m[2])})
		}
		if named != "" && len(out) == 0 {
			add(Mention{Court: circuit})
		}
	}
	if level < 2 {
		for _, m := range scotusNumber.FindAllStringSubmatch(text, -1) {
			add(Mention{Court: "scotus", Number: Canon(m[1])})
		}
	}
	if level == 1 {
		for _, m := range originNumber.FindAllStringSubmatch(text, -1) {
			add(Mention{Number: Canon(m[1])})
		}
	}
	if level == 2 {
		for _, m := range lowerCourtNumber.FindAllStringSubmatch(text, -1) {
			add(Mention{Number: Canon(m[1])})
		}
	}
	return out
}

// Canon is a docket number in the form used to compare numbers written
// differently: core number, lower case, serial and office without leading
// zeros ("8:25-cv-00951-PX" → "8:25-cv-951", "24A949" → "24a949").
func Canon(number string) string {
	n := CoreNumber(number)
	if n == "" {
		n = strings.TrimSpace(number)
		if tok, _, ok := strings.Cut(n, " "); ok {
			n = tok
		}
	}
	n = strings.ToLower(n)
	office := ""
	if o, rest, ok := strings.Cut(n, ":"); ok {
		office, n = strings.TrimLeft(o, "0")+":", rest
	}
	parts := strings.Split(n, "-")
	last := parts[len(parts)-1]
	if t := strings.TrimLeft(last, "0"); t != "" {
		parts[len(parts)-1] = t
	}
	return wirewatch.Clip(office+strings.Join(parts, "-"), 40)
}

// scotusDocket is a Supreme Court application number ("24A949"); its
// petitions ("24-1234") are core numbers already.
var scotusDocket = regexp.MustCompile(`^\d{2}[Aa]\d{1,5}$`)

// ParseCase reads a case as people write it in chat and config:
// court:number ("mdd:8:25-cv-00951", "ca4:25-1345", "scotus:24A949"), with
// or without a thread key's "case:". The number is the core number.
func ParseCase(s string) (courtID, number string, err error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "case:")
	c, n, ok := strings.Cut(s, ":")
	courtID = FromPACER(c)
	if !ok || !Known(courtID) {
		return "", "", fmt.Errorf("%q is not a case: write court:number, e.g. mdd:8:25-cv-00951 (court ids as in PACER: mdd, ca4, scotus)", wirewatch.Clip(s, 80))
	}
	number = CoreNumber(n)
	if number == "" && scotusDocket.MatchString(n) {
		number = strings.ToUpper(n)
	}
	if number == "" {
		return "", "", fmt.Errorf("%q is not a docket number of %s, e.g. 8:25-cv-00951, 25-1345 or 24A949", wirewatch.Clip(n, 60), Name(courtID))
	}
	return courtID, number, nil
}
