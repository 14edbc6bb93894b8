package discord

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// Buttons on alerts: each alert message carries one action row of its
// wirewatch.Alert.Controls. A press comes back as a message-component
// interaction (gateway or POST /discord/interactions, verified as commands
// are); it needs Manage Channels in the channel, as the commands that
// change a channel's alerts do, and is answered within 3 s: a new
// ephemeral message (type 4), or, pressed in one of our ephemeral answers
// (a confirmation), that answer updated in place (type 7).
// https://discord.com/developers/docs/interactions/message-components

// Component limits (https://discord.com/developers/docs/components/reference#button).
const (
	maxRowButtons = 5   // buttons in an action row
	maxCustomID   = 100 // a button's custom_id
	maxButtonText = 80  // a button's label
	// customPrefix marks our buttons' custom_ids, before Control.ID.
	customPrefix = "ww:"
	pressTimeout = 30 * time.Second
)

// controlsRow renders cs as one action row (nil when there are none).
// Labels carry no text from chat or feeds (wirewatch.Alert.Controls).
func controlsRow(cs []wirewatch.Control) []discordgo.MessageComponent {
	var bs []discordgo.MessageComponent
	for _, c := range cs {
		id := customPrefix + c.ID()
		if len(id) > maxCustomID || len(bs) == maxRowButtons {
			continue
		}
		label := strings.Join(strings.Fields(c.Label), " ")
		if utf8.RuneCountInString(label) > maxButtonText {
			label = string([]rune(label)[:maxButtonText-1]) + "…"
		}
		style := discordgo.SecondaryButton
		if c.Action == wirewatch.ActStopConfirm {
			style = discordgo.DangerButton
		}
		bs = append(bs, discordgo.Button{Label: label, Style: style, CustomID: id})
	}
	if len(bs) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: bs}}
}

// press answers a button interaction: it reads the press (only the member
// and the channel come from Discord; the button's control is checked by the
// Clicker) and carries it out within the first-response budget, deferring
// the answer when the Clicker is slow.
func (d *Discord) press(ctx context.Context, c wirewatch.Commander, i *discordgo.Interaction) (*discordgo.InteractionResponse, func()) {
	clicker, ok := c.(wirewatch.Clicker)
	data, isComponent := i.Data.(discordgo.MessageComponentInteractionData)
	id, ours := strings.CutPrefix(data.CustomID, customPrefix)
	if !ok || !isComponent || !ours {
		return ephemeral("wirewatch does not know this button."), nil
	}
	ctl, valid := wirewatch.ParseControlID(id)
	if !valid {
		// Refused and audited by the Clicker.
		d.log.Info("discord button press with an id that is no control", "user", userOf(i))
		ctl = wirewatch.RawControl(id)
	}
	dest, err := d.pressedIn(ctx, i.ChannelID)
	if err != nil {
		d.log.Warn("discord button: channel not known", "channel", i.ChannelID, "err", err)
		return ephemeral("wirewatch cannot tell which channel this is; try again in a minute."), nil
	}
	k := wirewatch.Click{Control: ctl, Channel: dest, User: userOf(i)}
	if !mayManage(i) {
		k.Denied = "This button changes what this channel gets: it needs the Manage Channels permission here."
	}
	// Pressed in our own ephemeral answer: answer in its place.
	update := i.Message != nil && i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	respond := func(rep wirewatch.Reply) *discordgo.InteractionResponse {
		r := ephemeral(rep.Text)
		r.Data.Components = controlsRow(rep.Controls)
		if update {
			r.Type = discordgo.InteractionResponseUpdateMessage
			if r.Data.Components == nil {
				r.Data.Components = []discordgo.MessageComponent{} // the buttons pressed go
			}
		}
		return r
	}

	run, cancel, done := d.detach(ctx, pressTimeout, func(run context.Context) wirewatch.Reply { return clicker.Click(run, k) },
		"discord button press panicked", "action", ctl.Action)
	if rep, ok := d.quickly(ctx, done); ok {
		cancel()
		return respond(rep), nil
	}
	deferred := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
	if update {
		deferred = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return deferred, func() {
		defer cancel()
		var rep wirewatch.Reply
		select {
		case rep = <-done:
		case <-run.Done():
			rep = wirewatch.Reply{Text: "That took too long; check with /watch list."}
		}
		r := respond(rep)
		comps := r.Data.Components
		embeds := r.Data.Embeds
		if embeds == nil {
			embeds = []*discordgo.MessageEmbed{}
		}
		_, err := d.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &r.Data.Content, Components: &comps, Embeds: &embeds, AllowedMentions: noMentions(),
		}, discordgo.WithContext(run))
		if err != nil {
			d.log.Warn("discord deferred button answer not sent", "action", ctl.Action, "err", apiError(err))
		}
	}
}

// pressedIn is the destination a button pressed in channel ch belongs to:
// ch itself, or for a thread (an alert's replies live in one) the channel
// the thread is in.
func (d *Discord) pressedIn(ctx context.Context, ch string) (wirewatch.Destination, error) {
	ci, err := d.channel(ctx, ch)
	if err != nil {
		return "", err
	}
	switch ci.typ {
	case discordgo.ChannelTypeGuildPublicThread, discordgo.ChannelTypeGuildPrivateThread, discordgo.ChannelTypeGuildNewsThread:
		if isSnowflake(ci.parent) {
			ch = ci.parent
		}
	}
	dest, err := wirewatch.ParseDestination(wirewatch.Discord + ":" + ch)
	if err != nil {
		return "", fmt.Errorf("channel %q: %w", ch, err)
	}
	return dest, nil
}
