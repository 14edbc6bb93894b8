package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/config"
	"github.com/wirewatch/wirewatch/feeds/article"
	"github.com/wirewatch/wirewatch/feeds/search"
	"github.com/wirewatch/wirewatch/store"
)

// Status is what `wirewatch status` shows; the daemon sends it as JSON over
// its control socket.
type Status struct {
	Feeds   []FeedStatus       `json:"feeds"`
	Watches []wirewatch.Watch  `json:"watches"`
	Outbox  []OutboxStatus     `json:"outbox"`
	Changes []store.AuditEntry `json:"changes"` // the audit trail's latest entries
	Daemon  bool               `json:"daemon"`
	// StoreError is the running daemon's store write failure under way
	// (a full disk), if any, and since when.
	StoreError      string    `json:"store_error,omitempty"`
	StoreErrorSince time.Time `json:"store_error_since,omitzero"`
	// Articles are the running daemon's recent article reads per host
	// (feeds[].fulltext), those with failures first.
	Articles []article.HostStat `json:"articles,omitempty"`
	// Links are the dockets followed as one matter (links_status.go).
	Links []LinkStatus `json:"links,omitempty"`
	// CourtListenerSearches is what watches' CourtListener searches cost
	// of the API's daily quota, when there are any (search.Budget).
	CourtListenerSearches string `json:"courtlistener_searches,omitempty"`
}

// FeedStatus is one feed's line.
type FeedStatus struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	LastPoll  time.Time `json:"last_poll,omitzero"`
	Result    string    `json:"result"`
	NextPoll  time.Time `json:"next_poll,omitzero"`
	Errors    int       `json:"errors"`
	LastError string    `json:"last_error,omitempty"`
	Stale     bool      `json:"stale,omitempty"` // a PACER feed whose lastBuildDate stopped moving
	Watch     string    `json:"watch,omitempty"` // a watch's search feed: the watch's id
}

// OutboxStatus is one destination's line.
type OutboxStatus struct {
	To         wirewatch.Destination `json:"to"`
	Pending    int                   `json:"pending"`
	Parked     int                   `json:"parked"`
	LastReason string                `json:"last_reason,omitempty"`
	// Held: deliveries wait for a cause people fix (the bot not invited,
	// the platform refusing its token), retried without parking.
	Held      string    `json:"held,omitempty"`
	HeldSince time.Time `json:"held_since,omitzero"`
}

// statusChanges is how many of the latest adds and drops status shows.
const statusChanges = 10

func readStatus(db *store.DB, c *config.Config, watches []wirewatch.Watch) (Status, error) {
	st := Status{Watches: watches}
	runtime, err := db.Feeds()
	if err != nil {
		return st, err
	}
	states, err := db.FeedStates()
	if err != nil {
		return st, err
	}
	searches, _ := search.Feeds(watches, c.SearchOptions())
	for _, f := range slices.Concat(c.DomainFeeds(), runtime, searches) {
		s := states[f.ID]
		name := f.Name
		if f.Watch != "" {
			name = search.Name(f)
		} else if name == "" {
			name = s.Title
		}
		fs := FeedStatus{ID: f.ID, Name: name, URL: f.URL, LastPoll: s.LastPoll, Result: s.LastResult,
			NextPoll: s.NextPoll, Errors: s.Errors, LastError: s.LastError, Stale: s.Stale, Watch: f.Watch}
		if fs.Result == "" {
			fs.Result = "not polled yet"
		}
		st.Feeds = append(st.Feeds, fs)
	}
	depths, err := db.Depths()
	if err != nil {
		return st, err
	}
	parked, err := db.ParkedAlerts()
	if err != nil {
		return st, err
	}
	dests := map[wirewatch.Destination]bool{}
	for d := range depths {
		dests[d] = true
	}
	for d := range parked {
		dests[d] = true
	}
	for _, w := range watches {
		for _, d := range w.To {
			dests[d] = true
		}
	}
	holds, err := db.Holds()
	if err != nil {
		return st, err
	}
	for k, h := range holds {
		if !h.Auth {
			dests[wirewatch.Destination(k)] = true
		}
	}
	for d := range dests {
		o := OutboxStatus{To: d, Pending: depths[d], Parked: parked[d].Count, LastReason: parked[d].LastReason}
		if h, ok := holds[d.Kind()]; ok && h.Auth {
			o.Held, o.HeldSince = "the platform refuses the bot's token: "+h.Reason, h.Since
		} else if h, ok := holds[string(d)]; ok {
			o.Held, o.HeldSince = h.Reason, h.Since
		}
		st.Outbox = append(st.Outbox, o)
	}
	sort.Slice(st.Outbox, func(i, j int) bool { return st.Outbox[i].To < st.Outbox[j].To })
	if n := search.CourtListenerSearches(watches); n > 0 {
		st.CourtListenerSearches = search.Budget(n)
	}
	if st.Links, err = readLinks(db); err != nil {
		return st, err
	}
	st.Changes, err = db.Audit(statusChanges)
	return st, err
}

