package discord

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// The adapter renders and sends; the dispatcher decides what a thread is
// and keeps it in the store (see wirewatch.Poster).
var _ wirewatch.Poster = (*Discord)(nil)

// Thread auto-archive durations in minutes (one of 60, 1440, 4320, 10080).
// https://discord.com/developers/docs/resources/channel#start-thread-from-message
const (
	archiveDay  = 1440  // news threads are per day
	archiveWeek = 10080 // case threads live longer
)

// jumpBase is where message links point, whatever discord.api_url says:
// they are for people, in Discord's own client.
const jumpBase = "https://discord.com/channels/"

// Nonce kinds: one alert may make a top message (or a reply) and a
// broadcast, and each needs its own nonce.
const (
	nonceTop       = 't'
	nonceReply     = 'r'
	nonceBroadcast = 'b'
	nonceFolded    = 'f' // a burst listed in one message, named by its first alert
	nonceDigest    = 'd' // a channel's scheduled digest, named by its first alert
)

// messageCreate is the body of POST /channels/{id}/messages. discordgo's
// MessageSend has no nonce fields, so messages are posted with this
// through the session (and so through our transport and its limits).
// https://discord.com/developers/docs/resources/message#create-message
type messageCreate struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	// Nonce with EnforceNonce: Discord returns the message this author
	// already created with the same nonce in the last few minutes instead
	// of creating another, so a retry after a crash or a lost answer does
	// not post twice.
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
	// Components: an alert's buttons (components.go).
	Components []discordgo.MessageComponent `json:"components,omitempty"`
}

// nonce names the message of kind that alert a makes in its destination.
// Discord matches nonces per author, across channels, and DeliveryID is
// unique only per destination, so the channel is hashed in; 64 bits of the
// hash in base 36 keep it under Discord's 25 characters.
func nonce(kind byte, a wirewatch.Alert) string {
	h := sha256.Sum256([]byte(string(a.To) + "\x00" + a.DeliveryID() + "\x00" + string(kind)))
	return string(kind) + strconv.FormatUint(binary.BigEndian.Uint64(h[:8]), 36)
}

