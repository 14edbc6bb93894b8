// Package config reads wirewatch's YAML configuration file.
//
// Decoding is strict: an unknown key, a value of the wrong type, a bad
// duration, destination, URL or query is an error that names the key and its
// line. Secrets never come from the file; they come from the environment (see
// Secrets) and print as "<secret>".
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/search"
	"github.com/wirewatch/wirewatch/match"
)

// MaxFileSize bounds the config file; a larger one is refused unread.
const MaxFileSize = 4 << 20

// Config is the whole configuration file.
type Config struct {
	Store             string        `yaml:"store"`
	Timezone          string        `yaml:"timezone"`
	Poll              Poll          `yaml:"poll"`
	AllowPrivateFeeds bool          `yaml:"allow_private_feeds"`
	Retention         Duration      `yaml:"retention"`
	Log               Log           `yaml:"log"`
	Feeds             []Feed        `yaml:"feeds"`
	Watches           []Watch       `yaml:"watches"`
	Links             []string      `yaml:"links"` // dockets followed as one matter: "court:number court:number" each
	Slack             Slack         `yaml:"slack"`
	Discord           Discord       `yaml:"discord"`
	CourtListener     CourtListener `yaml:"courtlistener"`
	GoogleNews        GoogleNews    `yaml:"google_news"`
	HTTP              HTTP          `yaml:"http"`
	// Channels: per-destination delivery settings, keyed by destination.
	Channels map[string]Channel `yaml:"channels"`

	// Location is Timezone loaded; Path is the file read (empty for Default).
	Location *time.Location `yaml:"-"`
	Path     string         `yaml:"-"`
}

// Channel is one destination's delivery settings.
type Channel struct {
	// Digest: off | hourly | daily HH:MM (in timezone): the channel's
	// alerts are held and posted together, as one message, on schedule.
	Digest string `yaml:"digest"`
	// Quiet: HH:MM-HH:MM (in timezone) or off: during these hours posts at
	// the channel's root are held and posted as one digest when they end.
	Quiet string `yaml:"quiet"`
}

// Quiet returns the channels' quiet hours (valid after Parse).
func (c *Config) Quiet() map[wirewatch.Destination]wirewatch.Quiet {
	out := map[wirewatch.Destination]wirewatch.Quiet{}
	for k, ch := range c.Channels {
		if q, ok, err := wirewatch.ParseQuiet(ch.Quiet); err == nil && ok {
			out[wirewatch.Destination(k)] = q
		}
	}
	return out
}

// Digests returns the channels' digest schedules (valid after Parse).
func (c *Config) Digests() map[wirewatch.Destination]wirewatch.Digest {
	out := map[wirewatch.Destination]wirewatch.Digest{}
	for k, ch := range c.Channels {
		if d, ok, err := wirewatch.ParseDigest(ch.Digest); err == nil && ok {
			out[wirewatch.Destination(k)] = d
		}
	}
	return out
}

// Poll holds the polling defaults.
type Poll struct {
	Interval Duration `yaml:"interval"`
	Timeout  Duration `yaml:"timeout"`  // one fetch, body included
	Workers  int      `yaml:"workers"`  // concurrent fetches in all
	PerHost  int      `yaml:"per_host"` // concurrent fetches to one host
}

// Log sets the log output on stderr.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// Feed is one feed of the file.
type Feed struct {
	URL      string   `yaml:"url"`
	Name     string   `yaml:"name"`
	Type     string   `yaml:"type"`
	Interval Duration `yaml:"interval"`
	Backfill int      `yaml:"backfill"`
	Court    string   `yaml:"court"`
	Fulltext string   `yaml:"fulltext"` // auto | always | never; unset: auto for news feeds, never for docket feeds
	Line     int      `yaml:"-"`
}

// Watch is one watch of the file.
type Watch struct {
	Name       string   `yaml:"name"`
	Query      string   `yaml:"query"`
	Aliases    []string `yaml:"aliases"` // confirmed alternative spellings, OR-ed with the query
	To         []string `yaml:"to"`
	Procedural bool     `yaml:"procedural"`
	Broadcast  string   `yaml:"broadcast"` // auto | always | never: show thread replies in the channel too
	Search     []string `yaml:"search"`    // google_news | courtlistener: also run the query as a search there
	Line       int      `yaml:"-"`
}

// Slack configures the Slack adapter; the tokens come from the environment.
type Slack struct {
	APIURL string   `yaml:"api_url"`
	Admins []string `yaml:"admins"`
	// PostInterval spaces posts per channel and EditInterval chat.update
	// across the workspace; unset: Slack's limits (1s and 1.2s).
	PostInterval Duration `yaml:"post_interval"`
	EditInterval Duration `yaml:"edit_interval"`
}

