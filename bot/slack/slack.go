// Package slack delivers alerts to Slack channels and takes the /watch slash
// command, over HTTP or Socket Mode.
//
// Delivery: the adapter is a wirewatch.Poster. The dispatcher decides what a
// thread is (its top message, what is broadcast, folded, digested or
// edited) and keeps it in the store; the adapter renders and sends:
//   - PostTop posts a thread's top message, with the thread's digest in an
//     attachment under the first alert; Reply posts in the thread
//     (thread_ts) and returns the parent Slack names, so that the dispatcher
//     can tell a reply put at the channel root; EditTop rewrites the digest
//     with chat.update. Every post carries message metadata naming its
//     alert, which Delivered looks for after a crash.
//   - Every piece of feed text is escaped for mrkdwn (&, <, >) and sent in
//     verbatim text objects; link_names and parse=full are never used, so
//     feed text cannot ping anyone or forge a link.
//   - Text is cut on rune boundaries, with an ellipsis, below Slack's block and
//     text limits, so no message fails for its length.
//   - Posts are paced per channel (about one a second, small burst) and edits
//     across the workspace (Tier 3). A 429 returns a wirewatch.RetryAfter
//     error and pauses that channel only (an edit's pauses the edits); 5xx
//     and network errors are retryable; a refused token (invalid_auth,
//     token_revoked…) is wirewatch.Auth and not_in_channel wirewatch.Hold
//     (after trying conversations.join, once per channel); other ok:false
//     codes that retrying cannot fix (channel_not_found, is_archived…) are
//     wirewatch.Permanent, and a gone thread wraps wirewatch.ErrGone.
//   - Tokens never appear in errors or logs.
package slack

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch/bot/replay"
)

// DefaultAPIURL is Slack's Web API base, with the trailing slash slack-go
// expects.
const DefaultAPIURL = "https://slack.com/api/"

// maxResponseBody bounds what we read from any Slack response.
const maxResponseBody = 4 << 20

// Options configure the adapter. Tokens come from the environment.
type Options struct {
	APIURL        string   // slack-go's API URL (trailing slash); empty: DefaultAPIURL
	BotToken      string   // SLACK_BOT_TOKEN
	SigningSecret string   // SLACK_SIGNING_SECRET (HTTP mode)
	AppToken      string   // SLACK_APP_TOKEN (Socket Mode)
	Admins        []string // user ids allowed to add/drop feeds; empty: everyone
	TimeZone      *time.Location
	HTTPClient    *http.Client
	Logger        *slog.Logger
	// PostEvery spaces posts per channel (default DefaultPostEvery);
	// EditEvery spaces chat.update across the workspace (default
	// DefaultEditEvery, Slack's Tier 3). Stand-ins with scaled-down
	// time set them smaller.
	PostEvery time.Duration
	EditEvery time.Duration
	// Replays, if set, keeps the commands already run across restarts
	// (the memory guard alone forgets them).
	Replays replay.Store
}

// Slack's limits (https://docs.slack.dev/apis/web-api/rate-limits).
const (
	DefaultPostEvery = time.Second             // chat.postMessage: about 1 a second per channel
	DefaultEditEvery = 1200 * time.Millisecond // chat.update: Tier 3, about 50 a minute per workspace
	postBurst        = 3
)

// Slack is the Slack adapter: a wirewatch.Poster for slack:<channel>
// destinations and the slash-command front end. It is safe for concurrent
// use.
type Slack struct {
	o      Options
	apiURL string
	api    *slack.Client
	http   *http.Client
	log    *slog.Logger
	tz     *time.Location
	pace   *pacer  // posts, per channel
	edits  *spacer // chat.update, per workspace
	redact *strings.Replacer

	mu         sync.Mutex
	joinTried  map[string]bool   // channels where conversations.join was tried
	logged     map[string]bool   // permanent failures already logged
	admins     map[string]bool   // user ids; empty: everyone may manage feeds
	now        func() time.Time  // signature window clock (tests)
	ackBudget  time.Duration     // how long a command may take before "working on it"
	replyHosts map[string]string // allowed response_url hosts → scheme
	replays    replay.Guard      // commands already run (signatures, envelope ids)

	base   context.Context // cancelled by Close; parents late command replies
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool // under mu
}

