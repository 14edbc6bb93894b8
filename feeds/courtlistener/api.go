package courtlistener

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/feeds/court"
)

// Errors of docket lookups.
var (
	ErrNoToken = errors.New("no CourtListener token")
	ErrBudget  = errors.New("CourtListener API budget exhausted for now")
)

const maxAPIBody = 4 << 20

// docketInfo is what a docket lookup gives.
type docketInfo struct {
	ID          int64  `json:"id"`
	Court       string `json:"court_id"`
	Number      string `json:"docket_number"`
	CaseName    string `json:"case_name"`
	CaseShort   string `json:"case_name_short"`
	AbsoluteURL string `json:"absolute_url"`
	PacerCaseID string `json:"pacer_case_id"`
	// The court appealed from (an API URL ending in /courts/{id}/) and the
	// originating case's number, where the docket has them.
	AppealFrom   string `json:"appeal_from"`
	AssignedTo   string `json:"assigned_to_str"`
	ReferredTo   string `json:"referred_to_str"`
	OriginalInfo *struct {
		DocketNumber string `json:"docket_number"`
	} `json:"original_court_info"`

	// The docket's parties and attorneys (people.go), and when each list
	// is next asked for (zero: at the next read).
	Parties, Attorneys       []string `json:"-"`
	partiesDue, attorneysDue time.Time
}

var courtInURL = regexp.MustCompile(`/courts/([a-z0-9-]{1,20})/?$`)

// judges are the assigned and referred judges' names, bounded.
func (d docketInfo) judges() []string {
	var out []string
	for _, j := range []string{d.AssignedTo, d.ReferredTo} {
		if j = wirewatch.Ellipsize(text(j), 100); j != "" {
			out = append(out, j)
		}
	}
	return out
}

// origin is "court number" of the case this docket came from, "" unknown.
func (d docketInfo) origin() string {
	m := courtInURL.FindStringSubmatch(d.AppealFrom)
	if m == nil || d.OriginalInfo == nil {
		return ""
	}
	n := court.CoreNumber(d.OriginalInfo.DocketNumber)
	c := court.FromPACER(m[1])
	if n == "" || !court.Known(c) || c == d.Court {
		return ""
	}
	return c + " " + n
}

func (d docketInfo) normalized() docketInfo {
	d.Court = court.FromPACER(d.Court)
	if n := court.CoreNumber(d.Number); n != "" {
		d.Number = n
	} else {
		d.Number = wirewatch.Ellipsize(d.Number, 100)
	}
	if d.CaseName == "" {
		d.CaseName = d.CaseShort
	}
	d.CaseName = wirewatch.Ellipsize(text(d.CaseName), 300)
	if !strings.HasPrefix(d.AbsoluteURL, "/") {
		d.AbsoluteURL = ""
	}
	return d
}

// cached returns what the cache knows of docket id.
func (c *Client) cached(id int64) (docketInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.dockets[id]
	return d, ok
}

// remember caches d, evicting an arbitrary entry when full.
func (c *Client) remember(d docketInfo) {
	if d.ID == 0 || d.Court == "" && d.Number == "" && d.CaseName == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.dockets[d.ID]; !ok && len(c.dockets) >= MaxCachedDockets {
		for k := range c.dockets {
			delete(c.dockets, k)
			break
		}
	}
	c.dockets[d.ID] = d
}

// docket returns the case name, court and number of docket id, from the
// cache or from the API. It waits for the budget at most maxWait. With
// people, a docket found in the cache gets its parties or attorneys when
// they are due (people.go): one request per read of a docket at most.
func (c *Client) docket(ctx context.Context, id int64, maxWait time.Duration, people bool) (docketInfo, error) {
	d, cached, err := c.lookup(ctx, id, maxWait)
	if err == nil && cached && people {
		d = c.people(ctx, d)
	}
	return d, err
}

// lookup is docket without the people; cached says it made no request.
func (c *Client) lookup(ctx context.Context, id int64, maxWait time.Duration) (d docketInfo, cached bool, err error) {
	if d, ok := c.cached(id); ok {
		return d, true, nil
	}
	if !c.sendToken {
		return docketInfo{ID: id}, false, ErrNoToken
	}
	deadline := c.now().Add(maxWait)
	for {
		d := c.budget.reserve(c.now())
		if d == 0 {
			break
		}
		// Once Close has begun, nothing waits for the budget.
		stop := c.hooks.waitCtx.Done()
		select {
		case <-stop:
			return docketInfo{ID: id}, false, fmt.Errorf("look up docket %d: %w (closing)", id, ErrBudget)
		default:
		}
		if c.now().Add(d).After(deadline) {
			return docketInfo{ID: id}, false, fmt.Errorf("look up docket %d: %w (next slot in %s)", id, ErrBudget, d.Round(time.Second))
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return docketInfo{ID: id}, false, fmt.Errorf("look up docket %d: %w", id, ctx.Err())
		case <-stop:
			t.Stop()
			return docketInfo{ID: id}, false, fmt.Errorf("look up docket %d: %w (closing)", id, ErrBudget)
		case <-t.C:
		}
	}
	// One request at a time, so that two lookups of one docket make one
	// request (the second finds the first's answer in the cache).
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	if d, ok := c.cached(id); ok {
		return d, true, nil // another read asked meanwhile
	}
	d, err = c.fetchDocket(ctx, id)
	if err != nil {
		return docketInfo{ID: id}, false, err
	}
	c.remember(d)
	return d, false, nil
}