// Discord configures the Discord adapter; the token comes from the environment.
type Discord struct {
	APIURL        string `yaml:"api_url"`
	ApplicationID string `yaml:"application_id"`
	GuildID       string `yaml:"guild_id"`
	Gateway       *bool  `yaml:"gateway"`
	// ColdStart is how long after a start no message is posted, so that a
	// restart does not meet a channel's rate limit the run before spent.
	// 0: 5 s.
	ColdStart Duration `yaml:"cold_start"`
}

// CourtListener configures the CourtListener client.
type CourtListener struct {
	APIURL string `yaml:"api_url"`
}

// GoogleNews configures the Google News search of watches (watches[].search).
type GoogleNews struct {
	// URL is Google News' base URL; searches are its rss/search.
	URL string `yaml:"url"`
}

// HTTP configures the HTTP server.
type HTTP struct {
	Listen string `yaml:"listen"`
}

// Duration is a time.Duration written as Go writes it ("90s", "5m", "1h30m").
type Duration time.Duration

// UnmarshalYAML parses a Go duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || n.Kind != yaml.ScalarNode {
		return &lineError{line: n.Line, msg: fmt.Sprintf("%q is not a duration (write it like 90s, 5m or 1h)", n.Value)}
	}
	*d = Duration(v)
	return nil
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// UnmarshalYAML records the line of the feed.
func (f *Feed) UnmarshalYAML(n *yaml.Node) error {
	type plain Feed
	if err := knownKeys(n, plain{}); err != nil {
		return err
	}
	if err := n.Decode((*plain)(f)); err != nil {
		return err
	}
	f.Line = n.Line
	return nil
}

// UnmarshalYAML records the line of the watch and accepts a single
// destination written as a string.
func (w *Watch) UnmarshalYAML(n *yaml.Node) error {
	type plain Watch
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "to" && n.Content[i+1].Kind == yaml.ScalarNode {
				v := n.Content[i+1]
				n.Content[i+1] = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: v.Line, Column: v.Column, Content: []*yaml.Node{v}}
			}
		}
	}
	if err := knownKeys(n, plain{}); err != nil {
		return err
	}
	if err := n.Decode((*plain)(w)); err != nil {
		return err
	}
	w.Line = n.Line
	return nil
}

// knownKeys refuses keys of mapping n that v's struct does not name:
// Node.Decode, used by the custom unmarshalers, does not inherit the
// decoder's strictness.
func knownKeys(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			known[name] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !known[k.Value] {
			return &lineError{line: k.Line, msg: fmt.Sprintf("unknown key %s", k.Value)}
		}
	}
	return nil
}

type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// Defaults.
const (
	DefaultInterval      = 5 * time.Minute
	DefaultRetention     = 90 * 24 * time.Hour
	DefaultTimeout       = 30 * time.Second
	DefaultWorkers       = 16
	DefaultPerHost       = 2
	DefaultSlackAPI      = "https://slack.com/api/"
	DefaultDiscordAPI    = "https://discord.com/"
	DefaultCourtListener = "https://www.courtlistener.com/"
)

// Default returns the configuration used for keys the file leaves out.
func Default() *Config {
	return &Config{
		Store:         "wirewatch.db",
		Timezone:      "UTC",
		Poll:          Poll{Interval: Duration(DefaultInterval), Timeout: Duration(DefaultTimeout), Workers: DefaultWorkers, PerHost: DefaultPerHost},
		Retention:     Duration(DefaultRetention),
		Log:           Log{Level: "info", Format: "text"},
		Slack:         Slack{APIURL: DefaultSlackAPI},
		Discord:       Discord{APIURL: DefaultDiscordAPI},
		CourtListener: CourtListener{APIURL: DefaultCourtListener},
		GoogleNews:    GoogleNews{URL: search.DefaultGoogleNewsURL},
		Location:      time.UTC,
	}
}

// Load reads, decodes and validates the file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("config %s: larger than %d bytes", path, MaxFileSize)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	if !filepath.IsAbs(c.Store) {
		c.Store = filepath.Join(filepath.Dir(path), c.Store)
	}
	return c, nil
}

var unknownField = regexp.MustCompile(`field (\S+) not found in type`)

