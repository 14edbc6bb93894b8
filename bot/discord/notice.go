package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

var _ wirewatch.Noticer = (*Discord)(nil)

// maxNotice bounds a notice's text (Discord allows 2,000 characters of
// content).
const maxNotice = 600

// PostNotice posts one of wirewatch's own notices (a feed failing or
// recovered, alerts parked) in th's thread, or in the channel when th has
// none: plain text, escaped, with no mentions allowed. A forum takes no
// plain messages, so a notice for a forum's root is refused.
func (d *Discord) PostNotice(ctx context.Context, th wirewatch.Thread, text string) error {
	ch, err := channelOf(th.To)
	if err != nil {
		return err
	}
	target := ch
	if th.Ref != "" {
		target = th.Ref
	} else if ci, err := d.channel(ctx, ch); err != nil {
		return d.fail(ch, "look up channel", err)
	} else if ci.typ == discordgo.ChannelTypeGuildForum || ci.typ == discordgo.ChannelTypeGuildMedia {
		return wirewatch.Permanent(fmt.Errorf("discord notice in channel %s: a forum takes no messages outside its posts", ch))
	}
	if err := d.deniedErr(target); err != nil {
		return err
	}
	content := escape(truncate(text, maxNotice))
	if _, err := d.create(ctx, target, messageCreate{Content: content, Flags: discordgo.MessageFlagsSuppressEmbeds}); err != nil {
		return d.fail(target, "post notice", err)
	}
	return nil
}