func (c *Client) fetchDocket(ctx context.Context, id int64) (docketInfo, error) {
	body, err := c.get(ctx, "api/rest/v4/dockets/"+strconv.FormatInt(id, 10)+
		"/?fields=id,court_id,docket_number,case_name,case_name_short,absolute_url,pacer_case_id,appeal_from,original_court_info,assigned_to_str,referred_to_str",
		fmt.Sprintf("look up docket %d", id))
	if err != nil {
		return docketInfo{}, err
	}
	var d docketInfo
	if err := json.Unmarshal(body, &d); err != nil {
		return docketInfo{}, fmt.Errorf("look up docket %d: decode: %w", id, err)
	}
	d.ID = id
	return d.normalized(), nil
}

// get makes one API request, whose budget the caller has reserved, for
// path (under the API's base) and returns the body of a 200 answer. A 429
// stops the budget for its Retry-After. what names the request in errors.
func (c *Client) get(ctx context.Context, path, what string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api.String()+path, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	req.Header.Set("Authorization", "Token "+c.o.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, redact(err, c.o.Token))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", what, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		ra := feeds.RetryAfterHeader(resp.Header, c.now())
		c.budget.throttled(c.now(), ra)
		c.log.Warn("courtlistener api throttled", "request", what, "retry_after", ra)
		return nil, fmt.Errorf("%s: 429 too many requests (retry after %s)", what, ra)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: HTTP %d", what, resp.StatusCode)
	}
	c.budget.succeeded()
	return body, nil
}

// redact removes the token from an error's text.
func redact(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "<secret>"))
}

// apiEntry is a docket entry as the API (docket-entries) and Docket Alert
// webhooks give it.
type apiEntry struct {
	ID                  int64           `json:"id"`
	Docket              json.RawMessage `json:"docket"` // an int in webhooks, a URL in the API
	DateFiled           string          `json:"date_filed"`
	TimeFiled           *string         `json:"time_filed"`
	DateCreated         string          `json:"date_created"`
	EntryNumber         json.RawMessage `json:"entry_number"`
	RecapSequenceNumber string          `json:"recap_sequence_number"`
	Description         string          `json:"description"`
	RecapDocuments      []apiDocument   `json:"recap_documents"`
}

// apiDocument is a RECAP document, in docket entries and in search results.
type apiDocument struct {
	ID               int64           `json:"id"`
	AbsoluteURL      string          `json:"absolute_url"`
	Description      string          `json:"description"`
	ShortDescription string          `json:"short_description"`
	DocumentNumber   json.RawMessage `json:"document_number"`
	AttachmentNumber json.RawMessage `json:"attachment_number"`
	IsAvailable      *bool           `json:"is_available"`
	IsSealed         *bool           `json:"is_sealed"`
	FilepathLocal    *string         `json:"filepath_local"`
	// Search results only.
	EntryNumber    json.RawMessage `json:"entry_number"`
	EntryDateFiled string          `json:"entry_date_filed"`
	DocketEntryID  int64           `json:"docket_entry_id"`
	Snippet        string          `json:"snippet"`
}

// pdf is the free RECAP copy's URL, "" when CourtListener has none.
func (d apiDocument) pdf() string {
	if d.FilepathLocal == nil || *d.FilepathLocal == "" || (d.IsAvailable != nil && !*d.IsAvailable) {
		return ""
	}
	p := strings.TrimPrefix(*d.FilepathLocal, "/")
	if strings.Contains(p, "..") || strings.ContainsAny(p, "?#\\ ") {
		return ""
	}
	return storageURL + p
}

func (d apiDocument) main() bool {
	return len(numString(d.AttachmentNumber)) == 0
}

// numString reads a JSON number, string or null as a string.
func numString(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	if s[0] == '"' {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return ""
		}
		s = strings.TrimSpace(v)
	}
	if !digitsOnly(s) {
		return ""
	}
	if t := strings.TrimLeft(s, "0"); t != "" {
		return t
	}
	return "0"
}

