package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

var _ wirewatch.Folder = (*Discord)(nil)

// A folded message lists a burst in embeds of at most foldPerEmbed lines,
// each line short enough that wirewatch.FoldMax lines stay within the
// 6,000 characters Discord allows a message's embeds in all.
const (
	foldPerEmbed  = 10
	foldTitle     = 90  // a headline's characters
	foldLinkMax   = 120 // longer addresses: the headline without its link
	foldSourceMax = 25
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
	if _, err := d.create(ctx, ch, messageCreate{Embeds: es, Nonce: nonce(nonceDigest, as[0]), EnforceNonce: true}); err != nil {
		return d.fail(ch, "post digest", err)
	}
	return nil
}

// foldedEmbeds renders the burst as embeds of foldPerEmbed lines.
func foldedEmbeds(as []wirewatch.Alert) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for i := 0; i < len(as); i += foldPerEmbed {
		part := as[i:min(i+foldPerEmbed, len(as))]
		lines := make([]string, len(part))
		for j, a := range part {
			lines[j] = "• " + foldedLine(a)
		}
		e := &discordgo.MessageEmbed{Description: truncate(strings.Join(lines, "\n"), maxDescription), Color: colorNews}
		if i == 0 {
			e.Title = fmt.Sprintf("%d more items", len(as))
		}
		out = append(out, e)
	}
	return out
}

// foldedLine is one alert of a folded message: at most about 290
// characters whatever the feed says.
func foldedLine(a wirewatch.Alert) string {
	title := a.Title
	if a.Docket != nil && strings.TrimSpace(a.Title) == "" && strings.TrimSpace(a.Docket.ShortDescription) != "" {
		title = a.Docket.ShortDescription
	}
	when := a.Published
	if when.IsZero() {
		when = a.Queued
	}
	return listLine(title, a.Link, a.Source, when, foldTitle, foldLinkMax, foldSourceMax)
}
