// Package discord delivers alerts to Discord channels and takes the /watch
// command there.
//
// Delivery: the adapter is a wirewatch.Poster. The dispatcher decides what a
// thread is (its top message, what is broadcast, folded, held or edited)
// and keeps it in the store; the adapter renders and sends:
//   - PostTop posts a thread's top message: in a text or announcement
//     channel a message that Open then starts the thread from, in a forum or
//     media channel a post, in a channel that is itself a thread a message
//     there. Thread.Ref is the thread's channel id and Thread.TopRef is
//     "<channel id>/<message id>" of the top message.
//   - Reply posts an alert in the thread (reopening it if archived) and,
//     broadcast, a line with a link to it in the channel; EditTop rewrites
//     the top message from the thread as the dispatcher passes it.
//   - Every message but a forum post carries a nonce (the alert's
//     DeliveryID, hashed with the destination) with enforce_nonce, so a
//     retry after a crash gets the message already posted; Delivered looks
//     for an alert in flight at a stop among the bot's recent posts.
//
// Each alert is one embed (title linked, summary with the matched terms in
// bold, fields for source, time and watches), cut on rune boundaries to
// Discord's limits so that no message fails for length. Every message, edit
// and reply sends allowed_mentions with an empty parse list, and text from
// feeds has Discord markdown escaped: nothing in a feed can ping anyone.
//
// Errors are classified for the dispatcher: a refused token (401) is Auth,
// Missing Access or Missing Permissions (50001, 50013) for a channel or a
// thread are Hold, an unknown channel is Permanent, a deleted or locked
// thread or top message wraps wirewatch.ErrGone.
//
// Rate limits are ours, not discordgo's: its retry is off, a transport stays
// under the 50 requests/s global limit (45/s), keeps the per-route buckets
// Discord announces and a budget of invalid (401, 403, 429) answers, and
// pauses a channel that refused us, so retries never hammer Discord.
//
// Commands: one /watch command with subcommands, through the gateway or the
// HTTP interactions endpoint. See docs/discord.md.
package discord

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch/bot/replay"
)

// DefaultAPIURL is where Discord is when discord.api_url is not set.
const DefaultAPIURL = "https://discord.com/"

// DefaultColdStart is Options.ColdStart's default: Discord's message buckets
// (5 per 5 s per channel) reset within it.
const DefaultColdStart = 5 * time.Second

// Options configure a Discord adapter.
type Options struct {
	// APIURL: every REST and gateway request goes to this scheme and host
	// instead of discord.com (paths are Discord's). Empty: Discord.
	APIURL        string
	Token         string // DISCORD_BOT_TOKEN, without "Bot "
	PublicKey     string // DISCORD_PUBLIC_KEY (hex Ed25519) for the interactions endpoint
	ApplicationID string // empty or "0": learnt from the gateway's READY
	GuildID       string // set: register commands in this guild; empty: globally
	Gateway       bool   // open the gateway
	TimeZone      *time.Location
	HTTPClient    *http.Client // base transport; nil: http.DefaultTransport
	Logger        *slog.Logger
	Now           func() time.Time // for the timestamp window; nil: time.Now
	// Replays, if set, keeps the interactions already handled across
	// restarts (the memory guard alone forgets them).
	Replays replay.Store
	// ColdStart is how long message posts and edits wait after New, so that
	// a restart does not meet a channel's rate-limit bucket the run before
	// spent (Discord's message buckets reset within 5 s). 0: 5 s; < 0: none.
	ColdStart time.Duration
}

// Discord is the adapter: a wirewatch.Poster for discord:<channel id>
// destinations and the /watch command.
type Discord struct {
	s         *discordgo.Session
	tr        *transport
	log       *slog.Logger
	tz        *time.Location
	now       func() time.Time
	publicKey []byte
	appID     string
	guildID   string
	gateway   bool
	// deferAfter is how long a command may run before its reply is deferred.
	deferAfter time.Duration
	noKeyOnce  sync.Once
	replays    replay.Guard // interactions already handled

	mu       sync.Mutex
	channels map[string]channelInfo // channel id → what kind it is
	denied   map[string]denial      // channel id → permanent failure, not retried for a while
	warned   map[string]bool        // warnings already logged
	ready    chan struct{}          // closed on the gateway's first READY
	readyApp string                 // application id from READY
	bot      string                 // the bot's user id, from Check or GET /users/@me
}

