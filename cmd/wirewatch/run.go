package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/bot/discord"
	"github.com/wirewatch/wirewatch/bot/slack"
	"github.com/wirewatch/wirewatch/config"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/feeds/article"
	"github.com/wirewatch/wirewatch/feeds/courtlistener"
	"github.com/wirewatch/wirewatch/feeds/pacer"
	"github.com/wirewatch/wirewatch/feeds/search"
	"github.com/wirewatch/wirewatch/store"
)

// Timings of the daemon.
const (
	shutdownGrace = 4 * time.Second // CONTRACT: clean shutdown within 5 s
	onceDrain     = 60 * time.Second
	pruneEvery    = time.Hour
)

func cmdRun(ctx context.Context, args []string, e env) error {
	fs := newFlags("run", e)
	cfgFlag := fs.String("config", "", "config file")
	once := fs.Bool("once", false, "poll every feed once, deliver, exit")
	dry := fs.Bool("dry-run", false, "print alerts to stdout instead of delivering; record nothing")
	logFormat := fs.String("log-format", "", "text or json (overrides log.format)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (overrides log.level)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run takes no arguments, got %q", fs.Args())
	}
	c, err := loadConfig(*cfgFlag, e)
	if err != nil {
		return err
	}
	if *logFormat != "" {
		c.Log.Format = *logFormat
	}
	if *logLevel != "" {
		c.Log.Level = *logLevel
	}
	if err := c.Validate(); err != nil {
		return &configError{err}
	}
	m := &Main{Config: c, Env: e, Once: *once, DryRun: *dry}
	if err := m.Open(ctx); err != nil {
		m.Close() // what Open had opened, the store first of all
		return err
	}
	runErr := m.Run(ctx)
	if err := m.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr == nil && !m.Once {
		m.logStopped(ctx)
	}
	return runErr
}

