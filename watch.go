package wirewatch

import (
	"fmt"
	"strings"
	"time"
)

// ConfigPrefix starts the ids of the feeds and watches of the config file
// ("cfg-1"); the store's ids ("f1", "w1") never do.
const ConfigPrefix = "cfg-"

// ConfigID reports whether id names a feed or watch of the config file. The
// operator wrote those, so they are trusted: such a feed may reach a private
// address (the SSRF guard is for feeds added from chat), and chat cannot
// drop them. This is the one place that rule is decided.
func ConfigID(id string) bool { return strings.HasPrefix(id, ConfigPrefix) }

// Destination says where alerts go: "stdout", "slack:<channel id>" or
// "discord:<channel id>".
type Destination string

// Destination kinds.
const (
	Stdout  = "stdout"
	Slack   = "slack"
	Discord = "discord"
)

// Kind is the part before the colon: "stdout", "slack" or "discord".
func (d Destination) Kind() string {
	k, _, _ := strings.Cut(string(d), ":")
	return k
}

// Channel is the platform's channel id, empty for stdout.
func (d Destination) Channel() string {
	_, c, _ := strings.Cut(string(d), ":")
	return c
}

// ParseDestination checks the form of a destination.
func ParseDestination(s string) (Destination, error) {
	if s == Stdout {
		return Stdout, nil
	}
	kind, ch, ok := strings.Cut(s, ":")
	if !ok || (kind != Slack && kind != Discord) {
		return "", fmt.Errorf("destination %q: want stdout, slack:<channel id> or discord:<channel id>", s)
	}
	if ch == "" || len(ch) > 64 {
		return "", fmt.Errorf("destination %q: missing or overlong channel id", s)
	}
	// A channel's name where its id belongs is the usual mistake: ids are
	// what the APIs take (names change and repeat), so say how to find one.
	if kind == Slack {
		for i, r := range ch {
			if !(r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
				return "", fmt.Errorf("destination %q: %q is not a Slack channel id; write the id (upper-case letters and digits such as C0123456789, at the bottom of the channel's details in Slack), not its name", s, ch)
			}
		}
	}
	if kind == Discord {
		for _, r := range ch {
			if r < '0' || r > '9' {
				return "", fmt.Errorf("destination %q: %q is not a Discord channel id; write the id, a number such as 112233445566778899 (with Developer Mode on, right-click the channel, Copy Channel ID), not its name", s, ch)
			}
		}
	}
	return Destination(s), nil
}

// Watch is a saved query and where its alerts go.
type Watch struct {
	ID    string `json:"id"` // ConfigPrefix+"N" for watches of the config file, a short store id otherwise
	Name  string `json:"name"`
	Query string `json:"query"`
	// Aliases are confirmed alternative spellings (exact phrases), OR-ed
	// with the query: match.Query.WithAliases.
	Aliases []string      `json:"aliases,omitempty"`
	To      []Destination `json:"to"`
	// Procedural: also post routine docket entries (appearances, pro hac
	// vice…), which are otherwise only counted.
	Procedural bool `json:"procedural,omitempty"`
	// Broadcast says when a thread reply is also shown in the channel:
	// BroadcastAuto (also ""), BroadcastAlways or BroadcastNever.
	Broadcast string `json:"broadcast,omitempty"`
	// Search names the search engines that also run the query
	// (SearchGoogleNews, SearchCourtListener): each gives the watch a
	// search feed (feeds/search), made from the watch and gone with it.
	Search  []string  `json:"search,omitempty"`
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at,omitzero"`
}

// When a thread reply is also shown in the channel (Watch.Broadcast).
const (
	// BroadcastAuto: when it matters: a docket entry that is not routine
	// (an order, an opinion, a notice of appeal…), or the first item
	// after the thread was quiet for BroadcastAfter.
	BroadcastAuto   = "auto"
	BroadcastAlways = "always" // every reply
	BroadcastNever  = "never"  // none: replies stay in the thread
)

// CheckBroadcast refuses a Broadcast value other than auto, always or never
// ("" is auto).
func CheckBroadcast(s string) error {
	switch s {
	case "", BroadcastAuto, BroadcastAlways, BroadcastNever:
		return nil
	}
	return fmt.Errorf("broadcast %q: want auto, always or never", s)
}

// Label is how alerts name the watch: its name, else its query.
func (w *Watch) Label() string {
	if w.Name != "" {
		return w.Name
	}
	return w.Query
}

// Feed types.
const (
	FeedAuto          = "auto"
	FeedRSS           = "rss" // RSS, Atom and JSON Feed
	FeedPACER         = "pacer"
	FeedCourtListener = "courtlistener"
	// FeedGoogleNews is a Google News search feed (RSS whose links are
	// Google's redirects and whose items name their publisher); only
	// watches' search feeds have it.
	FeedGoogleNews = "google_news"
)

// Search engines a watch can run its query on (Watch.Search).
const (
	SearchGoogleNews    = "google_news"
	SearchCourtListener = "courtlistener"
)

// When a feed's linked articles are read (Feed.Fulltext).
const (
	FulltextAuto   = "auto"   // when the item's own text is short (news feeds' default)
	FulltextAlways = "always" // every new item
	FulltextNever  = "never"  // never (docket feeds' default)
)

// Feed is a source to poll.
type Feed struct {
	ID       string        `json:"id"` // ConfigPrefix+"N" for feeds of the config file
	URL      string        `json:"url"`
	Name     string        `json:"name,omitempty"`
	Type     string        `json:"type"`
	Interval time.Duration `json:"interval,omitempty"` // zero: the default poll interval
	Backfill int           `json:"backfill,omitempty"`
	// Court is the PACER court id for docket feeds read from a file or a
	// host that does not name it.
	Court string `json:"court,omitempty"`
	// Fulltext says when the linked article is read and matched too:
	// FulltextAuto (also ""), FulltextAlways or FulltextNever.
	Fulltext string `json:"fulltext,omitempty"`
	// Watch is the id of the watch whose search feed this is, and Search
	// the engine (Watch.Search); both "" for other feeds. Search feeds are
	// made from their watch (feeds/search.Feeds), never stored.
	Watch   string    `json:"watch,omitempty"`
	Search  string    `json:"search,omitempty"`
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at,omitzero"`
}

// SearchFeedID is the id of a watch's search feed on engine, sum a short
// hash of its address: "w3.google_news.1a2b3c". Other feeds' ids have no
// dot.
func SearchFeedID(watch, engine, sum string) string { return watch + "." + engine + "." + sum }

// SearchFeedWatch is the watch whose search feed id is, "" when id is not
// a search feed's.
func SearchFeedWatch(id string) string {
	w, rest, _ := strings.Cut(id, ".")
	if w == "" || !strings.Contains(rest, ".") {
		return ""
	}
	return w
}

// Trusted reports whether the operator chose where f points, so that the
// SSRF guard does not apply: a feed of the config file, or a watch's search
// feed, whose address wirewatch builds from the engine's configured base
// URL (chat gives only the query). Feeds added from chat are not trusted.
func (f *Feed) Trusted() bool { return ConfigID(f.ID) || f.Watch != "" }