type channelInfo struct {
	typ     discordgo.ChannelType
	guild   string    // the server, for message links
	parent  string    // a thread's channel
	tags    tagChoice // forum channels
	fetched time.Time
}

type denial struct {
	err   error
	until time.Time
}

// New checks o and builds the adapter. It makes no request.
func New(o Options) (*Discord, error) {
	if o.Token == "" && o.Gateway {
		return nil, errors.New("discord: a bot token (DISCORD_BOT_TOKEN) is needed")
	}
	api := o.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	u, err := url.Parse(api)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord.api_url %q: want an http or https URL with a host", api)
	}
	var target *url.URL
	if u.Host != "discord.com" || u.Scheme != "https" {
		target = &url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	var pub []byte
	if o.PublicKey != "" {
		pub, err = parsePublicKey(o.PublicKey)
		if err != nil {
			return nil, err
		}
	}
	base := http.DefaultTransport
	timeout := 20 * time.Second
	if o.HTTPClient != nil {
		if o.HTTPClient.Transport != nil {
			base = o.HTTPClient.Transport
		}
		if o.HTTPClient.Timeout != 0 {
			timeout = o.HTTPClient.Timeout
		}
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tz := o.TimeZone
	if tz == nil {
		tz = time.UTC
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	auth := ""
	if o.Token != "" {
		auth = "Bot " + o.Token
	}
	// Without a token (HTTP interactions only) no Authorization is sent:
	// interaction replies are authorised by their own token.
	s, err := discordgo.New(auth)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	tr := &transport{base: base, target: target, lim: newLimiter()}
	cold := o.ColdStart
	if cold == 0 {
		cold = DefaultColdStart
	}
	if cold > 0 {
		tr.lim.coldUntil = time.Now().Add(cold)
	}
	s.Client = &http.Client{Transport: tr, Timeout: timeout}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.StateEnabled = false
	// discordgo logs with the standard logger; we log through slog from
	// its events and errors instead.
	s.LogLevel = -1
	s.Identify.Intents = discordgo.IntentsNone
	s.UserAgent = "DiscordBot (https://github.com/wirewatch/wirewatch, 1) wirewatch"
	dialer := *s.Dialer
	dialer.HandshakeTimeout = 10 * time.Second
	s.Dialer = &dialer
	appID := o.ApplicationID
	if appID == "0" {
		appID = ""
	}
	return &Discord{
		s:          s,
		tr:         tr,
		log:        log,
		tz:         tz,
		now:        now,
		publicKey:  pub,
		appID:      appID,
		guildID:    o.GuildID,
		gateway:    o.Gateway,
		deferAfter: 2 * time.Second,
		replays:    replay.Guard{Store: o.Replays, Log: log},
		channels:   map[string]channelInfo{},
		denied:     map[string]denial{},
		warned:     map[string]bool{},
		ready:      make(chan struct{}),
	}, nil
}

// noMentions is sent with every message, edit and reply: nothing is parsed
// as a mention. https://discord.com/developers/docs/resources/message#allowed-mentions-object
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// BotPermissions are the permissions the bot needs in the channels it posts
// to: View Channels, Send Messages, Embed Links, Read Message History (to
// find an alert that was in flight when the process stopped), Create Public
// Threads and Send Messages in Threads (309237730304).
const BotPermissions = int64(discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionReadMessageHistory |
	discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads)

// InviteURL is the address that adds the bot, with its commands and
// BotPermissions, to a server.
func InviteURL(applicationID string) string {
	return "https://discord.com/oauth2/authorize?client_id=" + url.QueryEscape(applicationID) +
		"&scope=bot+applications.commands&permissions=" + fmt.Sprint(BotPermissions)
}