// Main is the daemon, wired: Open builds and starts everything, Run waits
// for the end (ctx done, or the -once work finished), Close stops it in
// reverse order. Tests run it in-process on loopback.
type Main struct {
	Config *config.Config
	Env    env
	Once   bool
	DryRun bool

	// HTTPAddr is the address the HTTP server listens on, once Open returns
	// (useful with a :0 listen address).
	HTTPAddr string

	log        *slog.Logger
	secrets    config.Secrets
	db         *store.DB
	dryCopy    string
	watches    *bot.Watchlist
	pipeline   *bot.Pipeline
	dispatcher *bot.Dispatcher
	poller     *feeds.Poller
	articles   *article.Pool
	commands   *bot.Commands
	slack      *slack.Slack
	discord    *discord.Discord
	cl         *courtlistener.Client
	metrics    *bot.Metrics
	registry   *prometheus.Registry

	ready   chan struct{} // closed when polling runs
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	servers []*http.Server
	socket  string
	errs    chan error

	// allowPeer decides who may use the control socket by uid (tests);
	// nil: the daemon's own user and root.
	allowPeer func(uid uint32) bool
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Open opens the store, builds the parts and starts them.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	m.log = newLogger(m.Env.stderr, c.Log)
	m.secrets = config.SecretsFromEnv(m.Env.getenv)
	m.ready = make(chan struct{})
	m.errs = make(chan error, 8)
	if !m.DryRun {
		if missing := missingTokens(c, m.secrets); len(missing) > 0 {
			return &configError{errors.New(strings.Join(missing, "\n"))}
		}
	}

	path := c.Store
	if m.DryRun {
		// A dry run works on a copy of the store, so it records nothing.
		tmp, err := copyStore(c.Store)
		if err != nil {
			return err
		}
		m.dryCopy, path = tmp, tmp
	}
	db, err := store.Open(path, store.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	m.db = db

	m.registry = prometheus.NewRegistry()
	m.metrics = bot.NewMetrics(m.registry, func() map[wirewatch.Destination]int {
		d, _ := db.Depths()
		return d
	})

	m.watches = bot.NewWatchlist()
	m.watches.SetCases(db, m.log) // linked dockets thread as one matter
	if err := applyLinks(db, c.Links, m.log); err != nil {
		return err
	}
	if errs := m.watches.SetAll(c.DomainWatches()); len(errs) > 0 {
		return &configError{errors.Join(errs...)}
	}
	stored, err := db.Watches()
	if err != nil {
		return err
	}
	// A watch saved by an older version that no longer parses must not stop
	// the others.
	for _, err := range m.watches.SetAll(stored) {
		m.log.Warn("watch skipped: its query does not parse", "err", err)
	}

	httpClient := &http.Client{Timeout: 30 * time.Second}
	m.cl = courtlistener.New(courtlistener.Options{
		APIURL: c.CourtListener.APIURL, Token: m.secrets.CourtListenerToken.Reveal(),
		HTTPClient: httpClient, Logger: m.log.With("part", "courtlistener"), Keys: db,
	})
	fetcher := feeds.NewFetcher(feeds.Options{UserAgent: userAgent(), Timeout: c.Poll.Timeout.D(), Header: m.cl.Header})
	readers := newReaders(m.cl, c, m.secrets, m.log)

	stdout := bot.NewWriter(m.Env.stdout)
	posters := map[string]wirewatch.Poster{wirewatch.Stdout: stdout}
	if m.DryRun {
		posters[wirewatch.Slack] = stdout
		posters[wirewatch.Discord] = stdout
	} else {
		if m.secrets.SlackBotToken != "" {
			m.slack = slack.New(slack.Options{
				APIURL: c.Slack.APIURL, BotToken: m.secrets.SlackBotToken.Reveal(),
				SigningSecret: m.secrets.SlackSigningSecret.Reveal(), AppToken: m.secrets.SlackAppToken.Reveal(),
				Admins: c.Slack.Admins, TimeZone: c.Location, HTTPClient: httpClient, Logger: m.log.With("part", "slack"),
				PostEvery: c.Slack.PostInterval.D(), EditEvery: c.Slack.EditInterval.D(),
				Replays: db.ReplayKeys("slack:"),
			})
			posters[wirewatch.Slack] = m.slack
		}
		if m.secrets.DiscordBotToken != "" || m.secrets.DiscordPublicKey != "" {
			d, err := discord.New(discord.Options{
				APIURL: c.Discord.APIURL, Token: m.secrets.DiscordBotToken.Reveal(),
				PublicKey: m.secrets.DiscordPublicKey.Reveal(), ApplicationID: c.Discord.ApplicationID,
				GuildID: c.Discord.GuildID, Gateway: c.Discord.GatewayOn() && m.secrets.DiscordBotToken != "",
				TimeZone: c.Location, HTTPClient: httpClient, Logger: m.log.With("part", "discord"),
				ColdStart: c.Discord.ColdStart.D(), Replays: db.ReplayKeys("discord:"),
			})
			if err != nil {
				return &configError{err}
			}
			m.discord = d
			if m.secrets.DiscordBotToken != "" {
				posters[wirewatch.Discord] = d
			}
		}
	}
	if err := m.checkTokens(ctx, posters); err != nil {
		return err
	}
	m.dispatcher = bot.NewDispatcher(db, bot.DispatcherOptions{Posters: posters,
		Log: m.log.With("part", "dispatch"), Metrics: m.metrics, DryRun: m.DryRun,
		Digests: c.Digests(), Quiet: c.Quiet(), Location: c.Location})
	m.articles = article.NewPool(article.NewReader(article.Options{}))
	// The same-story index starts with the stories saved before the last
	// stop, so their next outlets are "also in" lines, not new posts.
	stories := bot.NewStories()
	if n, err := bot.LoadStories(db, stories); err != nil {
		m.log.Warn("same stories not loaded: their next outlets are posted again", "err", err)
	} else if n > 0 {
		m.log.Debug("same stories loaded", "stories", n)
	}
	m.pipeline = &bot.Pipeline{DB: db, Watches: m.watches, Location: c.Location, Dispatcher: m.dispatcher,
		Metrics: m.metrics, Log: m.log.With("part", "ingest"), Articles: m.articles, AllowPrivate: c.AllowPrivateFeeds,
		Stories: stories}
	if err := m.pipeline.Resume(); err != nil {
		return err
	}
	configFeeds := c.DomainFeeds()
	m.poller = &feeds.Poller{
		Fetcher: fetcher, Readers: readers, Sink: m.pipeline, States: db,
		// Read when the poller starts and on Refresh (a feed added or
		// dropped), not per poll: the poller keeps the list between.
		Feeds: func() ([]wirewatch.Feed, error) {
			more, err := db.Feeds()
			// Watches' search feeds, made from the watches as they are now
			// (a chat add, drop or alias calls Refresh).
			searches, errs := search.Feeds(m.watches.All(), c.SearchOptions())
			for _, err := range errs {
				m.log.Warn("watch's search skipped: its query cannot be asked", "err", err)
			}
			return slices.Concat(configFeeds, more, searches), err
		},
		Interval: c.Poll.Interval.D(), Workers: c.Poll.Workers, PerHost: c.Poll.PerHost,
		AllowPrivate: c.AllowPrivateFeeds, Gate: m.cl.Wait, Observe: m.metrics.Poll,
		Throttled: func(u *url.URL, after time.Duration) {
			if m.cl.IsAPI(u) {
				m.cl.Throttled(after)
			}
		},
		Log: m.log.With("part", "poll"),
	}
	m.commands = &bot.Commands{
		DB: db, List: m.watches, ConfigFeeds: configFeeds,
		Prober:       newProber(fetcher, readers, c.AllowPrivateFeeds),
		FeedsChanged: m.poller.Refresh, Location: c.Location, Log: m.log.With("part", "commands"),
		ConfigDigests: c.Digests(), ConfigQuiet: c.Quiet(), Search: c.SearchOptions(),
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	if !m.DryRun {
		if err := m.listen(runCtx); err != nil {
			cancel()
			return err
		}
	}
	m.start(runCtx, "dispatcher", m.dispatcher.Run)
	if m.Once {
		return nil
	}
	m.start(runCtx, "poller", m.poller.Run)
	m.start(runCtx, "retention", m.prune)
	if m.slack != nil && m.secrets.SlackAppToken != "" {
		m.start(runCtx, "slack socket mode", func(ctx context.Context) error { return m.slack.RunSocketMode(ctx, m.commands) })
	}
	if m.discord != nil && m.secrets.DiscordBotToken != "" {
		m.start(runCtx, "discord", func(ctx context.Context) error { return m.discord.Run(ctx, m.commands) })
	}
	close(m.ready)
	m.log.Info("wirewatch running", "version", version, "feeds", len(configFeeds), "watches", len(m.watches.All()),
		"store", c.Store, "http", m.HTTPAddr)
	return nil
}

// checkTokens asks each chat platform whether it takes its token, so that
// a bad token is a clear error at start (naming its variable) rather than
// held alerts. A platform that cannot be reached now is only logged: the
// dispatcher retries, and holds its alerts if the token turns out bad.
func (m *Main) checkTokens(ctx context.Context, posters map[string]wirewatch.Poster) error {
	if m.DryRun {
		return nil
	}
	for _, kind := range []string{wirewatch.Slack, wirewatch.Discord} {
		p := posters[kind]
		if p == nil {
			continue
		}
		check, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := p.Check(check)
		cancel()
		switch {
		case err == nil:
		case wirewatch.Class(err).Auth:
			return &configError{err}
		default:
			m.log.Warn("cannot check the "+kind+" token now; alerts are sent when it answers", "err", err)
		}
	}
	return nil
}

// start runs fn in the background; an error from it ends the daemon.
func (m *Main) start(ctx context.Context, name string, fn func(context.Context) error) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			m.errs <- fmt.Errorf("%s: %w", name, err)
		}
	}()
}