// create posts m in channel ch.
func (d *Discord) create(ctx context.Context, ch string, m messageCreate) (*discordgo.Message, error) {
	m.AllowedMentions = noMentions()
	ep := discordgo.EndpointChannelMessages(ch)
	b, err := d.s.RequestWithBucketID("POST", ep, m, ep, discordgo.WithContext(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	var msg discordgo.Message
	if err := json.Unmarshal(b, &msg); err != nil || !isSnowflake(msg.ID) {
		return nil, fmt.Errorf("read the posted message: %q is not a message", wirewatch.Clip(string(b), 100))
	}
	return &msg, nil
}

// channelOf is the channel id of a discord:<id> destination.
func channelOf(to wirewatch.Destination) (string, error) {
	ch := to.Channel()
	if to.Kind() != wirewatch.Discord || !isSnowflake(ch) {
		return "", wirewatch.Permanent(fmt.Errorf("discord: destination %q is not discord:<channel id>", to))
	}
	return ch, nil
}

// splitRef reads a TopRef, "<channel id>/<message id>".
func splitRef(ref string) (ch, msg string, ok bool) {
	ch, msg, ok = strings.Cut(ref, "/")
	return ch, msg, ok && isSnowflake(ch) && isSnowflake(msg)
}

// archiveFor is how long th stays open without news.
func archiveFor(th wirewatch.Thread, docket bool) int {
	if docket || th.Case() {
		return archiveWeek
	}
	return archiveDay
}

// Check asks Discord who the bot is. It also lifts the stop that a refused
// token put on every request, so that it can serve as the probe while the
// dispatcher holds Discord's alerts.
func (d *Discord) Check(ctx context.Context) error {
	d.tr.badToken.Store(false)
	u, err := d.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		err = apiError(err)
		var e *APIError
		if errors.Is(err, errBadToken) || errors.As(err, &e) && e.Status == 401 {
			return wirewatch.Auth(errors.New("discord rejected the bot token (401 on GET /users/@me): set DISCORD_BOT_TOKEN to the token under Bot in the Developer Portal"))
		}
		return classify(fmt.Errorf("discord check the bot token (GET /users/@me): %w", err))
	}
	d.mu.Lock()
	d.bot = u.ID
	d.mu.Unlock()
	d.log.Debug("discord token checked", "bot", u.Username, "bot_id", u.ID)
	return nil
}

// PostTop posts the top message of th, whose first alert is a: in a text or
// announcement channel a message that Open then starts the thread from
// (TopRef set, Ref empty); in a forum or media channel a post (both set);
// in a channel that is itself a thread, a message there (Ref is the
// channel).
func (d *Discord) PostTop(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, error) {
	ch, err := channelOf(th.To)
	if err != nil {
		return th, err
	}
	if err := d.deniedErr(ch); err != nil {
		return th, err
	}
	ci, err := d.channel(ctx, ch)
	if err != nil {
		return th, d.fail(ch, "look up channel", err)
	}
	content := topContent(th, &a)
	embed := d.alertEmbed(a)
	switch ci.typ {
	case discordgo.ChannelTypeGuildForum, discordgo.ChannelTypeGuildMedia:
		// A forum post takes no nonce: a crash between this call and the
		// dispatcher saving its answer can post it twice.
		ts := &discordgo.ThreadStart{Name: threadName(cmpOr(th.Title, a.Title)), AutoArchiveDuration: archiveFor(th, a.Docket != nil)}
		if tag := ci.tags.pick(a.Docket != nil || th.Case()); tag != "" {
			ts.AppliedTags = []string{tag}
		}
		post, err := d.s.ForumThreadStartComplex(ch, ts, &discordgo.MessageSend{
			Content: content, Embeds: []*discordgo.MessageEmbed{embed}, AllowedMentions: noMentions(),
			Components: controlsRow(a.Controls()),
		}, discordgo.WithContext(ctx))
		if err != nil {
			return th, d.fail(ch, "start forum post", err)
		}
		// A forum post's starter message has the post's id.
		th.Ref, th.TopRef = post.ID, post.ID+"/"+post.ID
		return th, nil
	}
	m, err := d.create(ctx, ch, messageCreate{
		Content: content, Embeds: []*discordgo.MessageEmbed{embed}, Nonce: nonce(nonceTop, a), EnforceNonce: true,
		Components: controlsRow(a.Controls()),
	})
	if err != nil {
		return th, d.fail(ch, "post", err)
	}
	th.TopRef = ch + "/" + m.ID
	switch ci.typ {
	case discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread, discordgo.ChannelTypeGuildNewsThread:
		// The watch was added inside a thread: threads cannot nest, so
		// the thread itself holds the alerts.
		th.Ref = ch
	default:
		th.Ref = ""
	}
	return th, nil
}

// Open starts th's thread from its top message. Without the right to
// create threads there, the channel gets its alerts flat (Ref is the
// channel) rather than not at all.
func (d *Discord) Open(ctx context.Context, th wirewatch.Thread) (wirewatch.Thread, error) {
	if th.Ref != "" {
		return th, nil
	}
	ch, msg, ok := splitRef(th.TopRef)
	if !ok {
		return th, wirewatch.Permanent(fmt.Errorf("discord start thread: top message %q is not <channel id>/<message id>", th.TopRef))
	}
	if err := d.deniedErr(ch); err != nil {
		return th, err
	}
	ts := &discordgo.ThreadStart{Name: threadName(th.Title), AutoArchiveDuration: archiveFor(th, false)}
	_, err := d.s.MessageThreadStartComplex(ch, msg, ts, discordgo.WithContext(ctx))
	err = apiError(err)
	switch code := codeOf(err); {
	case err == nil, code == codeThreadExists:
		// 160004: an earlier attempt started it. A thread started from a
		// message has the message's id either way.
		th.Ref = msg
		return th, nil
	case code == codeUnknownMessage, code == codeUnknownChannel:
		return th, fmt.Errorf("discord start thread in channel %s: top message %s: %w (%w)", ch, msg, wirewatch.ErrGone, err)
	}
	cerr := classify(err)
	if c := wirewatch.Class(cerr); (c.Permanent || c.Hold) && !c.Auth {
		// The top message is out; without thread rights (or in a kind of
		// channel without threads) later alerts follow it in the channel.
		d.warnOnce(ch, "cannot start threads; posting without threads", err)
		th.Ref = ch
		return th, nil
	}
	return th, fmt.Errorf("discord start thread in channel %s: %w", ch, cerr)
}

// Reply posts a in th's thread, reopening it if it was archived; with
// broadcast, a short line in the parent channel links to the reply.
func (d *Discord) Reply(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) (string, error) {
	ref, _, err := d.ReplyRef(ctx, th, a, broadcast)
	return ref, err
}

// ReplyRef is Reply that also returns the reply as <thread id>/<message
// id>, which EditAlert takes (edit.go).
func (d *Discord) ReplyRef(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) (string, string, error) {
	if !isSnowflake(th.Ref) {
		return th.Ref, "", wirewatch.Permanent(fmt.Errorf("discord reply: thread %q is not a channel id", th.Ref))
	}
	if _, err := channelOf(a.To); err != nil {
		return th.Ref, "", err
	}
	if err := d.deniedErr(th.Ref); err != nil {
		return th.Ref, "", err
	}
	body := messageCreate{Embeds: []*discordgo.MessageEmbed{d.alertEmbed(a)}, Nonce: nonce(nonceReply, a), EnforceNonce: true,
		Components: controlsRow(a.Controls())}
	if len(a.AlsoIn) > 0 {
		// Another outlet of the thread's story: one short line.
		body = messageCreate{Content: alsoIn(a.AlsoIn), Flags: discordgo.MessageFlagsSuppressEmbeds, Nonce: nonce(nonceReply, a), EnforceNonce: true}
	}
	m, err := d.postInThread(ctx, th, body)
	if err != nil {
		return th.Ref, "", err
	}
	if broadcast {
		if err := d.broadcast(ctx, th, a, m.ID); err != nil {
			return th.Ref, "", err
		}
	}
	return th.Ref, th.Ref + "/" + m.ID, nil
}

// alsoIn is the line naming the other outlets of a story, each linked.
func alsoIn(outlets []wirewatch.Outlet) string {
	var parts []string
	for _, o := range outlets {
		label := linkText(cmpOr(o.Source, "link"), 120)
		if t := linkTarget(o.Link); t != "" {
			label = "[" + label + "](" + t + ")"
		}
		parts = append(parts, label)
	}
	return "Also in " + strings.Join(parts, ", ")
}

// postInThread posts body in th's thread, reopening it if it was archived.
func (d *Discord) postInThread(ctx context.Context, th wirewatch.Thread, body messageCreate) (*discordgo.Message, error) {
	m, err := d.create(ctx, th.Ref, body)
	if codeOf(err) == codeArchivedThread {
		// Posting reopens an archived thread; if Discord says otherwise,
		// reopen it and try once more (the nonce keeps it single).
		open := false
		if _, err2 := d.s.ChannelEditComplex(th.Ref, &discordgo.ChannelEdit{Archived: &open}, discordgo.WithContext(ctx)); err2 != nil {
			err = apiError(err2)
			if c := codeOf(err); c != codeUnknownChannel && c != codeThreadLocked {
				return nil, d.fail(th.Ref, "reopen archived thread", err)
			}
		} else {
			m, err = d.create(ctx, th.Ref, body)
		}
	}
	if err != nil {
		switch codeOf(err) {
		case codeUnknownChannel, codeThreadLocked:
			// Deleted, or locked by a moderator: the dispatcher starts anew.
			return nil, fmt.Errorf("discord post in thread %s: %w (%w)", th.Ref, wirewatch.ErrGone, err)
		}
		return nil, d.fail(th.Ref, "post in thread", err)
	}
	return m, nil
}

// broadcastRetry is the longest rate-limit wait after which a broadcast is
// retried with its reply: within Discord's nonce window, so the retry gets
// the reply already posted instead of a second one. Other failures drop
// the broadcast (after a 5xx the dispatcher asks Delivered, which finds the
// reply): the reply is what matters.
const broadcastRetry = time.Minute

// broadcast posts, in the channel th was started in, a line that links to
// reply msgID. A thread that is its channel's only place (a flat channel,
// a thread channel, a forum post) has no channel to broadcast to.
func (d *Discord) broadcast(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert, msgID string) error {
	parent, top, ok := splitRef(th.TopRef)
	if !ok || top != th.Ref || parent == th.Ref {
		return nil
	}
	ci, err := d.channel(ctx, parent)
	if err == nil && !isSnowflake(ci.guild) {
		err = fmt.Errorf("channel %s names no server", parent)
	}
	if err == nil {
		link := jumpBase + ci.guild + "/" + th.Ref + "/" + msgID
		content := "🧵 " + plainLine(cmpOr(th.Title, "thread"), 200) + " — " + plainLine(a.Title, 300) + "\n" + link
		// SuppressEmbeds: no preview of a link in the headline; the jump
		// link still shows as a link to the reply.
		_, err = d.create(ctx, parent, messageCreate{
			Content: content, Flags: discordgo.MessageFlagsSuppressEmbeds, Nonce: nonce(nonceBroadcast, a), EnforceNonce: true,
		})
	}
	if err == nil {
		return nil
	}
	cerr := classify(fmt.Errorf("discord broadcast in channel %s: %w", parent, apiError(err)))
	c := wirewatch.Class(cerr)
	if c.Auth || !c.Permanent && !c.Hold && c.After > 0 && c.After <= broadcastRetry {
		return cerr
	}
	d.warnOnce(parent, "cannot broadcast thread replies to the channel", err)
	return nil
}

// edit sends e with no mentions allowed and returns Discord's error as
// apiError reads it (nil when the edit took).
func (d *Discord) edit(ctx context.Context, e *discordgo.MessageEdit) error {
	e.AllowedMentions = noMentions()
	if _, err := d.s.ChannelMessageEditComplex(e, discordgo.WithContext(ctx)); err != nil {
		return apiError(err)
	}
	return nil
}

// EditTop rewrites th's top message to show th as it now stands.
func (d *Discord) EditTop(ctx context.Context, th wirewatch.Thread) error {
	ch, msg, ok := splitRef(th.TopRef)
	if !ok {
		return nil // nothing to edit (a thread stored by an older version)
	}
	if err := d.deniedErr(ch); err != nil {
		return err
	}
	content := topContent(th, nil)
	err := d.edit(ctx, &discordgo.MessageEdit{Channel: ch, ID: msg, Content: &content})
	if err == nil {
		return nil
	}
	switch codeOf(err) {
	case codeUnknownMessage, codeUnknownChannel:
		// The top message, its forum post, or its channel was deleted.
		return fmt.Errorf("discord update thread summary %s: %w (%w)", th.TopRef, wirewatch.ErrGone, err)
	case codeArchivedThread:
		// An archived forum post's starter takes no edits; the next reply
		// reopens the post and the edit after it shows everything.
		d.log.Debug("discord thread summary not updated: the post is archived", "thread", th.Ref)
		return nil
	}
	return d.fail(ch, "update thread summary", err)
}

// Delivered looks for a among what the bot posted since a was queued: in
// th's thread for a reply, in the channel (or among a forum's active
// posts) for a top message, which it returns as PostTop would have. The
// nonce already covers a retry within Discord's few minutes, and a forum
// post has none; this covers those and a longer stop. Without Read Message
// History in the channel it answers false and leaves it to the nonce.
func (d *Discord) Delivered(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, bool, error) {
	ch, err := channelOf(a.To)
	if err != nil || a.Queued.IsZero() {
		return th, false, err
	}
	bot, err := d.botID(ctx)
	if err != nil {
		return th, false, classify(fmt.Errorf("discord look for an alert in flight: %w", err))
	}
	// A minute of slack for our clock against Discord's.
	since := a.Queued.Add(-time.Minute)
	want := d.alertEmbed(a)
	if th.Ref != "" {
		id, err := d.findPost(ctx, th.Ref, bot, since, want, false)
		return th, id != "", d.lookErr(th.Ref, err)
	}
	ci, err := d.channel(ctx, ch)
	if err != nil {
		return th, false, d.lookErr(ch, err)
	}
	switch ci.typ {
	case discordgo.ChannelTypeGuildForum, discordgo.ChannelTypeGuildMedia:
		id, err := d.findForumPost(ctx, ch, ci.guild, bot, threadName(cmpOr(th.Title, a.Title)), since, want)
		if id != "" {
			th.Ref, th.TopRef = id, id+"/"+id
		}
		return th, id != "", d.lookErr(ch, err)
	}
	id, err := d.findPost(ctx, ch, bot, since, want, true)
	if id == "" {
		return th, false, d.lookErr(ch, err)
	}
	th.TopRef, th.Ref = ch+"/"+id, ""
	switch ci.typ {
	case discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread, discordgo.ChannelTypeGuildNewsThread:
		th.Ref = ch
	}
	return th, true, nil
}

// lookErr is what a failed look for an alert in flight returns: nothing
// where the channel will not show its history (the nonce is left to keep
// the post single), else the classified error.
func (d *Discord) lookErr(ch string, err error) error {
	if err == nil {
		return nil
	}
	err = apiError(err)
	switch codeOf(err) {
	case codeMissingAccess, codeMissingPerms, codeUnknownChannel:
		d.warnOnce(ch, "cannot read the channel's history to find an alert in flight at a stop; relying on the nonce", err)
		return nil
	}
	return classify(fmt.Errorf("discord look for an alert in flight in channel %s: %w", ch, err))
}

// maxLookPages bounds the history read for one alert in flight.
const maxLookPages = 5

// findPost returns the id of the bot's message in ch since since whose
// embed is want (and, for a top message, which starts with our marker).
func (d *Discord) findPost(ctx context.Context, ch, bot string, since time.Time, want *discordgo.MessageEmbed, top bool) (string, error) {
	after := snowflakeAt(since)
	for range maxLookPages {
		ms, err := d.s.ChannelMessages(ch, 100, "", after, "", discordgo.WithContext(ctx))
		if err != nil {
			return "", err
		}
		for _, m := range ms {
			if m.Author != nil && m.Author.ID == bot && sameEmbed(m.Embeds, want) && (!top || strings.HasPrefix(m.Content, "📌")) {
				return m.ID, nil
			}
			if idAfter(m.ID, after) {
				after = m.ID
			}
		}
		if len(ms) < 100 {
			break
		}
	}
	return "", nil
}

// findForumPost returns the id of the bot's active post named name in
// forum ch since since whose starter message carries want.
func (d *Discord) findForumPost(ctx context.Context, ch, guild, bot, name string, since time.Time, want *discordgo.MessageEmbed) (string, error) {
	if !isSnowflake(guild) {
		return "", nil
	}
	list, err := d.s.GuildThreadsActive(guild, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	from := snowflakeAt(since)
	for _, t := range list.Threads {
		if t.ParentID != ch || t.OwnerID != bot || t.Name != name || !idAfter(t.ID, from) {
			continue
		}
		m, err := d.s.ChannelMessage(t.ID, t.ID, discordgo.WithContext(ctx))
		if err != nil {
			return "", err
		}
		if sameEmbed(m.Embeds, want) {
			return t.ID, nil
		}
	}
	return "", nil
}

// sameEmbed tells whether a posted message's embeds are the one we sent.
func sameEmbed(got []*discordgo.MessageEmbed, want *discordgo.MessageEmbed) bool {
	return len(got) > 0 && got[0].Title == want.Title && got[0].URL == want.URL && got[0].Timestamp == want.Timestamp
}

// discordEpoch is the first millisecond of Discord's snowflakes (2015).
const discordEpoch = 1420070400000

// snowflakeAt is the smallest id of a message made at t.
func snowflakeAt(t time.Time) string {
	return strconv.FormatInt(max(t.UnixMilli()-discordEpoch, 0)<<22, 10)
}

// idAfter tells whether snowflake a is later than b.
func idAfter(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	return err1 == nil && err2 == nil && x > y
}

// botID is the bot's user id, asked of Discord once.
func (d *Discord) botID(ctx context.Context) (string, error) {
	d.mu.Lock()
	id := d.bot
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	u, err := d.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return "", apiError(err)
	}
	d.mu.Lock()
	d.bot = u.ID
	d.mu.Unlock()
	return u.ID, nil
}