func cmdStatus(ctx context.Context, args []string, e env) error {
	fs := newFlags("status", e)
	cfgFlag := fs.String("config", "", "config file")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := loadConfig(*cfgFlag, e)
	if err != nil {
		return err
	}
	var st Status
	if cl := dialDaemon(c.Store); cl != nil {
		if err := cl.call(ctx, http.MethodGet, "/status", nil, &st, 16<<20); err != nil {
			return err
		}
		st.Daemon = true
	} else {
		db, err := store.Open(c.Store, store.Options{Timeout: time.Second})
		if err != nil {
			return err
		}
		defer db.Close()
		watches := c.DomainWatches()
		more, err := db.Watches()
		if err != nil {
			return err
		}
		if st, err = readStatus(db, c, append(watches, more...)); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printStatus(e.stdout, st, c.Location, time.Now())
	return nil
}

func printStatus(w io.Writer, st Status, loc *time.Location, now time.Time) {
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	if st.Daemon {
		fmt.Fprintln(w, "daemon: running")
	} else {
		fmt.Fprintln(w, "daemon: not running")
	}
	if st.StoreError != "" {
		fmt.Fprintf(w, "store: writes failing since %s: %s\n", when(st.StoreErrorSince), st.StoreError)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nFEED\tNAME\tLAST POLL\tRESULT\tNEXT POLL\tERRORS\n")
	for _, f := range st.Feeds {
		result := f.Result
		if f.Errors > 0 {
			result += ": " + f.LastError
		}
		if f.Stale {
			result += " (STALE: the court's feed has not been rebuilt for over 2 hours)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", f.ID, f.Name, when(f.LastPoll), result, when(f.NextPoll), f.Errors)
	}
	printArticles(tw, st.Articles)
	if st.CourtListenerSearches != "" {
		fmt.Fprintf(tw, "\nCOURTLISTENER API\n%s\n", st.CourtListenerSearches)
	}
	fmt.Fprintf(tw, "\nWATCH\tQUERY\tTO\t\t\t\n")
	for _, wa := range st.Watches {
		var to []string
		for _, d := range wa.To {
			to = append(to, string(d))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\n", wa.ID, wa.Query, strings.Join(to, ", "))
	}
	fmt.Fprintf(tw, "\nDESTINATION\tPENDING\tPARKED\tHELD\t\t\n")
	for _, o := range st.Outbox {
		parked := fmt.Sprint(o.Parked)
		if o.Parked > 0 {
			parked += " (" + o.LastReason + ")"
		}
		held := "-"
		if o.Held != "" {
			held = "since " + when(o.HeldSince) + ": " + o.Held
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\t\n", o.To, o.Pending, parked, held)
	}
	printLinks(tw, st.Links)
	fmt.Fprintf(tw, "\nCHANGED\tBY\tCHANGE\t\t\t\n")
	for _, c := range st.Changes {
		change := c.Action + " " + c.ID + " " + c.Detail
		if c.To != "" {
			change += " → " + c.To
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\n", when(c.At), c.User, change)
	}
	tw.Flush()
}

// statusArticleHosts is how many hosts with failed article reads the text
// status lists (the JSON has them all).
const statusArticleHosts = 20

// printArticles lists the hosts whose article pages failed lately, with
// the reasons; hosts read without failure are only counted.
func printArticles(w io.Writer, hosts []article.HostStat) {
	if len(hosts) == 0 {
		return
	}
	fmt.Fprintf(w, "\nARTICLE PAGES (last %d reads per host)\n", article.Ring)
	ok, listed := 0, 0
	for _, h := range hosts {
		switch {
		case h.Failed == 0:
			ok++
		case listed < statusArticleHosts:
			listed++
			fmt.Fprintf(w, "%s\n", h.Line())
		}
	}
	if more := len(hosts) - ok - listed; more > 0 {
		fmt.Fprintf(w, "and %d more hosts with failures (status -json lists them)\n", more)
	}
	if ok > 0 {
		fmt.Fprintf(w, "%d hosts read without failure\n", ok)
	}
}
