package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/config"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/feeds/search"
	"github.com/wirewatch/wirewatch/match"
)

// Exit statuses (CONTRACT.md).
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure; for match: no match
	exitUsage   = 2 // usage or config error; for match: invalid query
)

// env is what a command may touch of the process, so tests run the real
// commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

const usage = `usage: wirewatch <command> [flags]

commands:
  run [-config F] [-once] [-dry-run]   poll feeds, match watches, deliver alerts
  check [-config F]                    validate the config file
  inspect [-type T] [-court C] FILE|URL  parse one feed, print its items as JSON lines
  match [-party N] QUERY [TEXT ...]    test a watch query against TEXT or stdin
                                       (-party, -judge, -attorney: a docket's names)
  watch add -to DEST QUERY | list | drop ID | alias ID SPELLING
  feed add [-name N] [-type T] URL | list | drop ID
  status [-config F] [-json]           feeds, watches and outbox
  requeue [-config F] DEST             send DEST's parked alerts again
  version                              version and build info

The config file is -config F, else $WIREWATCH_CONFIG, else ./wirewatch.yaml.
`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// cli runs one command and returns its exit status.
func cli(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	cmd, args := args[0], args[1:]
	var err error
	switch strings.TrimLeft(cmd, "-") {
	case "run":
		err = cmdRun(ctx, args, e)
	case "check":
		err = cmdCheck(args, e)
	case "inspect":
		err = cmdInspect(ctx, args, e)
	case "match":
		return cmdMatch(args, e)
	case "watch":
		err = cmdCatalog(ctx, "watch", args, e)
	case "feed":
		err = cmdCatalog(ctx, "feed", args, e)
	case "status":
		err = cmdStatus(ctx, args, e)
	case "requeue":
		err = cmdRequeue(ctx, args, e)
	case "version":
		fmt.Fprintln(e.stdout, versionInfo())
	case "help", "h":
		fmt.Fprint(e.stdout, usage)
	default:
		err = usagef("unknown command %q\n\n%s", cmd, usage)
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(e.stderr, "wirewatch:", err)
	var ue *usageError
	var ce *configError
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return exitUsage
	}
	return exitFailure
}

// configError is a config file that does not load: exit status 2.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

func newFlags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}

// configPath applies the rule: -config, else $WIREWATCH_CONFIG, else
// ./wirewatch.yaml.
func configPath(flagValue string, e env) string {
	if flagValue != "" {
		return flagValue
	}
	if p := e.getenv("WIREWATCH_CONFIG"); p != "" {
		return p
	}
	return "wirewatch.yaml"
}

func loadConfig(flagValue string, e env) (*config.Config, error) {
	c, err := config.Load(configPath(flagValue, e))
	if err != nil {
		return nil, &configError{err}
	}
	return c, nil
}

