package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/search"
	"github.com/wirewatch/wirewatch/match"
	"github.com/wirewatch/wirewatch/store"
)

// Limits on what chat can create.
const (
	maxWatchesPerChannel = 200
	maxRuntimeFeeds      = 1000
	testMatches          = 5
)

// Prober fetches and parses a feed typed in chat before it is saved, and
// refuses addresses it must not reach. It returns the feed with its type and
// name filled in, and how many items it holds.
type Prober interface {
	Probe(ctx context.Context, rawURL, name, typ string) (wirewatch.Feed, int, error)
}

// Commands carries out the chat commands of CONTRACT.md, for Slack, Discord
// and the shell alike. A Command with an empty Channel comes from the shell:
// it sees and may drop every watch.
type Commands struct {
	DB          *store.DB
	List        *Watchlist
	ConfigFeeds []wirewatch.Feed
	Prober      Prober
	// FeedsChanged is called after a feed is added or dropped (the poller
	// picks it up); may be nil.
	FeedsChanged func()
	Location     *time.Location
	Log          *slog.Logger
	// Now is the clock for "this week" in suggestions; nil: time.Now.
	Now func() time.Time
	// ConfigDigests: channels whose digest the config file sets (chat
	// cannot change those).
	ConfigDigests map[wirewatch.Destination]wirewatch.Digest
	// ConfigQuiet: channels whose quiet hours the config file sets.
	ConfigQuiet map[wirewatch.Destination]wirewatch.Quiet
	// Search: the search engines' base URLs, for watches' search feeds.
	Search search.Options

	// adding makes an add's checks (the channel's cap, the CourtListener
	// budget) and its write one step: commands run concurrently, and
	// adds checked at once would each see room for one more.
	adding sync.Mutex
}

// Command carries out c and says how it went, in plain text.
func (s *Commands) Command(ctx context.Context, c wirewatch.Command) wirewatch.Reply {
	text, err := s.run(ctx, c)
	if err != nil {
		s.Log.Info("command refused", "verb", c.Verb, "channel", c.Channel, "user", c.User, "err", err)
		return wirewatch.Reply{Text: err.Error(), Refused: true}
	}
	if c.Verb != wirewatch.CmdHelp && c.Verb != wirewatch.CmdList && c.Verb != wirewatch.CmdFeedList {
		s.Log.Info("command", "verb", c.Verb, "channel", c.Channel, "user", c.User)
	}
	if c.Verb == wirewatch.CmdList {
		return s.withMutes(c, wirewatch.Reply{Text: text}) // buttons.go
	}
	return wirewatch.Reply{Text: text}
}

func (s *Commands) run(ctx context.Context, c wirewatch.Command) (string, error) {
	switch c.Verb {
	case wirewatch.CmdHelp:
		return Help, nil
	case wirewatch.CmdAdd:
		return s.add(c)
	case wirewatch.CmdList:
		return s.list(c), nil
	case wirewatch.CmdDrop:
		return s.drop(c)
	case wirewatch.CmdTest:
		return s.test(c)
	case wirewatch.CmdAlias:
		return s.alias(c)
	case wirewatch.CmdBroadcast:
		return s.broadcast(c)
	case wirewatch.CmdDigest:
		return s.digest(c)
	case wirewatch.CmdUnmute:
		return s.unmute(c) // buttons.go
	case wirewatch.CmdQuiet:
		return s.quiet(c)
	case wirewatch.CmdLink, wirewatch.CmdUnlink:
		return s.link(c) // cases.go
	case wirewatch.CmdFeedAdd:
		return s.feedAdd(ctx, c)
	case wirewatch.CmdFeedList:
		return s.feedList()
	case wirewatch.CmdFeedDrop:
		return s.feedDrop(c)
	}
	return "", fmt.Errorf("unknown command %q; try help", c.Verb)
}

