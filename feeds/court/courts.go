package court

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // court zones must resolve on hosts without a zoneinfo database
)

//go:embed courts.json
var courtsJSON []byte

type courtInfo struct {
	Name string `json:"name"`
	Full string `json:"full"`
	Zone string `json:"zone"`
}

// table is read once from the embedded file; it is constant data, not state.
var table = sync.OnceValue(func() map[string]courtInfo {
	m := map[string]courtInfo{}
	if err := json.Unmarshal(courtsJSON, &m); err != nil {
		panic("court: embedded courts.json: " + err.Error()) // a build defect, caught by the tests
	}
	return m
})

// zones holds every zone the package hands out, loaded once.
var zones = sync.OnceValue(func() map[string]*time.Location {
	z := map[string]*time.Location{}
	names := []string{"UTC", "America/New_York"}
	for _, c := range table() {
		names = append(names, c.Zone)
	}
	for _, a := range abbrevZones {
		names = append(names, a)
	}
	for _, n := range names {
		if n == "" || z[n] != nil {
			continue
		}
		if l, err := time.LoadLocation(n); err == nil {
			z[n] = l
		}
	}
	return z
})

// pacerToCL maps the PACER ids that differ from CourtListener's.
var pacerToCL = map[string]string{
	"azb":       "arb",
	"cofc":      "uscfc",
	"neb":       "nebraskab",
	"nysb-mega": "nysb",
}

// FromPACER turns a PACER court id (the ecf.{id}.uscourts.gov subdomain) into
// the court id used in items (CourtListener's). It lower-cases and keeps
// only letters, digits and hyphens (at most 20), as ids are.
func FromPACER(id string) string {
	id = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, id)
	if len(id) > 20 {
		id = id[:20]
	}
	if cl, ok := pacerToCL[id]; ok {
		return cl
	}
	return id
}

// Known tells whether court is in the table of federal courts.
func Known(court string) bool {
	_, ok := table()[strings.ToLower(court)]
	return ok
}

// Name is the court's citation-style short name ("D. Md.", "S.D.N.Y.",
// "4th Cir."); an unknown court is named by its id.
func Name(court string) string {
	if c, ok := table()[strings.ToLower(court)]; ok && c.Name != "" {
		return c.Name
	}
	return court
}

// ByFullName finds a court by its full name as CourtListener writes it
// ("District Court, D. Maryland"), case-insensitively; "" when unknown.
func ByFullName(full string) string {
	full = strings.TrimSpace(full)
	if full == "" {
		return ""
	}
	for id, c := range table() {
		if strings.EqualFold(c.Full, full) {
			return id
		}
	}
	return ""
}

// Location is the court's time zone, Eastern when unknown.
func Location(court string) *time.Location {
	zone := "America/New_York"
	if c, ok := table()[strings.ToLower(court)]; ok && c.Zone != "" {
		zone = c.Zone
	}
	return load(zone)
}

func load(zone string) *time.Location {
	if l := zones()[zone]; l != nil {
		return l
	}
	// time/tzdata is embedded, so this happens only for a bad name in the
	// table; Eastern is the documented fallback.
	if l := zones()["America/New_York"]; l != nil {
		return l
	}
	return time.UTC
}

// abbrevZones maps the US zone abbreviations PACER writes to the region
// they name (the table juriscraper uses).
var abbrevZones = map[string]string{
	"EST": "America/New_York", "EDT": "America/New_York",
	"CST": "America/Chicago", "CDT": "America/Chicago",
	"MST": "America/Denver", "MDT": "America/Denver",
	"PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
	"AKST": "America/Anchorage", "AKDT": "America/Anchorage",
	"HST": "Pacific/Honolulu", "HDT": "Pacific/Honolulu",
	"CHST": "Pacific/Guam",
	"SST":  "Pacific/Pago_Pago",
	"AST":  "America/Puerto_Rico", "ADT": "America/Puerto_Rico",
}

// AbbrevLocation resolves a US zone abbreviation written by court in a
// timestamp of the given year to the zone its wall clock is in.
//
// The abbreviation names a region, not an offset: CM/ECF writes "EST" all
// year, so "EST" on a July date is Eastern Daylight Time (−04:00). When the
// court's own zone uses the abbreviation (standard or daylight form) in that
// year, the court's zone is the answer — so "MST" from an Arizona court stays
// −07:00 in July, while "MST" from the Tenth Circuit (Denver) is −06:00. Other
// abbreviations map to their region (EST/EDT Eastern, CST/CDT Central, MST/MDT
// Mountain, PST/PDT Pacific, AKST/AKDT Alaska, HST/HDT Hawaii, CHST Guam, SST
// Samoa, AST/ADT Puerto Rico); GMT, UT, UTC and Z are UTC. ok is false for
// any other abbreviation.
func AbbrevLocation(court, abbr string, year int) (loc *time.Location, ok bool) {
	abbr = strings.ToUpper(strings.TrimSpace(abbr))
	switch abbr {
	case "GMT", "UT", "UTC", "Z":
		return time.UTC, true
	}
	region, known := abbrevZones[abbr]
	if !known {
		return nil, false
	}
	if court != "" {
		if c, ok := table()[strings.ToLower(court)]; ok && c.Zone != "" {
			cl := load(c.Zone)
			for _, m := range []time.Month{time.January, time.July} {
				name, _ := time.Date(year, m, 1, 12, 0, 0, 0, cl).Zone()
				if name == abbr || sameRegion(name, abbr) {
					return cl, true
				}
			}
		}
	}
	return load(region), true
}

// sameRegion tells whether two abbreviations are the standard and daylight
// forms of one region ("EST" and "EDT").
func sameRegion(a, b string) bool {
	ra, oka := abbrevZones[a]
	rb, okb := abbrevZones[b]
	return oka && okb && ra == rb
}
