package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// Thread auto-archive durations in minutes (one of 60, 1440, 4320, 10080).
// https://discord.com/developers/docs/resources/channel#start-thread-from-message
const (
	archiveDay  = 1440  // news threads are per day
	archiveWeek = 10080 // case threads live longer
)

// Send posts a into the thread th and returns the thread as it now stands.
// See wirewatch.Sender and the package doc for the thread rules.
func (d *Discord) Send(ctx context.Context, a wirewatch.Alert, th wirewatch.Thread) (wirewatch.Thread, error) {
	ch := a.To.Channel()
	if a.To.Kind() != wirewatch.Discord || !isSnowflake(ch) {
		return th, wirewatch.Permanent(fmt.Errorf("discord send: destination %q is not discord:<channel id>", a.To))
	}
	if err := d.deniedErr(ch); err != nil {
		return th, err
	}
	now := d.now()
	next := th
	if next.Key == "" {
		next.Key = a.Thread
	}
	next.To = a.To
	if next.Title == "" {
		next.Title = d.threadTitle(a)
	}
	next.Count++
	next.Latest = a.Title
	next.Updated = now
	if next.Started.IsZero() {
		next.Started = now
	}

	if a.Quiet {
		if th.Ref == "" {
			return next, nil
		}
		err := d.editTop(ctx, next)
		switch {
		case err == nil:
			return next, nil
		case d.topGone(next, err):
			// The next posted alert starts a new thread.
			next.Ref, next.TopRef = "", ""
			return next, nil
		case codeOf(err) == codeArchivedThread:
			// An archived forum post: counted now, shown when the next
			// posted alert reopens it.
			return next, nil
		default:
			return th, d.fail(ch, "update thread summary", err)
		}
	}

	next.Posted++
	if th.Ref == "" {
		return d.start(ctx, a, th, next)
	}
	topArchived := false
	if err := d.editTop(ctx, next); err != nil {
		switch {
		case d.topGone(next, err):
			d.log.Info("discord thread top message is gone; starting a new thread", "channel", ch, "thread", next.Ref)
			return d.start(ctx, a, th, next.Restart(now))
		case codeOf(err) == codeArchivedThread:
			topArchived = true // a forum post's starter: posting reopens it
		default:
			return th, d.fail(ch, "update thread summary", err)
		}
	}
	err := d.post(ctx, next.Ref, a)
	if codeOf(err) == codeArchivedThread {
		// Posting normally reopens an archived thread; if Discord says
		// otherwise, reopen it explicitly and try once more.
		open := false
		if _, err2 := d.s.ChannelEditComplex(next.Ref, &discordgo.ChannelEdit{Archived: &open}, discordgo.WithContext(ctx)); err2 != nil {
			return th, d.fail(ch, "reopen archived thread", err2)
		}
		err = d.post(ctx, next.Ref, a)
	}
	if err != nil {
		switch codeOf(err) {
		case codeUnknownChannel, codeThreadLocked:
			// Deleted or locked by a moderator: replace it.
			d.log.Info("discord thread deleted or locked; starting a new thread", "channel", ch, "thread", next.Ref)
			return d.start(ctx, a, th, next.Restart(now))
		}
		return th, d.fail(ch, "post in thread", err)
	}
	if topArchived {
		if err := d.editTop(ctx, next); err != nil {
			d.log.Debug("discord thread summary not updated", "channel", ch, "thread", next.Ref, "err", apiError(err))
		}
	}
	return next, nil
}