// Help is the reply to "help": the commands, then the query syntax.
const Help = `/watch add QUERY — post new items matching QUERY in this channel
/watch add QUERY search:google_news — also run QUERY as a Google News search (search:courtlistener: CourtListener, for new cases and filings; both: search:google_news,courtlistener); each new result is posted even when its headline does not match
/watch list — this channel's watches
/watch drop ID — stop a watch
/watch test QUERY — which recent items QUERY would match (posts nothing); with search:ENGINE, what that search would ask
/watch alias ID SPELLING — also match another spelling: /watch alias w3 Mazarra (exact, OR-ed with the query)
/watch broadcast ID auto|always|never — when a reply in a thread is also shown in the channel (auto: orders and other non-routine docket entries, and the first item after 6 quiet hours)
/watch link CASE CASE · /watch unlink CASE CASE — follow two dockets as one matter (one thread), or undo a link: /watch link mdd:8:25-cv-00951 tnmd:3:25-cr-00115
/watch digest off|hourly|daily HH:MM — collect this channel's alerts into one message on that schedule
/watch quiet HH:MM-HH:MM|off — quiet hours: new threads and broadcasts wait and come as one message when they end (replies in open threads still go)
/watch unmute KEY — post a muted thread's alerts again (list names them)
  test and list offer near misses seen lately: "also seen: Joseph Mazarra (3 items this week)" — never added by themselves
/watch feed add URL [NAME] · /watch feed list · /watch feed drop ID — the feeds read

Queries:
` + match.Syntax

func (s *Commands) add(c wirewatch.Command) (string, error) {
	s.adding.Lock()
	defer s.adding.Unlock()
	return s.addLocked(c)
}

// addLocked is add, s.adding held.
func (s *Commands) addLocked(c wirewatch.Command) (string, error) {
	query, engines, err := s.searchOf(c) // search.go
	if err != nil {
		return "", err
	}
	q, err := match.Parse(query)
	if err != nil {
		return "", fmt.Errorf("can't add that watch: %v", err)
	}
	if c.Channel == "" {
		return "", errors.New("add needs a destination (-to stdout, slack:<channel id> or discord:<channel id>)")
	}
	if _, err := wirewatch.ParseDestination(string(c.Channel)); err != nil {
		return "", err
	}
	n := 0
	for _, w := range s.List.All() {
		if delivers(w, c.Channel) {
			n++
		}
	}
	if n >= maxWatchesPerChannel {
		return "", fmt.Errorf("this channel has %d watches already, the most it may have; drop one first", n)
	}
	w, err := s.DB.AddWatch(wirewatch.Watch{Query: q.String(), To: []wirewatch.Destination{c.Channel}, Search: engines, AddedBy: c.User})
	if err != nil {
		return "", err
	}
	if err := s.List.Set(w); err != nil {
		return "", err
	}
	s.searchesChanged(w)
	// The query as read, operators written out: "Abrego Garcia" Xinis
	// comes back as "Abrego Garcia" AND Xinis, so a misreading shows.
	return fmt.Sprintf("Added watch %s: %s — new matching items will be posted to %s.%s", w.ID, q.Canonical(), where(c.Channel), searchSaid(w.Search)), nil
}

func where(d wirewatch.Destination) string {
	if d.Kind() == wirewatch.Stdout {
		return "stdout"
	}
	return "this channel"
}

func delivers(w wirewatch.Watch, ch wirewatch.Destination) bool {
	for _, d := range w.To {
		if d == ch {
			return true
		}
	}
	return false
}

// Watches lists the watches delivering to ch (every watch for an empty ch).
func (s *Commands) Watches(_ context.Context, ch wirewatch.Destination) []wirewatch.Watch {
	var out []wirewatch.Watch
	for _, w := range s.List.All() {
		if ch == "" || delivers(w, ch) {
			out = append(out, w)
		}
	}
	return out
}