// Parse decodes and validates a configuration document.
func Parse(data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if errs := checkKeys(&doc); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// Say "unknown key" the way a user thinks of it.
			for i, e := range te.Errors {
				te.Errors[i] = unknownField.ReplaceAllString(e, "unknown key $1 in")
			}
			return nil, fmt.Errorf("%s", strings.Join(te.Errors, "; "))
		}
		return nil, err
	}
	// A second document is a mistake, not something to ignore.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.New("more than one YAML document")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the rules that span keys and fills in derived fields.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	if c.Store == "" {
		bad("store: must name a file")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" || strings.EqualFold(c.Timezone, "Local") {
		bad("timezone: %q is not an IANA zone such as UTC or America/New_York", c.Timezone)
	} else {
		c.Location = loc
	}
	if c.Poll.Interval.D() < time.Second {
		bad("poll.interval: %s is below the minimum of 1s", c.Poll.Interval.D())
	}
	if t := c.Poll.Timeout.D(); t < 100*time.Millisecond || t > 10*time.Minute {
		bad("poll.timeout: %s is not between 100ms and 10m", t)
	}
	if c.Poll.Workers < 1 || c.Poll.Workers > 256 {
		bad("poll.workers: %d is not between 1 and 256", c.Poll.Workers)
	}
	if c.Poll.PerHost < 1 || c.Poll.PerHost > 64 {
		bad("poll.per_host: %d is not between 1 and 64", c.Poll.PerHost)
	}
	if c.Retention.D() < time.Hour {
		bad("retention: %s is below the minimum of 1h", c.Retention.D())
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level: %q: want debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format: %q: want text or json", c.Log.Format)
	}
	if len(c.Links) > maxLinks {
		bad("links: %d links, more than the %d allowed", len(c.Links), maxLinks)
	}
	for i, l := range c.Links {
		if _, _, err := ParseLink(l); err != nil {
			bad("links[%d]: %v", i, err)
		}
	}
	seen := map[string]int{}
	for i, f := range c.Feeds {
		key := fmt.Sprintf("feeds[%d]", i)
		if f.Line > 0 {
			key += fmt.Sprintf(" (line %d)", f.Line)
		}
		if err := CheckFeedURL(f.URL); err != nil {
			bad("%s.url: %v", key, err)
		} else if j, dup := seen[f.URL]; dup {
			bad("%s.url: %s is already feeds[%d]", key, f.URL, j)
		}
		seen[f.URL] = i
		switch f.Type {
		case "", wirewatch.FeedAuto, wirewatch.FeedRSS, wirewatch.FeedPACER, wirewatch.FeedCourtListener:
		default:
			bad("%s.type: %q: want auto, rss, pacer or courtlistener", key, f.Type)
		}
		if f.Interval != 0 && f.Interval.D() < time.Second {
			bad("%s.interval: %s is below the minimum of 1s", key, f.Interval.D())
		}
		if f.Backfill < 0 || f.Backfill > 1000 {
			bad("%s.backfill: %d is not between 0 and 1000", key, f.Backfill)
		}
		switch f.Fulltext {
		case "", wirewatch.FulltextAuto, wirewatch.FulltextAlways, wirewatch.FulltextNever:
		default:
			bad("%s.fulltext: %q: want auto, always or never", key, f.Fulltext)
		}
		if f.Fulltext != "" && f.Fulltext != wirewatch.FulltextNever && (f.Type == wirewatch.FeedPACER || f.Type == wirewatch.FeedCourtListener) {
			bad("%s.fulltext: %s feeds are docket feeds, whose links are never read (PACER documents cost money and need a login): leave fulltext out", key, f.Type)
		}
	}
	clSearches := 0 // watches that search CourtListener
	for i, w := range c.Watches {
		key := fmt.Sprintf("watches[%d]", i)
		if w.Line > 0 {
			key += fmt.Sprintf(" (line %d)", w.Line)
		}
		q, err := match.Parse(w.Query)
		if err != nil {
			bad("%s.query: %v", key, err)
		}
		aliasesOK := true
		for j, a := range w.Aliases {
			if err := match.CheckAlias(a); err != nil {
				bad("%s.aliases[%d]: %v", key, j, err)
				aliasesOK = false
			}
		}
		if q != nil && aliasesOK {
			if _, err := q.WithAliases(w.Aliases...); err != nil {
				bad("%s.aliases: %v", key, err) // too many, or too many terms with the query
			}
		}
		if err := wirewatch.CheckBroadcast(w.Broadcast); err != nil {
			bad("%s.%v", key, err)
		}
		for j, e := range w.Search {
			if !search.Known(e) {
				bad("%s.search[%d]: %q: want %s", key, j, e, strings.Join(search.Engines, " or "))
			}
		}
		if q != nil && aliasesOK && len(w.Search) > 0 {
			if err := search.Check(wirewatch.Watch{Query: w.Query, Aliases: w.Aliases, Search: w.Search}); err != nil {
				bad("%s.search: %v", key, err)
			}
			if slices.Contains(w.Search, wirewatch.SearchCourtListener) {
				clSearches++
				if err := search.CheckBudget(clSearches); err != nil {
					bad("%s.search: %v", key, err)
				}
			}
		}
		if len(w.To) == 0 {
			bad("%s.to: name at least one destination (stdout, slack:<channel id>, discord:<channel id>)", key)
		}
		for _, d := range w.To {
			if _, err := wirewatch.ParseDestination(d); err != nil {
				bad("%s.to: %v", key, err)
			}
		}
	}
	for k, ch := range c.Channels {
		key := fmt.Sprintf("channels[%q]", k)
		d, err := wirewatch.ParseDestination(k)
		if err != nil {
			bad("%s: %v", key, err)
		} else if d == wirewatch.Stdout && ch.Digest != "" && !strings.EqualFold(strings.TrimSpace(ch.Digest), "off") {
			bad("%s.digest: stdout prints every alert as it comes; digests are for chat channels", key)
		}
		_, quiet, err := wirewatch.ParseQuiet(ch.Quiet)
		if err != nil {
			bad("%s.%v", key, err)
		} else if quiet && d == wirewatch.Stdout {
			bad("%s.quiet: stdout prints every alert as it comes; quiet hours are for chat channels", key)
		}
		if _, _, err := wirewatch.ParseDigest(ch.Digest); err != nil {
			bad("%s.%v", key, err)
		}
	}
	for _, u := range []struct{ key, v string }{
		{"slack.api_url", c.Slack.APIURL},
		{"discord.api_url", c.Discord.APIURL},
		{"courtlistener.api_url", c.CourtListener.APIURL},
		{"google_news.url", c.GoogleNews.URL},
	} {
		if err := checkAPIURL(u.v); err != nil {
			bad("%s: %v", u.key, err)
		}
	}
	if c.Slack.APIURL != "" && !strings.HasSuffix(c.Slack.APIURL, "/") {
		bad("slack.api_url: %q must end with a slash", c.Slack.APIURL)
	}
	if id := c.Discord.ApplicationID; id != "" && strings.Trim(id, "0123456789") != "" {
		bad("discord.application_id: %q is not a number", id)
	}
	if id := c.Discord.GuildID; id != "" && strings.Trim(id, "0123456789") != "" {
		bad("discord.guild_id: %q is not a number", id)
	}
	if d := c.Discord.ColdStart.D(); d < 0 || d > time.Minute {
		bad("discord.cold_start: %s is outside 0s–1m", d)
	}
	return errors.Join(errs...)
}

