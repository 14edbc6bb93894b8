package courtlistener

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	wirewatch "github.com/wirewatch/wirewatch"
)

// FuzzRead feeds arbitrary bodies to Read (no token: no requests) and checks
// that items stay well formed.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"synthetic/docket-feed-atom.synthetic.xml", "synthetic/search-feed-recap-atom.synthetic.xml", "synthetic/webhook-docket-alert-abrego.synthetic.json"} {
		f.Add(string(mustRead(f, name)), "https://www.courtlistener.com/docket/69777799/feed/")
	}
	f.Add(`{"results":[{"id":1,"docket":"https://www.courtlistener.com/api/rest/v4/dockets/9/","entry_number":"007","recap_documents":[{"filepath_local":"../../etc/passwd","is_available":true}]}]}`, "https://www.courtlistener.com/api/rest/v4/docket-entries/?docket=9")
	c := New(Options{})
	f.Fuzz(func(t *testing.T, body, u string) {
		items, err := c.Read(context.Background(), []byte(body), wirewatch.Feed{URL: u})
		if err != nil {
			return
		}
		for _, it := range items {
			for _, s := range []string{it.Title, it.Summary, it.Link, it.Docket.CaseName, it.Docket.ShortDescription} {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8: %q", s)
				}
			}
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Fatalf("link %q is not http(s)", it.Link)
			}
			if strings.Contains(it.Link, "..") {
				t.Fatalf("link %q climbs paths", it.Link)
			}
			if n := it.Docket.EntryNumber; n != "" && strings.Trim(n, "0123456789") != "" {
				t.Fatalf("entry number %q", n)
			}
		}
	})
}