// New returns the adapter. It does no I/O.
func New(o Options) *Slack {
	s := &Slack{
		o:          o,
		apiURL:     o.APIURL,
		log:        o.Logger,
		tz:         o.TimeZone,
		pace:       newPacer(cmp.Or(o.PostEvery, DefaultPostEvery), postBurst),
		edits:      newSpacer(cmp.Or(o.EditEvery, DefaultEditEvery)),
		joinTried:  map[string]bool{},
		logged:     map[string]bool{},
		admins:     map[string]bool{},
		now:        time.Now,
		ackBudget:  2500 * time.Millisecond,
		replyHosts: map[string]string{"hooks.slack.com": "https", "slack.com": "https"},
	}
	if s.apiURL == "" {
		s.apiURL = DefaultAPIURL
	}
	if !strings.HasSuffix(s.apiURL, "/") {
		s.apiURL += "/"
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("platform", "slack")
	s.replays.Store = o.Replays
	s.replays.Log = s.log
	if s.tz == nil {
		s.tz = time.UTC
	}
	for _, a := range o.Admins {
		if a = strings.TrimSpace(a); a != "" {
			s.admins[a] = true
		}
	}
	// Replies to commands go to Slack's hosts, or to the API's own host
	// (a proxy, or a test stand-in).
	if h, scheme := hostOf(s.apiURL); h != "" {
		s.replyHosts[h] = scheme
	}
	var pairs []string
	for _, t := range []string{o.BotToken, o.AppToken, o.SigningSecret} {
		if t != "" {
			pairs = append(pairs, t, "<secret>")
		}
	}
	s.redact = strings.NewReplacer(pairs...)

	base := o.HTTPClient
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
	}
	hc := *base
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = limitedTransport{rt}
	s.http = &hc
	s.api = slack.New(o.BotToken,
		slack.OptionAPIURL(s.apiURL),
		slack.OptionHTTPClient(s.http),
		slack.OptionLog(slogOutput{s.log}),
	)
	s.base, s.cancel = context.WithCancel(context.Background())
	return s
}

// Close cancels command replies still in flight and waits for them.
func (s *Slack) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// spawn runs f in a goroutine that Close waits for; false once closed.
func (s *Slack) spawn(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Go(f)
	return true
}

// tokenPattern matches Slack tokens of every kind (xoxb-, xoxp-, xapp-…).
var tokenPattern = regexp.MustCompile(`\bx(?:ox[a-z]|app)-[0-9A-Za-z-]+`)

// scrub removes secrets from a message.
func (s *Slack) scrub(msg string) string {
	return tokenPattern.ReplaceAllString(s.redact.Replace(msg), "<secret>")
}

// limitedTransport caps every response body.
type limitedTransport struct{ rt http.RoundTripper }

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = limitedBody{io.LimitReader(resp.Body, maxResponseBody), resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	c io.Closer
}

func (b limitedBody) Close() error { return b.c.Close() }

// slogOutput adapts slog to the Output method slack-go's loggers call; its
// messages are debug chatter.
type slogOutput struct{ l *slog.Logger }

func (o slogOutput) Output(_ int, msg string) error {
	o.l.Debug(strings.TrimSpace(tokenPattern.ReplaceAllString(msg, "<secret>")), "source", "slack-go")
	return nil
}

// logOnce logs a failure the first time its key is seen.
func (s *Slack) logOnce(level slog.Level, key, msg string, args ...any) {
	s.mu.Lock()
	seen := s.logged[key]
	s.logged[key] = true
	s.mu.Unlock()
	if !seen {
		s.log.Log(context.Background(), level, msg, args...)
	}
}