func cmdCheck(args []string, e env) error {
	fs := newFlags("check", e)
	cfgFlag := fs.String("config", "", "config file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := loadConfig(*cfgFlag, e)
	if err != nil {
		return err
	}
	secrets := config.SecretsFromEnv(e.getenv)
	fmt.Fprintf(e.stdout, "%s: ok\n", c.Path)
	printSettings(e.stdout, c)
	fmt.Fprintf(e.stdout, "feeds: %d\n", len(c.Feeds))
	for i, f := range c.DomainFeeds() {
		name := f.Name
		if name == "" {
			name = "(the feed's own title)"
		}
		fmt.Fprintf(e.stdout, "  %s  %-13s %s  %s\n", config.FeedID(i), f.Type, name, f.URL)
	}
	fmt.Fprintf(e.stdout, "watches: %d\n", len(c.Watches))
	dests := map[string]bool{}
	for i, w := range c.DomainWatches() {
		var to []string
		for _, d := range w.To {
			to = append(to, string(d))
			dests[string(d)] = true
		}
		// The query as read, operators written out and aliases OR-ed in
		// (Validate has parsed it already).
		read := w.Query
		if q, err := bot.Compile(w); err == nil {
			read = q.Canonical()
		}
		fmt.Fprintf(e.stdout, "  %s  %s → %s\n", config.WatchID(i), read, strings.Join(to, ", "))
		// What each search engine is asked (Validate has translated it).
		searches, _ := search.Feeds([]wirewatch.Watch{w}, c.SearchOptions())
		for _, f := range searches {
			if u, err := url.Parse(f.URL); err == nil {
				fmt.Fprintf(e.stdout, "      search %s: %s\n", f.Search, u.Query().Get("q"))
			}
		}
	}
	if n := search.CourtListenerSearches(c.DomainWatches()); n > 0 {
		fmt.Fprintf(e.stdout, "courtlistener %s\n", search.Budget(n))
	}
	fmt.Fprintf(e.stdout, "destinations: %d\n", len(dests))
	for _, w := range missingTokens(c, secrets) {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	return nil
}

// missingTokens names destinations of the file that cannot be delivered for
// want of a token in the environment.
func missingTokens(c *config.Config, s config.Secrets) []string {
	var out []string
	for i, w := range c.Watches {
		for _, d := range w.To {
			kind := wirewatch.Destination(d).Kind()
			if kind == wirewatch.Slack && s.SlackBotToken == "" {
				out = append(out, fmt.Sprintf("watches[%d].to: %s needs SLACK_BOT_TOKEN in the environment", i, d))
			}
			if kind == wirewatch.Discord && s.DiscordBotToken == "" {
				out = append(out, fmt.Sprintf("watches[%d].to: %s needs DISCORD_BOT_TOKEN in the environment", i, d))
			}
		}
	}
	return out
}

// names is a flag that may be given several times.
type names []string

func (n *names) String() string     { return strings.Join(*n, ", ") }
func (n *names) Set(s string) error { *n = append(*n, s); return nil }

func cmdMatch(args []string, e env) int {
	const use = "usage: wirewatch match [-party NAME] [-judge NAME] [-attorney NAME] QUERY [TEXT ...]"
	fs := newFlags("match", e)
	var doc match.Doc
	fs.Var((*names)(&doc.Parties), "party", "a party of the docket, for party: terms (repeat for several)")
	fs.Var((*names)(&doc.Judges), "judge", "a judge of the docket, for judge: terms (repeat for several)")
	fs.Var((*names)(&doc.Attorneys), "attorney", "an attorney of the docket, for attorney: terms (repeat for several)")
	if err := parseFlags(fs, args); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(e.stderr, "wirewatch: %v\n", err)
		}
		fmt.Fprintln(e.stderr, "wirewatch: "+use)
		return exitUsage
	}
	args = fs.Args()
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "wirewatch: "+use)
		return exitUsage
	}
	q, err := match.Parse(args[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "wirewatch: invalid query: %v\n", err)
		return exitUsage
	}
	if len(args) > 1 {
		doc.Text = strings.Join(args[1:], " ")
	} else {
		data, err := io.ReadAll(io.LimitReader(e.stdin, 16<<20))
		if err != nil {
			fmt.Fprintf(e.stderr, "wirewatch: read stdin: %v\n", err)
			return exitFailure
		}
		doc.Text = string(data)
	}
	terms, ok := q.Match(doc)
	out := struct {
		Match   bool     `json:"match"`
		Terms   []string `json:"terms"`
		Snippet string   `json:"snippet"`
	}{Match: ok, Terms: bot.TermTexts(terms)}
	if out.Terms == nil {
		out.Terms = []string{}
	}
	for _, t := range terms {
		if t.Field == "text" {
			out.Snippet = match.Snippet(doc.Text, t, 200)
			break
		}
	}
	data, _ := json.Marshal(out)
	fmt.Fprintln(e.stdout, string(data))
	if !ok {
		return exitFailure
	}
	return exitOK
}

func cmdInspect(ctx context.Context, args []string, e env) error {
	fs := newFlags("inspect", e)
	typ := fs.String("type", "auto", "feed type: auto, rss, pacer or courtlistener")
	court := fs.String("court", "", "PACER court id (for files)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: wirewatch inspect [-type T] [-court C] FILE|URL")
	}
	switch *typ {
	case wirewatch.FeedAuto, wirewatch.FeedRSS, wirewatch.FeedPACER, wirewatch.FeedCourtListener:
	default:
		return usagef("-type %q: want auto, rss, pacer or courtlistener", *typ)
	}
	src := fs.Arg(0)
	f := wirewatch.Feed{ID: "inspect", URL: src, Type: *typ, Court: *court}
	var body []byte
	cl := newCourtListener(config.Default(), config.SecretsFromEnv(e.getenv), nil)
	if u, err := url.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		fetcher := feeds.NewFetcher(feeds.Options{UserAgent: userAgent(), Header: cl.Header})
		resp, err := fetcher.Fetch(ctx, f, feeds.Validators{}, false)
		if err != nil {
			return err
		}
		body = resp.Body
	} else {
		data, err := readFile(src, 64<<20)
		if err != nil {
			return err
		}
		body = data
		if f.Type == wirewatch.FeedAuto {
			f.Type = sniffType(data)
		}
	}
	readers := newReaders(cl, config.Default(), config.SecretsFromEnv(e.getenv), nil)
	parsed, err := feeds.Parse(ctx, body, f, readers)
	if err != nil {
		return err // Parse names the source
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, it := range parsed.Items {
		line := struct {
			ID        string            `json:"id"`
			Feed      string            `json:"feed"`
			Title     string            `json:"title"`
			Link      string            `json:"link"`
			Published string            `json:"published"`
			Summary   string            `json:"summary"`
			Docket    *wirewatch.Docket `json:"docket,omitempty"`
		}{it.ID, it.Feed, it.Title, it.Link, "", it.Summary, it.Docket}
		if !it.Published.IsZero() {
			line.Published = it.Published.Format(time.RFC3339)
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

func readFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, max)
	}
	return data, nil
}

// sniffType guesses a local file's type: a PACER feed names its court's
// CM/ECF host, a CourtListener one its host; anything else is RSS.
func sniffType(data []byte) string {
	head := string(data[:min(len(data), 4096)])
	switch {
	case strings.Contains(head, "uscourts.gov"):
		return wirewatch.FeedPACER
	case strings.Contains(head, "courtlistener.com"):
		return wirewatch.FeedCourtListener
	}
	return wirewatch.FeedRSS
}
