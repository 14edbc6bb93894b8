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
//     (at most MaxCachedDockets dockets). The judges come with the lookup;
//     a followed docket's parties and attorneys come from two more requests,
//     made at later reads, bounded and refreshed weekly (people.go).
//   - An API request is one to the configured origin (scheme, host, port)
//     under its api/ path (IsAPI). Only those carry the token, and only
//     when that origin is https (or this machine), never on a redirect
//     elsewhere.
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
	"net"
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
	// Token is the COURTLISTENER_TOKEN, sent as "Authorization: Token …"
	// to the API's origin only, and only if that is https (or the machine
	// itself): see IsAPI and Header. Empty: no lookups are made.
	Token      string
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	// Limits override the API quotas (default FreeLimits).
	Limits []Limit
	// Keys, when set, keeps webhook Idempotency-Key values across
	// restarts (the store); nil: in memory only.
	Keys Keys
}

// Client reads CourtListener sources and keeps the API budget, the docket
// cache and the webhook queue. It is safe for concurrent use.
type Client struct {
	o      Options
	api    *url.URL // with a trailing slash
	origin string   // the API's origin(api)
	site   string   // scheme://host/
	// sendToken: a token is set and the API is secure; otherwise none is
	// ever sent.
	sendToken bool
	log       *slog.Logger
	now       func() time.Time
	budget    *budget

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
		origin:  origin(api),
		site:    api.Scheme + "://" + api.Host + "/",
		log:     o.Logger,
		now:     o.Now,
		budget:  newBudget(o.Limits),
		dockets: map[int64]docketInfo{},
	}
	c.sendToken = o.Token != "" && secure(api)
	if o.Token != "" && !c.sendToken {
		c.log.Warn("courtlistener token not sent: the API URL is plain http to another machine, where it would travel in cleartext; use https", "api_url", api.String())
	}
	c.hooks.init()
	return c
}

// IsCourtListener tells whether u is on courtlistener.com.
func IsCourtListener(u *url.URL) bool {
	return feeds.DetectType(u) == wirewatch.FeedCourtListener
}

// IsAPI reports whether a request to u is a request to this Client's API:
// the configured origin exactly (scheme, host and port: an http:// URL on the
// API's host is not the https API) and a path under its api/. It is the one
// rule for which requests spend the API budget (Wait, Throttled) and which
// may carry the token (Header).
func (c *Client) IsAPI(u *url.URL) bool {
	return u != nil && origin(u) == c.origin && strings.HasPrefix(u.Path, c.api.Path+"api/")
}

// Header returns the token's header for a request to u (nil when u is not
// the API or no token is to be sent). Give it to the feed fetcher, which asks
// again on every redirect hop, so the token never follows a redirect to
// another origin.
func (c *Client) Header(u *url.URL) http.Header {
	if !c.sendToken || !c.IsAPI(u) {
		return nil
	}
	return http.Header{"Authorization": {"Token " + c.o.Token}}
}

// origin is u's scheme, host and port, lower case, the port made explicit.
func origin(u *url.URL) string {
	scheme, port := strings.ToLower(u.Scheme), u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port)
}

// secure reports whether a token may travel to u: over https, or over plain
// http to the machine itself (a local stand-in), where it cannot be read off
// the network.
func secure(u *url.URL) bool {
	if strings.EqualFold(u.Scheme, "https") {
		return true
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Wait says how long to wait before requesting u. For API URLs it is 0 when
// the budget allows a request now, and then the request is reserved: the
// caller must make it. Feed URLs are not budgeted: always 0.
func (c *Client) Wait(u *url.URL) time.Duration {
	if !c.IsAPI(u) {
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
