package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/user"
	"strings"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/config"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/store"
)

func shellUser() string {
	if u, err := user.Current(); err == nil {
		return "shell:" + u.Username
	}
	return "shell"
}

// cmdCatalog runs "watch …" and "feed …" with the chat commands' rules,
// through the running daemon when there is one, else on the store itself.
func cmdCatalog(ctx context.Context, noun string, args []string, e env) error {
	if len(args) == 0 {
		return usagef("usage: wirewatch %s add|list|drop …", noun)
	}
	verb, args := args[0], args[1:]
	fs := newFlags(noun+" "+verb, e)
	cfgFlag := fs.String("config", "", "config file")
	var to, name, typ *string
	switch {
	case noun == "watch" && verb == "add":
		to = fs.String("to", "", "destination: stdout, slack:<channel id> or discord:<channel id>")
	case noun == "feed" && verb == "add":
		name = fs.String("name", "", "display name (default: the feed's title)")
		typ = fs.String("type", "auto", "auto, rss, pacer or courtlistener")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c := wirewatch.Command{User: shellUser(), MayManageFeeds: true}
	rest := strings.TrimSpace(strings.Join(fs.Args(), " "))
	switch noun + " " + verb {
	case "watch add":
		if *to == "" || rest == "" {
			return usagef("usage: wirewatch watch add -to DEST QUERY")
		}
		d, err := wirewatch.ParseDestination(*to)
		if err != nil {
			return &usageError{err.Error()}
		}
		c.Verb, c.Channel, c.Arg = wirewatch.CmdAdd, d, rest
	case "watch list":
		c.Verb = wirewatch.CmdList
	case "watch drop":
		if fs.NArg() != 1 {
			return usagef("usage: wirewatch watch drop ID")
		}
		c.Verb, c.Arg = wirewatch.CmdDrop, rest
	case "watch alias":
		if fs.NArg() < 2 {
			return usagef("usage: wirewatch watch alias ID SPELLING")
		}
		c.Verb, c.Arg, c.Alias = wirewatch.CmdAlias, fs.Arg(0), strings.Join(fs.Args()[1:], " ")
	case "feed add":
		if fs.NArg() != 1 {
			return usagef("usage: wirewatch feed add [-name N] [-type T] URL")
		}
		if err := config.CheckFeedURL(rest); err != nil {
			return &usageError{"feed add: " + err.Error()}
		}
		switch *typ {
		case wirewatch.FeedAuto, wirewatch.FeedRSS, wirewatch.FeedPACER, wirewatch.FeedCourtListener:
		default:
			return usagef("-type %q: want auto, rss, pacer or courtlistener", *typ)
		}
		c.Verb, c.Arg, c.Name, c.Type = wirewatch.CmdFeedAdd, rest, *name, *typ
	case "feed list":
		c.Verb = wirewatch.CmdFeedList
	case "feed drop":
		if fs.NArg() != 1 {
			return usagef("usage: wirewatch feed drop ID")
		}
		c.Verb, c.Arg = wirewatch.CmdFeedDrop, rest
	default:
		verbs := "add|list|drop"
		if noun == "watch" {
			verbs += "|alias"
		}
		return usagef("unknown command %q: wirewatch %s %s", noun+" "+verb, noun, verbs)
	}
	cfg, err := loadConfig(*cfgFlag, e)
	if err != nil {
		return err
	}
	reply, err := command(ctx, cfg, c, e)
	if err != nil {
		return err
	}
	if reply.Refused {
		return &usageError{reply.Text}
	}
	fmt.Fprintln(e.stdout, reply.Text)
	return nil
}

func command(ctx context.Context, cfg *config.Config, c wirewatch.Command, e env) (wirewatch.Reply, error) {
	var reply wirewatch.Reply
	if cl := dialDaemon(cfg.Store); cl != nil {
		return reply, cl.call(ctx, http.MethodPost, "/command", c, &reply, 1<<20)
	}
	db, err := store.Open(cfg.Store, store.Options{Timeout: time.Second})
	if err != nil {
		return reply, err
	}
	defer db.Close()
	stored, err := db.Watches()
	if err != nil {
		return reply, err
	}
	list := bot.NewWatchlist()
	list.SetAll(append(cfg.DomainWatches(), stored...))
	secrets := config.SecretsFromEnv(e.getenv)
	cl := newCourtListener(cfg, secrets, nil)
	fetcher := feeds.NewFetcher(feeds.Options{UserAgent: userAgent(), Header: cl.Header})
	cmds := &bot.Commands{DB: db, List: list, ConfigFeeds: cfg.DomainFeeds(), Location: cfg.Location, Search: cfg.SearchOptions(),
		Prober: &prober{fetcher: fetcher, readers: newReaders(cl, cfg, secrets, nil), allowPrivate: cfg.AllowPrivateFeeds},
		Log:    newLogger(io.Discard, cfg.Log)}
	return cmds.Command(ctx, c), nil
}

// requeue moves dest's parked alerts back to its outbox.
func requeue(db *store.DB, dest string) (int, error) {
	d, err := wirewatch.ParseDestination(dest)
	if err != nil {
		return 0, err
	}
	return db.Requeue(d)
}

// cmdRequeue sends a destination's parked alerts again, once the cause is
// fixed (the bot invited to the channel, a token renewed).
func cmdRequeue(ctx context.Context, args []string, e env) error {
	fs := newFlags("requeue", e)
	cfgFlag := fs.String("config", "", "config file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("usage: wirewatch requeue [-config F] DEST")
	}
	if _, err := wirewatch.ParseDestination(fs.Arg(0)); err != nil {
		return &usageError{err.Error()}
	}
	c, err := loadConfig(*cfgFlag, e)
	if err != nil {
		return err
	}
	var n int
	if cl := dialDaemon(c.Store); cl != nil {
		if err := cl.call(ctx, http.MethodPost, "/requeue?to="+url.QueryEscape(fs.Arg(0)), nil, &n, 4096); err != nil {
			return err
		}
	} else {
		db, err := store.Open(c.Store, store.Options{Timeout: time.Second})
		if err != nil {
			return err
		}
		defer db.Close()
		if n, err = requeue(db, fs.Arg(0)); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "%d parked alerts for %s queued again\n", n, fs.Arg(0))
	return nil
}