func digitsOnly(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var docketIDInURL = regexp.MustCompile(`/dockets?/(\d{1,18})(?:/|$|\?)`)

// docketID reads the docket field: an int or an API URL.
func docketID(raw json.RawMessage) int64 {
	if s := numString(raw); s != "" {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	var u string
	if json.Unmarshal(raw, &u) == nil {
		if m := docketIDInURL.FindStringSubmatch(u); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			return n
		}
	}
	return 0
}

// entryItem makes the item of one docket entry of docket info.
func (c *Client) entryItem(info docketInfo, e apiEntry) wirewatch.Item {
	var doc apiDocument
	for _, d := range e.RecapDocuments {
		if d.main() {
			doc = d
			break
		}
	}
	if doc.ID == 0 && len(e.RecapDocuments) > 0 {
		doc = e.RecapDocuments[0]
	}
	long := wirewatch.Ellipsize(text(e.Description), maxSummary)
	short := wirewatch.Ellipsize(text(doc.Description), 200)
	if short == "" {
		short = shortFrom(long)
	}
	entryNo := numString(e.EntryNumber)
	d := &wirewatch.Docket{
		Court:            info.Court,
		Number:           info.Number,
		CaseName:         info.CaseName,
		EntryNumber:      entryNo,
		ShortDescription: short,
		PacerCaseID:      info.PacerCaseID,
	}
	info.fill(d)
	d.Procedural = court.Procedural(short) || court.Procedural(long)
	docketPage := c.docketPage(info)
	d.DocumentURL = doc.pdf()
	if d.DocumentURL == "" && strings.HasPrefix(doc.AbsoluteURL, "/") {
		d.DocumentURL = c.site + strings.TrimPrefix(doc.AbsoluteURL, "/")
	}
	sealed := doc.IsSealed != nil && *doc.IsSealed || court.Sealed(short)
	court.SetDocument(d, sealed, len(e.RecapDocuments) > 0)
	link := doc.pdf()
	if link == "" || d.Document == wirewatch.DocSealed {
		link = docketPage
		if entryNo != "" {
			link += "#entry-" + entryNo
		}
	}
	summary := long
	if summary == "" {
		summary = short
	}
	id := "courtlistener entry " + strconv.FormatInt(e.ID, 10)
	if e.ID == 0 {
		id = "courtlistener docket " + strconv.FormatInt(info.ID, 10) + " " + entryNo + " " + e.RecapSequenceNumber
	}
	return wirewatch.Item{
		ID:        id,
		Title:     court.Title(*d),
		Link:      link,
		Published: filed(e.DateFiled, e.TimeFiled, e.DateCreated, info.Court),
		Summary:   summary,
		Docket:    d,
	}
}

// docketPage is the docket's page on CourtListener.
func (c *Client) docketPage(info docketInfo) string {
	if info.AbsoluteURL != "" {
		return c.site + strings.TrimPrefix(info.AbsoluteURL, "/")
	}
	return c.site + "docket/" + strconv.FormatInt(info.ID, 10) + "/"
}

// filed is the entry's time: date_filed (plus time_filed) in the court's
// zone, else date_created.
func filed(date string, tod *string, created, courtID string) time.Time {
	loc := court.Location(courtID)
	if t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(date), loc); err == nil {
		if tod != nil {
			if c, err := time.Parse("15:04:05", strings.TrimSpace(*tod)); err == nil {
				t = time.Date(t.Year(), t.Month(), t.Day(), c.Hour(), c.Minute(), c.Second(), 0, loc)
			}
		}
		return t
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(created)); err == nil {
		return t
	}
	return time.Time{}
}

// entryList is a docket-entries response.
type entryList struct {
	Results []apiEntry `json:"results"`
}

// readEntries reads an API v4 docket-entries response.
func (c *Client) readEntries(ctx context.Context, body []byte, docketHint int64) ([]wirewatch.Item, error) {
	var l entryList
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, fmt.Errorf("docket entries: %w", err)
	}
	return c.entriesItems(ctx, l.Results, docketHint, readLookupWait), nil
}

// entriesItems turns docket entries into items, looking up each docket once
// (waiting for the budget at most maxWait).
func (c *Client) entriesItems(ctx context.Context, entries []apiEntry, docketHint int64, maxWait time.Duration) []wirewatch.Item {
	if len(entries) > maxEntries {
		entries = entries[:maxEntries]
	}
	sort.SliceStable(entries, func(i, j int) bool {
		return entries[i].RecapSequenceNumber < entries[j].RecapSequenceNumber
	})
	infos := map[int64]docketInfo{}
	items := make([]wirewatch.Item, 0, len(entries))
	for _, e := range entries {
		id := docketID(e.Docket)
		if id == 0 {
			id = docketHint
		}
		info, ok := infos[id]
		if !ok {
			var err error
			info, err = c.docket(ctx, id, maxWait, true)
			if err != nil && !errors.Is(err, ErrNoToken) {
				c.log.Warn("courtlistener docket lookup", "docket", id, "err", err)
			}
			info.ID = id
			infos[id] = info
		}
		items = append(items, c.entryItem(info, e))
	}
	return items
}
