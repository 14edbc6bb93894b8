package config

import (
	"strings"
	"testing"
)

func TestWatchSearch(t *testing.T) {
	c, err := Parse([]byte("watches:\n  - query: '\"Abrego Garcia\" OR Xinis'\n    to: stdout\n    search: [google_news, courtlistener]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ws := c.DomainWatches(); len(ws[0].Search) != 2 {
		t.Errorf("search not carried to the watch: %+v", ws[0])
	}
	for _, c := range []struct{ doc, want string }{
		{"watches:\n  - query: 'Mazzara~'\n    to: stdout\n    search: [google_news]\n", `watches[0] (line 2).search: Google News can't search for the spelling variants of Mazzara`},
		{"watches:\n  - query: 'negotiat*'\n    to: stdout\n    search: [google_news]\n", `can't search for words starting with negotiat*`},
		{"watches:\n  - query: Xinis\n    to: stdout\n    search: [bing]\n", `watches[0] (line 2).search[0]: "bing": want google_news or courtlistener`},
		{"watches:\n" + strings.Repeat("  - query: Xinis\n    to: stdout\n    search: [courtlistener]\n", 5), `watches[4] (line 14).search: a CourtListener search costs 24 API requests a day`},
	} {
		_, err := Parse([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.doc, err, c.want)
		}
	}
}