// start posts a as the top message of a new thread and starts the thread:
// from the message in a text channel, as a post in a forum, and not at all
// in a channel that is itself a thread. old is returned on failure.
func (d *Discord) start(ctx context.Context, a wirewatch.Alert, old, th wirewatch.Thread) (wirewatch.Thread, error) {
	ch := a.To.Channel()
	ci, err := d.channel(ctx, ch)
	typ := ci.typ
	if err != nil {
		return old, d.fail(ch, "look up channel", err)
	}
	msg := &discordgo.MessageSend{
		Content:         summaryLine(th),
		Embeds:          []*discordgo.MessageEmbed{d.alertEmbed(a)},
		AllowedMentions: noMentions(),
	}
	ts := &discordgo.ThreadStart{Name: threadName(th.Title), AutoArchiveDuration: archiveDay}
	if a.Docket != nil {
		ts.AutoArchiveDuration = archiveWeek
	}
	switch typ {
	case discordgo.ChannelTypeGuildForum, discordgo.ChannelTypeGuildMedia:
		if tag := ci.tags.pick(a.Docket != nil); tag != "" {
			ts.AppliedTags = []string{tag}
		}
		post, err := d.s.ForumThreadStartComplex(ch, ts, msg, discordgo.WithContext(ctx))
		if err != nil {
			return old, d.fail(ch, "start forum post", err)
		}
		// A forum post's starter message has the thread's id.
		th.Ref, th.TopRef = post.ID, post.ID+"/"+post.ID
		return th, nil
	case discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread, discordgo.ChannelTypeGuildNewsThread:
		// The watch was added inside a thread: threads cannot nest, so the
		// thread itself holds the alerts.
		m, err := d.s.ChannelMessageSendComplex(ch, msg, discordgo.WithContext(ctx))
		if err != nil {
			return old, d.fail(ch, "post", err)
		}
		th.Ref, th.TopRef = ch, ch+"/"+m.ID
		return th, nil
	}

	// A text or announcement channel. A top message posted by an earlier
	// attempt whose thread start failed is reused, not posted again.
	pk := ch + " " + th.Key
	d.mu.Lock()
	msgID := d.pending[pk]
	d.mu.Unlock()
	if msgID == "" {
		m, err := d.s.ChannelMessageSendComplex(ch, msg, discordgo.WithContext(ctx))
		if err != nil {
			return old, d.fail(ch, "post", err)
		}
		msgID = m.ID
		d.setPending(pk, msgID)
	}
	_, err = d.s.MessageThreadStartComplex(ch, msgID, ts, discordgo.WithContext(ctx))
	switch code := codeOf(apiError(err)); {
	case err == nil, code == codeThreadExists:
		// 160004: an earlier attempt started it; the thread has the
		// message's id either way.
	case code == codeUnknownMessage:
		d.setPending(pk, "")
		return old, fmt.Errorf("start thread in channel %s: top message deleted before the thread started: %w", ch, apiError(err))
	default:
		cerr := classify(apiError(err))
		if c := wirewatch.Class(cerr); c.Permanent || c.Hold {
			// The message is out; without thread rights the channel gets
			// flat alerts rather than parked ones.
			d.setPending(pk, "")
			d.warnOnce(ch, "cannot start threads; posting without threads", apiError(err))
			th.Ref, th.TopRef = ch, ch+"/"+msgID
			return th, nil
		}
		return old, fmt.Errorf("start thread in channel %s: %w", ch, cerr)
	}
	d.setPending(pk, "")
	th.Ref, th.TopRef = msgID, ch+"/"+msgID
	return th, nil
}

func (d *Discord) setPending(k, msgID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if msgID == "" {
		delete(d.pending, k)
		return
	}
	if len(d.pending) >= maxPending {
		clear(d.pending)
	}
	d.pending[k] = msgID
}

// post sends a's embed to channel (a thread's id, for replies).
func (d *Discord) post(ctx context.Context, channel string, a wirewatch.Alert) error {
	_, err := d.s.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{d.alertEmbed(a)},
		AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	return apiError(err)
}

// editTop rewrites the running summary on th's top message.
func (d *Discord) editTop(ctx context.Context, th wirewatch.Thread) error {
	c, m, ok := strings.Cut(th.TopRef, "/")
	if !ok || !isSnowflake(c) || !isSnowflake(m) {
		return nil // nothing to edit (a thread stored by an older version)
	}
	line := summaryLine(th)
	_, err := d.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		Channel: c, ID: m, Content: &line, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	return apiError(err)
}

// topGone tells whether err from editing th's top message means the
// message (or the forum post holding it) was deleted.
func (d *Discord) topGone(th wirewatch.Thread, err error) bool {
	switch codeOf(err) {
	case codeUnknownMessage:
		return true
	case codeUnknownChannel:
		// In a forum the top message lives in the thread: the post is gone.
		// Elsewhere it is the parent channel that is gone.
		c, _, _ := strings.Cut(th.TopRef, "/")
		return c == th.Ref
	}
	return false
}
