package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

var _ wirewatch.Folder = (*Discord)(nil)

// A folded message lists a burst in embeds of at most foldPerEmbed lines.
// Each line is a headline (linked when its address is at most foldLinkMax
// characters), its source and time, shortened and unlinked as far as
// wirewatch.FoldMax lines need to stay within foldBudget: the 6,000
// characters Discord allows a message's embeds in all, less the embeds'
// titles. The smallest line is about 110 characters.
const (
	foldPerEmbed  = 10
	foldTitle     = 90  // a headline's characters
	foldLinkMax   = 120 // longer addresses: the headline without its link
	foldSourceMax = 25
	foldBudget    = maxEmbedTotal - 200
)

// ReplyFolded posts a burst as one message in th: a line per alert, its
// headline linked, its source and time. Its nonce is the first alert's, so
// a retry within Discord's nonce window returns the message posted.
func (d *Discord) ReplyFolded(ctx context.Context, th wirewatch.Thread, as []wirewatch.Alert) (string, error) {
	if len(as) == 0 {
		return th.Ref, nil
	}
	if !isSnowflake(th.Ref) {
		return th.Ref, wirewatch.Permanent(fmt.Errorf("discord reply: thread %q is not a channel id", th.Ref))
	}
	if _, err := channelOf(as[0].To); err != nil {
		return th.Ref, err
	}
	if err := d.deniedErr(th.Ref); err != nil {
		return th.Ref, err
	}
	body := messageCreate{Embeds: foldedEmbeds(as), Nonce: nonce(nonceFolded, as[0]), EnforceNonce: true}
	if _, err := d.postInThread(ctx, th, body); err != nil {
		return th.Ref, err
	}
	return th.Ref, nil
}

var _ wirewatch.Digester = (*Discord)(nil)

// PostDigest posts a channel's digest in the channel itself: the alerts
// listed as a folded message lists them, with the first alert's nonce.
func (d *Discord) PostDigest(ctx context.Context, as []wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	ch, err := channelOf(as[0].To)
	if err != nil {
		return err
	}
	if err := d.deniedErr(ch); err != nil {
		return err
	}
	es := foldedEmbeds(as)
	es[0].Title = "Digest: 1 item"
	if len(as) != 1 {
		es[0].Title = fmt.Sprintf("Digest: %d items", len(as))
	}
	ci, err := d.channel(ctx, ch)
	if err != nil {
		return d.fail(ch, "look up channel", err)
	}
	switch ci.typ {
	case discordgo.ChannelTypeGuildForum, discordgo.ChannelTypeGuildMedia:
		// A forum takes no plain messages: the digest is a post of its
		// own, named for its first alert's day. Like every forum post it
		// takes no nonce, so a crash between this call and the
		// dispatcher's record can post it twice.
		when := as[0].Queued
		if when.IsZero() {
			when = time.Now()
		}
		ts := &discordgo.ThreadStart{Name: threadName(es[0].Title + " · " + when.In(d.tz).Format("Jan 2, 2006")), AutoArchiveDuration: archiveDay}
		if tag := ci.tags.pick(false); tag != "" {
			ts.AppliedTags = []string{tag}
		}
		if _, err := d.s.ForumThreadStartComplex(ch, ts, &discordgo.MessageSend{Embeds: es, AllowedMentions: noMentions()}, discordgo.WithContext(ctx)); err != nil {
			return d.fail(ch, "start digest post", err)
		}
		return nil
	}
	if _, err := d.create(ctx, ch, messageCreate{Embeds: es, Nonce: nonce(nonceDigest, as[0]), EnforceNonce: true}); err != nil {
		return d.fail(ch, "post digest", err)
	}
	return nil
}

// foldedEmbeds renders the burst as embeds of foldPerEmbed lines.
func foldedEmbeds(as []wirewatch.Alert) []*discordgo.MessageEmbed {
	lines := wirewatch.FitLines(len(as), 3, foldBudget-len(as), func(i, level int) string {
		return "• " + foldedLine(as[i], level)
	})
	var out []*discordgo.MessageEmbed
	for i := 0; i < len(as); i += foldPerEmbed {
		part := lines[i:min(i+foldPerEmbed, len(as))]
		e := &discordgo.MessageEmbed{Description: truncate(strings.Join(part, "\n"), maxDescription), Color: colorNews}
		if i == 0 {
			e.Title = fmt.Sprintf("%d more items", len(as))
		}
		out = append(out, e)
	}
	return out
}

// foldedLine is one alert of a folded message, at level 0 (at most about
// 290 characters whatever the feed says) to 2 (shorter, unlinked; about
// 110).
func foldedLine(a wirewatch.Alert, level int) string {
	when := a.Published
	if when.IsZero() {
		when = a.Queued
	}
	title, link, source := a.Listed()
	switch level {
	case 0:
		return listLine(title, link, source, when, foldTitle, foldLinkMax, foldSourceMax)
	case 1:
		return listLine(title, "", source, when, 60, 0, 20)
	}
	return listLine(title, "", source, when, 30, 0, 10)
}
