package config

import (
	"fmt"
	"strings"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// maxLinks bounds the links of the config file.
const maxLinks = 200

// CaseID is a docket named in the config file.
type CaseID struct{ Court, Number string }

// ParseLink reads one entry of links: two cases, court:number each
// ("mdd:8:25-cv-00951 tnmd:3:25-cr-00115").
func ParseLink(s string) (a, b CaseID, err error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return a, b, fmt.Errorf("%q: want two cases, court:number each, e.g. mdd:8:25-cv-00951 ca4:25-1345", wirewatch.Ellipsize(s, 120))
	}
	if a.Court, a.Number, err = court.ParseCase(f[0]); err != nil {
		return a, b, err
	}
	if b.Court, b.Number, err = court.ParseCase(f[1]); err != nil {
		return a, b, err
	}
	if a.Court == b.Court && court.Canon(a.Number) == court.Canon(b.Number) {
		return a, b, fmt.Errorf("%q: the two cases are the same", wirewatch.Ellipsize(s, 120))
	}
	return a, b, nil
}
