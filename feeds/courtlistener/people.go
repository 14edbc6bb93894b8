package courtlistener

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

// A docket's people are its parties and their attorneys, from the API's
// parties and attorneys endpoints (GET /api/rest/v4/parties/?docket=ID,
// /api/rest/v4/attorneys/?docket=ID), for party: and attorney: watches.
// Each list costs a request of the budget, so:
//
//   - they are asked for per docket, never per entry, kept with the docket
//     lookup in the cache, and asked for again a week later (peopleRefresh),
//     or an hour after a failure;
//   - a list is asked for only at a read of a docket already looked up,
//     one list per read, and only when the budget has a request free at
//     that moment: people never make a read or a webhook wait, nor a read
//     cost more than one request, so a newly followed docket's first
//     entries (which seed silently) come without them and later ones carry
//     them;
//   - only the names are asked for (fields=name): the parties endpoint
//     nests every attorney a party ever had, in any case (the United States
//     has thousands), and an attorney every party they ever represented;
//   - the first page is read and at most maxPeople names of each list kept,
//     each cut to maxPersonName characters.
//
// Search feeds and search alerts ask for none: their results are many
// dockets, each worth its lookup but not two more requests.
const (
	maxPeople     = 20
	maxPersonName = 200
	peopleRefresh = 7 * 24 * time.Hour
	peopleRetry   = time.Hour
)

// fill copies what the docket lookup knows beyond the caption into d: the
// origin, the judges, the parties and the attorneys.
func (i docketInfo) fill(d *wirewatch.Docket) {
	d.Origin = i.origin()
	d.Judges = i.judges()
	d.Parties = i.Parties
	d.Attorneys = i.Attorneys
}

// people asks for the parties or the attorneys of docket d, the first list
// that is due, when the budget has a request free now, and returns d with
// what it knows of them.
func (c *Client) people(ctx context.Context, d docketInfo) docketInfo {
	if d.ID == 0 || !c.sendToken {
		return d
	}
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	if cur, ok := c.cached(d.ID); ok {
		d = cur // another read may have asked already
	}
	now := c.now()
	changed := false
	for _, l := range [...]struct {
		what  string
		due   *time.Time
		names *[]string
	}{{"parties", &d.partiesDue, &d.Parties}, {"attorneys", &d.attorneysDue, &d.Attorneys}} {
		if now.Before(*l.due) || c.budget.reserve(now) != 0 {
			continue
		}
		changed = true
		names, err := c.names(ctx, l.what, d.ID)
		if err != nil {
			c.log.Warn("courtlistener docket people", "docket", d.ID, "err", err)
			*l.due = now.Add(peopleRetry)
			break
		}
		*l.names, *l.due = names, now.Add(peopleRefresh)
		break // one request per read
	}
	if changed {
		c.remember(d)
	}
	return d
}

// names asks for the first page of the parties or attorneys (what) of
// docket id and returns their names, at most maxPeople, each once.
func (c *Client) names(ctx context.Context, what string, id int64) ([]string, error) {
	sid := strconv.FormatInt(id, 10)
	body, err := c.get(ctx, "api/rest/v4/"+what+"/?docket="+sid+"&fields=name", "look up the "+what+" of docket "+sid)
	if err != nil {
		return nil, err
	}
	var page struct {
		Results []struct {
			Name string `json:"name"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("look up the %s of docket %d: decode: %w", what, id, err)
	}
	var out []string
	seen := map[string]bool{}
	for _, r := range page.Results {
		n := wirewatch.Ellipsize(text(r.Name), maxPersonName)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if out = append(out, n); len(out) == maxPeople {
			break
		}
	}
	return out, nil
}