// Run waits until ctx is done or, with -once, until the poll's alerts are
// delivered.
func (m *Main) Run(ctx context.Context) error {
	if m.Once {
		close(m.ready)
		seeds := m.countSeeds()
		if err := m.poller.PollAll(ctx); err != nil {
			return err
		}
		wait, cancel := context.WithTimeout(ctx, onceDrain)
		defer cancel()
		err := m.pipeline.Settle(wait) // items waiting for their article queue their alerts
		if err == nil {
			err = m.dispatcher.WaitEmpty(wait)
		}
		m.logOnce(seeds)
		if derr := m.db.Err(); derr != nil {
			return derr // the poll met a damaged store: say so, exit 1
		}
		return err
	}
	select {
	case <-ctx.Done():
		m.log.Info("shutting down")
		return nil
	case err := <-m.errs:
		m.log.Error("stopping", "err", err)
		return err
	case <-m.db.Damaged():
		// Every poll and delivery would fail the same way: stop and say
		// what to do.
		err := m.db.Err()
		m.log.Error("stopping", "err", err)
		return err
	}
}

// Close stops everything in reverse order, within the shutdown grace time.
func (m *Main) Close() error {
	if m.cancel != nil {
		m.cancel()
	}
	shut, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range m.servers {
		s.Shutdown(shut)
	}
	// Webhook events already answered are ingested before the store closes.
	if m.cl != nil {
		if err := m.cl.Close(shut); err != nil {
			m.log.Warn("courtlistener webhooks: some accepted events were not ingested in time", "err", err)
		}
	}
	if m.socket != "" {
		os.Remove(m.socket)
		os.Remove(filepath.Dir(m.socket))
	}
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		if m.pipeline != nil {
			m.pipeline.Close() // before the pool and the store: what waits for a page stays pending
		}
		close(done)
	}()
	select {
	case <-done:
	case <-shut.Done():
		m.log.Warn("shutdown: some work did not stop in time; what it had not recorded will be done again next start")
	}
	if m.articles != nil {
		m.articles.Close()
	}
	if m.slack != nil {
		m.slack.Close()
	}
	var err error
	if m.db != nil {
		err = m.db.Close()
	}
	if m.dryCopy != "" {
		os.RemoveAll(filepath.Dir(m.dryCopy))
	}
	return err
}

