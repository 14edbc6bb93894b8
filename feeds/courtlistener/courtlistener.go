// Package courtlistener reads CourtListener (courtlistener.com) sources into
// docket items: the per-docket Atom feed (/docket/{id}/feed/), the RECAP
// search Atom feed (/feed/search/?type=r&q=…), REST API v4 docket-entries
// responses, and Docket Alert and RECAP Search Alert webhooks.
//
// Rules:
//
//   - Court ids are CourtListener's, which the PACER reader uses too, and
//     docket numbers are reduced to their core form (court.CoreNumber), so the
//     same entry from PACER RSS and from CourtListener is one item.
//   - The docket Atom feed's times are midnight US/Pacific of the filing date
//     (CourtListener keeps no time of day there); they are kept as given. API
//     and webhook entries are dated at date_filed (plus time_filed when
//     present) in the court's zone.
//   - Case names, courts and numbers that a source lacks (webhook docket
//     alerts, search feeds) are looked up once per docket with
//     GET /api/rest/v4/dockets/{id}/ when a token is set, and cached in memory
//     (at most MaxCachedDockets dockets).
//   - Every API request, the caller's and our own, goes through one budget:
//     the free quotas (5 a minute, 50 an hour, 125 a day), at least
//     60s/5 = 12 s apart so requests are spread, never a burst; a 429 stops
//     all requests for its Retry-After (else 1 min, doubling per 429 up to
//     1 h). Feed (Atom) URLs are not budgeted.
//   - Links go to the free RECAP copy of the document when CourtListener has
//     it (storage.courtlistener.com), else to the document or docket page.
package courtlistener

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
)

// DefaultAPIURL is CourtListener's base URL.
const DefaultAPIURL = "https://www.courtlistener.com/"

// storageURL serves RECAP PDFs free of charge.
const storageURL = "https://storage.courtlistener.com/"

// MaxCachedDockets bounds the in-memory cache of docket lookups.
const MaxCachedDockets = 10000

// Options configure a Client.
type Options struct {
	// APIURL is the base of the site and its API, e.g.
	// https://www.courtlistener.com/ (the default).
	APIURL string
	// Token is the COURTLISTENER_TOKEN, sent as "Authorization: Token …".
	// Empty: no lookups are made.
	Token      string
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	// Limits override the API quotas (default FreeLimits).
	Limits []Limit
}

// Client reads CourtListener sources and keeps the API budget, the docket
// cache and the webhook queue. It is safe for concurrent use.
type Client struct {
	o      Options
	api    *url.URL // with a trailing slash
	site   string   // scheme://host/
	log    *slog.Logger
	now    func() time.Time
	budget *budget

	mu      sync.Mutex
	dockets map[int64]docketInfo
	fetchMu sync.Mutex // one lookup request at a time

	hooks hookQueue
}

// New makes a Client.
func New(o Options) *Client {
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	api, err := url.Parse(o.APIURL)
	if err != nil || api.Host == "" {
		api, _ = url.Parse(DefaultAPIURL)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Limits == nil {
		o.Limits = FreeLimits
	}
	c := &Client{
		o:       o,
		api:     api,
		site:    api.Scheme + "://" + api.Host + "/",
		log:     o.Logger,
		now:     o.Now,
		budget:  newBudget(o.Limits),
		dockets: map[int64]docketInfo{},
	}
	c.hooks.init()
	return c
}

// IsCourtListener tells whether u is on courtlistener.com.
func IsCourtListener(u *url.URL) bool {
	return feeds.DetectType(u) == wirewatch.FeedCourtListener
}

// isAPI tells whether u is a REST API URL of this Client's CourtListener.
func (c *Client) isAPI(u *url.URL) bool {
	if u == nil || !strings.Contains(u.Path, "/api/rest/") {
		return false
	}
	return IsCourtListener(u) || strings.EqualFold(u.Host, c.api.Host)
}

// Wait says how long to wait before requesting u. For API URLs it is 0 when
// the budget allows a request now, and then the request is reserved: the
// caller must make it. Feed URLs are not budgeted: always 0.
func (c *Client) Wait(u *url.URL) time.Duration {
	if !c.isAPI(u) {
		return 0
	}
	return c.budget.reserve(c.now())
}

// Throttled tells the budget that an API request (the caller's) was answered
// 429 with the given Retry-After (zero: none given), so that no request is
// made before it has passed.
func (c *Client) Throttled(retryAfter time.Duration) {
	c.budget.throttled(c.now(), retryAfter)
}