// CheckFeedURL checks the form of a feed URL (not where it points).
func CheckFeedURL(raw string) error {
	if raw == "" {
		return errors.New("missing")
	}
	if len(raw) > 2048 {
		return errors.New("longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: only http and https feeds", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q carries a user name or password; secrets don't belong in the config file", raw)
	}
	return nil
}

func checkAPIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

// GatewayOn reports whether the Discord gateway is to be opened (default yes).
func (d Discord) GatewayOn() bool { return d.Gateway == nil || *d.Gateway }

// FeedID is the id of the n-th feed of the file.
func FeedID(n int) string { return fmt.Sprintf("%s%d", wirewatch.ConfigPrefix, n+1) }

// WatchID is the id of the n-th watch of the file.
func WatchID(n int) string { return fmt.Sprintf("%s%d", wirewatch.ConfigPrefix, n+1) }

// DomainFeeds returns the file's feeds as domain feeds.
func (c *Config) DomainFeeds() []wirewatch.Feed {
	out := make([]wirewatch.Feed, len(c.Feeds))
	for i, f := range c.Feeds {
		typ := f.Type
		if typ == "" {
			typ = wirewatch.FeedAuto
		}
		out[i] = wirewatch.Feed{ID: FeedID(i), URL: f.URL, Name: f.Name, Type: typ,
			Interval: f.Interval.D(), Backfill: f.Backfill, Court: f.Court, Fulltext: f.Fulltext}
	}
	return out
}

// DomainWatches returns the file's watches as domain watches.
func (c *Config) DomainWatches() []wirewatch.Watch {
	out := make([]wirewatch.Watch, len(c.Watches))
	for i, w := range c.Watches {
		to := make([]wirewatch.Destination, len(w.To))
		for j, d := range w.To {
			to[j] = wirewatch.Destination(d)
		}
		out[i] = wirewatch.Watch{ID: WatchID(i), Name: w.Name, Query: w.Query, Aliases: w.Aliases, To: to, Procedural: w.Procedural, Broadcast: w.Broadcast, Search: w.Search, AddedBy: "config"}
	}
	return out
}

// SearchOptions are the search engines' base URLs (watches[].search).
func (c *Config) SearchOptions() search.Options {
	return search.Options{GoogleNewsURL: c.GoogleNews.URL, CourtListenerURL: c.CourtListener.APIURL}
}