// prune forgets old seen items and threads once an hour.
func (m *Main) prune(ctx context.Context) error {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		cutoff := time.Now().Add(-m.Config.Retention.D())
		if n, err := m.db.Prune(cutoff); err != nil {
			m.log.Error("prune seen items", "err", err)
		} else if n > 0 {
			m.log.Info("pruned seen items", "count", n)
		}
		if _, err := m.db.PruneThreads(cutoff); err != nil {
			m.log.Error("prune threads", "err", err)
		}
		if _, err := m.db.PruneMutes(cutoff); err != nil {
			m.log.Error("prune muted threads", "err", err)
		}
		if _, err := m.db.PrunePosted(); err != nil {
			m.log.Error("prune posted stories", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// copyStore copies the store file (if there is one) to a temporary folder.
func copyStore(path string) (string, error) {
	dir, err := os.MkdirTemp("", "wirewatch-dry-run-")
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "wirewatch.db")
	src, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return dst, nil
	}
	if err != nil {
		return "", err
	}
	defer src.Close()
	// A store held by a running daemon may be mid-write: refuse rather than
	// copy a torn file.
	probe, err := store.Open(path, store.Options{Timeout: 200 * time.Millisecond, ReadOnly: true})
	if err != nil {
		return "", err
	}
	probe.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return "", err
	}
	return dst, out.Close()
}

// newCourtListener makes the CourtListener client of commands that run
// without the daemon (log nil: discard).
func newCourtListener(c *config.Config, s config.Secrets, log *slog.Logger) *courtlistener.Client {
	return courtlistener.New(courtlistener.Options{APIURL: c.CourtListener.APIURL, Token: s.CourtListenerToken.Reveal(), Logger: log})
}

