package courtlistener

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

// The lists kept are bounded: the first maxPeople names, each once, each cut
// to maxPersonName characters, whatever the page holds.
func TestPeopleBounded(t *testing.T) {
	fake, srv := startFake(t)
	var results []map[string]any
	for i := range 3 * maxPeople {
		results = append(results, map[string]any{"name": fmt.Sprintf("Party %d", i/2), "attorneys": []any{}})
	}
	results[0]["name"] = strings.Repeat("Long ", 100)
	body, _ := json.Marshal(map[string]any{"results": results})
	fake.mu.Lock()
	fake.people["parties?docket=69777799"] = string(body)
	fake.mu.Unlock()
	clk := &clock{t: time.Date(2025, 4, 11, 20, 0, 0, 0, time.UTC)}
	c := New(Options{APIURL: srv.URL, Token: testToken, Now: clk.now, Limits: roomy})
	d, err := c.docket(context.Background(), 69777799, 0, false)
	if err != nil || len(d.Parties) != 0 {
		t.Fatalf("without people: %+v, %v", d, err)
	}
	clk.add(time.Second)
	d, _ = c.docket(context.Background(), 69777799, 0, true)
	if len(d.Parties) != maxPeople || len([]rune(d.Parties[0])) > maxPersonName || d.Parties[1] != "Party 0" || d.Parties[2] != "Party 1" || d.Parties[maxPeople-1] != fmt.Sprintf("Party %d", maxPeople-2) {
		t.Errorf("parties (%d) %q", len(d.Parties), d.Parties)
	}
}

// A list the API refuses is asked for again an hour later, not at every
// read; no request is made while the budget has none free, and none without
// a token.
func TestPeopleRetryAndBudget(t *testing.T) {
	fake, srv := startFake(t)
	fake.mu.Lock()
	delete(fake.people, "attorneys?docket=69777799") // 404
	fake.mu.Unlock()
	clk := &clock{t: time.Date(2025, 4, 11, 20, 0, 0, 0, time.UTC)}
	c := New(Options{APIURL: srv.URL, Token: testToken, Now: clk.now}) // 5 a minute, 12 s apart
	ctx := context.Background()
	if _, err := c.docket(ctx, 69777799, 0, true); err != nil {
		t.Fatal(err)
	}
	if got := fake.asked(); len(got) != 1 {
		t.Fatalf("first read: %q, want the docket lookup only (the budget's next request is 12 s away)", got)
	}
	for range 2 {
		clk.add(12 * time.Second)
		c.docket(ctx, 69777799, 0, true)
	}
	if got := fake.asked(); len(got) != 3 || got[1] != "/api/rest/v4/parties/" || got[2] != "/api/rest/v4/attorneys/" {
		t.Fatalf("after two more reads 12 s apart: %q", got)
	}
	for range 10 {
		clk.add(2 * time.Minute)
		c.docket(ctx, 69777799, 0, true)
	}
	if got := fake.asked(); len(got) != 3 {
		t.Errorf("within the hour after a refusal: %q, want no new request", got)
	}
	clk.add(time.Hour)
	d, _ := c.docket(ctx, 69777799, 0, true)
	if got := fake.asked(); len(got) != 4 || got[3] != "/api/rest/v4/attorneys/" || len(d.Parties) != 3 {
		t.Errorf("an hour later: %q, parties %q; want the attorneys asked again, the parties kept", got, d.Parties)
	}

	none := New(Options{APIURL: srv.URL, Limits: roomy})
	if d := none.people(ctx, docketInfo{ID: 69777799}); len(d.Parties) != 0 || len(fake.asked()) != 4 {
		t.Errorf("without a token: parties %q, requests %q", d.Parties, fake.asked())
	}
}

// The docket feed's items carry what the lookup knows: judges, origin,
// parties and attorneys.
func TestDocketFeedCarriesPeople(t *testing.T) {
	fake, srv := startFake(t)
	fake.mu.Lock()
	fake.dockets["69777799"] = strings.Replace(abregoDocket, `"pacer_case_id"`, `"assigned_to_str": "Paula Xinis", "pacer_case_id"`, 1)
	fake.mu.Unlock()
	clk := &clock{t: time.Date(2025, 4, 11, 20, 0, 0, 0, time.UTC)}
	c := New(Options{APIURL: srv.URL, Token: testToken, Now: clk.now, Limits: roomy})
	body := mustRead(t, "synthetic/docket-feed-atom.synthetic.xml")
	f := wirewatch.Feed{URL: srv.URL + "/docket/69777799/feed/"}
	var items []wirewatch.Item
	for range 3 { // the lookup and the two lists, one request free per read
		var err error
		if items, err = c.Read(context.Background(), body, f); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Second)
	}
	d := items[0].Docket
	if len(d.Judges) != 1 || d.Judges[0] != "Paula Xinis" || len(d.Parties) != 3 || len(d.Attorneys) != 2 {
		t.Errorf("docket %+v", *d)
	}
}