func (s *Commands) list(c wirewatch.Command) string {
	ws := s.Watches(context.Background(), c.Channel)
	if len(ws) == 0 {
		return "No watches here yet. Add one: /watch add \"Abrego Garcia\" OR Xinis"
	}
	// Near misses of the first watches' spellings in the recent items (a
	// bounded amount of matching per reply).
	var recent []wirewatch.Item
	if len(ws) <= maxAlsoSeenWatches {
		recent, _ = s.DB.Recent(store.RecentItems)
	}
	var b strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&b, "%s · %s", w.ID, w.Query)
		if w.Name != "" && w.Name != w.Query {
			fmt.Fprintf(&b, " (%s)", w.Name)
		}
		if len(w.Aliases) > 0 {
			fmt.Fprintf(&b, " · also: %s", strings.Join(w.Aliases, ", "))
		}
		if w.Broadcast != "" && w.Broadcast != wirewatch.BroadcastAuto {
			fmt.Fprintf(&b, " · broadcast %s", w.Broadcast)
		}
		if len(w.Search) > 0 {
			fmt.Fprintf(&b, " · search: %s", strings.Join(w.Search, ", "))
		}
		if wirewatch.ConfigID(w.ID) {
			b.WriteString(" · from the config file")
		} else {
			fmt.Fprintf(&b, " · added by %s on %s", w.AddedBy, w.AddedAt.In(s.loc()).Format("2006-01-02 15:04 MST"))
		}
		if c.Channel == "" {
			fmt.Fprintf(&b, " · to %s", joinDests(w.To))
		}
		b.WriteByte('\n')
		if q, err := Compile(w); err == nil && len(recent) > 0 {
			for _, line := range strings.Split(strings.TrimRight(s.alsoSeen(q, recent, w.ID), "\n"), "\n") {
				if line == "" {
					continue
				}
				if wirewatch.ConfigID(w.ID) {
					// A config watch changes only in the file.
					line = strings.Replace(line, "to match it too: /watch alias "+w.ID+" ", "to match it too, add to its aliases in the config file: ", 1)
				}
				b.WriteString("    " + line + "\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func joinDests(ds []wirewatch.Destination) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

func (s *Commands) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s *Commands) drop(c wirewatch.Command) (string, error) {
	id := strings.TrimSpace(c.Arg)
	if wirewatch.ConfigID(id) {
		return "", fmt.Errorf("watch %s is defined in the config file; it can only be changed there", id)
	}
	w, err := s.DB.DropWatch(id, c.User, func(w wirewatch.Watch) error {
		if c.Channel != "" && !delivers(w, c.Channel) {
			return fmt.Errorf("watch %s belongs to another channel", id)
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("no watch %q; /watch list shows the ids", id)
	}
	if err != nil {
		return "", err
	}
	s.List.Remove(w.ID)
	s.searchesChanged(w)
	return fmt.Sprintf("Dropped watch %s: %s.", w.ID, w.Query), nil
}

func (s *Commands) test(c wirewatch.Command) (string, error) {
	query, engines, err := search.Split(c.Arg) // what add would search too (search.go)
	if err != nil {
		return "", fmt.Errorf("that query does not parse: %v", err)
	}
	q, err := match.Parse(query)
	if err != nil {
		return "", fmt.Errorf("that query does not parse: %v", err)
	}
	// The query of one of this channel's watches is tested with its
	// aliases, and its suggestions name that watch.
	id := "ID"
	for _, w := range s.Watches(context.Background(), c.Channel) {
		if w.Query == query && !wirewatch.ConfigID(w.ID) {
			if wq, err := Compile(w); err == nil {
				q, id = wq, w.ID
			}
			break
		}
	}
	items, err := s.DB.Recent(store.RecentItems)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	n := 0
	for _, it := range items {
		terms, ok := q.Match(Doc(it))
		if !ok {
			continue
		}
		n++
		if n <= testMatches {
			fmt.Fprintf(&b, "• %s — %s (%s)\n", it.Title, it.Feed, termList(terms))
		}
	}
	// Near misses the query would not catch, with the command that would.
	also := s.alsoSeen(q, items, id) + searchAsked(q, engines)
	if n == 0 {
		return strings.TrimRight(fmt.Sprintf("None of the %d most recent items matches %s.\n%s", len(items), q.Canonical(), also), "\n"), nil
	}
	head := fmt.Sprintf("%d of the %d most recent items match %s", n, len(items), q.Canonical())
	if n > testMatches {
		head += fmt.Sprintf("; the first %d:", testMatches)
	} else {
		head += ":"
	}
	return strings.TrimRight(head+"\n"+b.String()+also, "\n"), nil
}

// Suggestions shown per query, and the most watches list looks for them.
const (
	maxAlsoSeen        = 3
	alsoSeenPeriod     = 7 * 24 * time.Hour
	maxAlsoSeenWatches = 20
)

// alsoSeen lists the near-miss spellings of q in this week's items
// (match.Query.Suggest), the most frequent first, each with the command
// that adds it as an alias of watch id; "" when there are none.
func (s *Commands) alsoSeen(q *match.Query, items []wirewatch.Item, id string) string {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	since := now().Add(-alsoSeenPeriod)
	type count struct {
		text string
		n    int
	}
	var counts []*count
	byFold := map[string]*count{}
	for _, it := range items {
		if !it.Published.IsZero() && it.Published.Before(since) {
			continue
		}
		for _, sp := range q.Suggest(Doc(it)) {
			k := match.Fold(sp)
			c := byFold[k]
			if c == nil {
				c = &count{text: sp}
				byFold[k] = c
				counts = append(counts, c)
			}
			c.n++
		}
	}
	slices.SortStableFunc(counts, func(a, b *count) int { return b.n - a.n })
	var b strings.Builder
	for i, c := range counts {
		if i == maxAlsoSeen {
			break
		}
		items := "items"
		if c.n == 1 {
			items = "item"
		}
		fmt.Fprintf(&b, "also seen: %s (%d %s this week) — to match it too: /watch alias %s %s\n", c.text, c.n, items, id, c.text)
	}
	return b.String()
}

// alias adds a spelling to a watch of this channel: an exact phrase OR-ed
// with its query.
func (s *Commands) alias(c wirewatch.Command) (string, error) {
	id, spelling := strings.TrimSpace(c.Arg), strings.TrimSpace(c.Alias)
	if wirewatch.ConfigID(id) {
		return "", fmt.Errorf("watch %s is defined in the config file; add the spelling to its aliases there", id)
	}
	if err := match.CheckAlias(spelling); err != nil {
		return "", fmt.Errorf("can't add that alias: %v", err)
	}
	var q *match.Query
	w, err := s.change(c, id, "watch alias", func(w *wirewatch.Watch) (string, error) {
		for _, a := range w.Aliases {
			if match.Fold(a) == match.Fold(spelling) {
				return "", fmt.Errorf("watch %s has the alias %s already", id, a)
			}
		}
		w.Aliases = append(w.Aliases, spelling)
		var err error
		if q, err = Compile(*w); err != nil {
			return "", fmt.Errorf("can't add that alias: %v", err)
		}
		if err := search.Check(*w); err != nil {
			return "", fmt.Errorf("can't add that alias: the watch's search could not be asked for it: %v", err)
		}
		return spelling, nil
	})
	if err != nil {
		return "", err
	}
	s.searchesChanged(w) // the search asks for the alias too
	return fmt.Sprintf("Watch %s now also matches %s: %s.", w.ID, spelling, q.Canonical()), nil
}

// change edits watch id of this channel in the store (recorded in the audit
// trail under action) and in the running watch list. edit gets the watch as
// stored and returns the audit detail.
func (s *Commands) change(c wirewatch.Command, id, action string, edit func(w *wirewatch.Watch) (string, error)) (wirewatch.Watch, error) {
	w, err := s.DB.UpdateWatch(id, c.User, action, func(w *wirewatch.Watch) (string, error) {
		if c.Channel != "" && !delivers(*w, c.Channel) {
			return "", fmt.Errorf("watch %s belongs to another channel", id)
		}
		return edit(w)
	})
	if errors.Is(err, store.ErrNotFound) {
		return w, fmt.Errorf("no watch %q; /watch list shows the ids", id)
	}
	if err != nil {
		return w, err
	}
	return w, s.List.Set(w)
}

// broadcast sets when a watch of this channel shows thread replies in the
// channel too.
func (s *Commands) broadcast(c wirewatch.Command) (string, error) {
	id, mode := strings.TrimSpace(c.Arg), strings.TrimSpace(c.Mode)
	if wirewatch.ConfigID(id) {
		return "", fmt.Errorf("watch %s is defined in the config file; set its broadcast there", id)
	}
	if err := wirewatch.CheckBroadcast(mode); err != nil || mode == "" {
		return "", errors.New("broadcast needs auto, always or never, e.g. /watch broadcast w3 always")
	}
	w, err := s.change(c, id, "watch broadcast", func(w *wirewatch.Watch) (string, error) {
		w.Broadcast = mode
		return mode, nil
	})
	if err != nil {
		return "", err
	}
	var what string
	switch mode {
	case wirewatch.BroadcastAlways:
		what = "every reply in its threads is also shown in the channel"
	case wirewatch.BroadcastNever:
		what = "replies stay in their threads"
	default:
		what = "orders and other non-routine docket entries, and the first item after 6 quiet hours, are also shown in the channel"
	}
	return fmt.Sprintf("Watch %s: broadcast %s — %s.", w.ID, mode, what), nil
}

// digest sets this channel's digest schedule.
func (s *Commands) digest(c wirewatch.Command) (string, error) {
	if c.Channel == "" || c.Channel.Kind() == wirewatch.Stdout {
		return "", errors.New("digest is for a chat channel: type it there")
	}
	if _, ok := s.ConfigDigests[c.Channel]; ok {
		return "", errors.New("this channel's digest is set in the config file (channels:); change it there")
	}
	sch, on, err := wirewatch.ParseDigest(c.Arg)
	if err != nil {
		return "", err
	}
	spec := strings.TrimSpace(c.Arg)
	if !on {
		spec = "off"
	}
	if err := s.DB.SetChannelDigest(c.Channel, spec, c.User); err != nil {
		return "", err
	}
	switch {
	case !on:
		return "Digest off: alerts are posted here as they come.", nil
	case sch.Hourly:
		return "This channel's alerts are now collected and posted as one message every hour, on the hour.", nil
	}
	return fmt.Sprintf("This channel's alerts are now collected and posted as one message daily at %02d:%02d (%s).", sch.At/60, sch.At%60, s.loc()), nil
}

// quiet sets this channel's quiet hours.
func (s *Commands) quiet(c wirewatch.Command) (string, error) {
	if c.Channel == "" || c.Channel.Kind() == wirewatch.Stdout {
		return "", errors.New("quiet hours are for a chat channel: type it there")
	}
	if _, ok := s.ConfigQuiet[c.Channel]; ok {
		return "", errors.New("this channel's quiet hours are set in the config file (channels:); change them there")
	}
	q, on, err := wirewatch.ParseQuiet(c.Arg)
	if err != nil {
		return "", err
	}
	spec := "off"
	if on {
		spec = q.String()
	}
	if err := s.DB.SetChannelQuiet(c.Channel, spec, c.User); err != nil {
		return "", err
	}
	if !on {
		return "Quiet hours off: new threads and broadcasts are posted here as they come.", nil
	}
	return fmt.Sprintf("Quiet hours %s (%s): new threads and broadcasts wait and are posted here as one message when they end; replies in open threads still go.", spec, s.loc()), nil
}

func termList(ts []match.Term) string {
	return "matched: " + strings.Join(TermTexts(ts), ", ")
}

func (s *Commands) feedAdd(ctx context.Context, c wirewatch.Command) (string, error) {
	if !c.MayManageFeeds {
		return "", errors.New("only this workspace's wirewatch admins may add or drop feeds")
	}
	if s.Prober == nil {
		return "", errors.New("feeds cannot be added here")
	}
	feeds, err := s.DB.Feeds()
	if err != nil {
		return "", err
	}
	if len(feeds) >= maxRuntimeFeeds {
		return "", fmt.Errorf("there are %d feeds already, the most allowed; drop one first", len(feeds))
	}
	for _, f := range s.ConfigFeeds {
		if f.URL == strings.TrimSpace(c.Arg) {
			return "", fmt.Errorf("%s is already read (feed %s, from the config file)", f.URL, f.ID)
		}
	}
	f, n, err := s.Prober.Probe(ctx, strings.TrimSpace(c.Arg), c.Name, c.Type)
	if err != nil {
		return "", fmt.Errorf("can't add that feed: %v", err)
	}
	f.AddedBy = c.User
	f, err = s.DB.AddFeed(f)
	if err != nil {
		return "", err
	}
	if s.FeedsChanged != nil {
		s.FeedsChanged()
	}
	return fmt.Sprintf("Added feed %s: %s — %d items; new items will be matched from now on.", f.ID, f.Name, n), nil
}

func (s *Commands) feedList() (string, error) {
	feeds, err := s.DB.Feeds()
	if err != nil {
		return "", err
	}
	all := slices.Concat(s.ConfigFeeds, feeds, s.searchFeeds())
	if len(all) == 0 {
		return "No feeds yet. Add one: /watch feed add URL", nil
	}
	states, err := s.DB.FeedStates()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, f := range all {
		name := f.Name
		if f.Watch != "" {
			name = search.Name(f) // it belongs to its watch
		} else if name == "" {
			name = states[f.ID].Title
		}
		fmt.Fprintf(&b, "%s · %s · %s", f.ID, name, f.URL)
		if st, ok := states[f.ID]; ok && st.Errors > 0 {
			fmt.Fprintf(&b, " · failing (%d in a row: %s)", st.Errors, st.LastError)
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *Commands) feedDrop(c wirewatch.Command) (string, error) {
	if !c.MayManageFeeds {
		return "", errors.New("only this workspace's wirewatch admins may add or drop feeds")
	}
	id := strings.TrimSpace(c.Arg)
	for _, f := range s.searchFeeds() {
		if f.ID == id {
			return "", fmt.Errorf("feed %s is the %s; it goes when the watch is dropped (/watch drop %s)", id, search.Name(f), f.Watch)
		}
	}
	if wirewatch.ConfigID(id) {
		return "", fmt.Errorf("feed %s is defined in the config file; it can only be changed there", id)
	}
	f, err := s.DB.DropFeed(id, c.User)
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("no feed %q; /watch feed list shows the ids", id)
	}
	if err != nil {
		return "", err
	}
	if s.FeedsChanged != nil {
		s.FeedsChanged()
	}
	return fmt.Sprintf("Dropped feed %s: %s.", f.ID, f.URL), nil
}
