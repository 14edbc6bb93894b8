package discord

import (
	"context"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

var _ wirewatch.Editor = (*Discord)(nil)

// EditAlert rewrites message msg (<channel id>/<message id>: a reply, or
// th's top message) to show a as it now reads, with a field "✏️ Updated"
// and the time, shown in each reader's zone. Only the embed changes: a
// top's summary (its content) stays for EditTop.
func (d *Discord) EditAlert(ctx context.Context, th wirewatch.Thread, msg string, a wirewatch.Alert, at time.Time) error {
	ch, id, ok := splitRef(msg)
	if !ok {
		return wirewatch.Permanent(fmt.Errorf("discord edit alert: %q is not <channel id>/<message id>", msg))
	}
	if err := d.deniedErr(ch); err != nil {
		return err
	}
	embeds := []*discordgo.MessageEmbed{d.alertEmbed(a,
		&discordgo.MessageEmbedField{Name: "✏️ Updated", Value: fmt.Sprintf("<t:%d:f>", at.Unix()), Inline: true})}
	err := d.edit(ctx, &discordgo.MessageEdit{Channel: ch, ID: id, Embeds: &embeds})
	if err == nil {
		return nil
	}
	switch codeOf(err) {
	case codeUnknownMessage, codeUnknownChannel:
		return fmt.Errorf("discord edit alert %s: %w (%w)", msg, wirewatch.ErrGone, err)
	}
	return d.fail(ch, "edit alert", err)
}