func newReaders(cl *courtlistener.Client, c *config.Config, s config.Secrets, log *slog.Logger) map[string]feeds.Reader {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cl == nil {
		cl = newCourtListener(c, s, log)
	}
	return map[string]feeds.Reader{wirewatch.FeedPACER: pacer.Reader{}, wirewatch.FeedCourtListener: cl,
		wirewatch.FeedGoogleNews: search.GoogleNews{}}
}

// Feed checks (/watch feed add) at once, and how long one more waits for
// its turn before it is refused: each holds a body of up to 10 MiB and
// its parse, and any member of a workspace may ask for one.
const (
	maxProbes = 2
	probeWait = 2 * time.Second
)

// prober checks a feed typed in chat: the URL, where it points, and that it
// parses.
type prober struct {
	fetcher      *feeds.Fetcher
	readers      map[string]feeds.Reader
	allowPrivate bool
	// slots bounds the checks under way (nil: no bound); a check waits up
	// to wait for one.
	slots chan struct{}
	wait  time.Duration
}

func newProber(f *feeds.Fetcher, readers map[string]feeds.Reader, allowPrivate bool) *prober {
	return &prober{fetcher: f, readers: readers, allowPrivate: allowPrivate,
		slots: make(chan struct{}, maxProbes), wait: probeWait}
}

// errBusy refuses a check while maxProbes others run.
var errBusy = fmt.Errorf("wirewatch is busy checking %d other feeds; try again in a minute", maxProbes)

func (p *prober) Probe(ctx context.Context, raw, name, typ string) (wirewatch.Feed, int, error) {
	if p.slots != nil {
		t := time.NewTimer(p.wait)
		defer t.Stop()
		select {
		case p.slots <- struct{}{}:
			defer func() { <-p.slots }()
		case <-t.C:
			return wirewatch.Feed{}, 0, errBusy
		case <-ctx.Done():
			return wirewatch.Feed{}, 0, ctx.Err()
		}
	}
	u, err := feeds.CheckURL(ctx, raw, p.allowPrivate)
	if err != nil {
		return wirewatch.Feed{}, 0, err
	}
	if typ == "" || typ == wirewatch.FeedAuto {
		typ = feeds.DetectType(u)
	}
	f := wirewatch.Feed{ID: "probe", URL: u.String(), Name: name, Type: typ}
	resp, err := p.fetcher.Fetch(ctx, f, feeds.Validators{}, !p.allowPrivate)
	if err != nil {
		return wirewatch.Feed{}, 0, err
	}
	parsed, err := feeds.Parse(ctx, resp.Body, f, p.readers)
	if err != nil {
		return wirewatch.Feed{}, 0, fmt.Errorf("not a feed wirewatch can read: %w", err)
	}
	if f.Name == "" {
		f.Name = parsed.Title
	}
	if f.Name == "" {
		f.Name = u.Host
	}
	return f, len(parsed.Items), nil
}

// listen binds the HTTP server and the control socket synchronously, so
// their addresses are known when Open returns.
func (m *Main) listen(ctx context.Context) error {
	if addr := m.Config.HTTP.Listen; addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		m.HTTPAddr = ln.Addr().String()
		m.serve(ctx, ln, m.routes())
	}
	allow := m.allowPeer
	if allow == nil {
		allow = sameUserOrRoot(uint32(os.Geteuid()))
	}
	sock := socketPath(m.Config.Store)
	ln, err := listenControl(m.Config.Store, allow, m.log.With("part", "control"))
	if err != nil {
		m.log.Warn("control socket unavailable; watch/feed/status commands cannot reach this daemon", "path", sock, "err", err)
		return nil
	}
	m.socket = sock
	m.serve(ctx, ln, m.controlRoutes())
	return nil
}

func (m *Main) serve(ctx context.Context, ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	m.servers = append(m.servers, srv)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.errs <- fmt.Errorf("http: %w", err)
		}
	}()
}
