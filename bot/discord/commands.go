package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/match"
)

// Bounds on command options, enforced both in the registered command and
// when an interaction arrives (its payload is untrusted).
const (
	maxQuery       = match.MaxQueryChars // the query parser's own limit
	maxFeedURL     = feeds.MaxURL
	maxFeedName    = 100
	maxID          = 64
	maxAlias       = match.MaxAliasChars
	maxCase        = 80 // link, unlink: court:number
	maxChoices     = 25 // autocomplete
	maxChoiceName  = 100
	commandTimeout = 5 * time.Minute // the interaction token lives 15
)

// manageChannels is the permission the changing subcommands need, and the
// default member permission of /watch as a whole.
const manageChannels = int64(discordgo.PermissionManageChannels)

// Commands is what Run registers: one /watch command with subcommands.
//
// A command has one default_member_permissions, so /watch as a whole gets
// Manage Channels: by default only members who may manage the channel see
// it. Server admins may open it to others (Server Settings → Integrations);
// the changing subcommands (add, drop, alias, broadcast, digest, quiet, feed add, feed drop) still check
// Manage Channels on the member's permissions in that channel, while list,
// test and help work for anyone allowed to use /watch.
func Commands() []*discordgo.ApplicationCommand {
	perm := manageChannels
	ctxs := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	minLen := 1
	str := func(name, desc string, required bool, maxLen int, auto bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc,
			Required: required, MinLength: &minLen, MaxLength: maxLen, Autocomplete: auto,
		}
	}
	sub := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts,
		}
	}
	return []*discordgo.ApplicationCommand{{
		Type:                     discordgo.ChatApplicationCommand,
		Name:                     "watch",
		Description:              "News and court-docket alerts for this channel",
		DefaultMemberPermissions: &perm,
		Contexts:                 &ctxs,
		Options: []*discordgo.ApplicationCommandOption{
			sub("add", "Watch a query; alerts come to this channel (needs Manage Channels)",
				str("query", `e.g. "Abrego Garcia" OR Xinis`, true, maxQuery, false),
				&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: "search",
					Description: "Also run the query as a search; new results post even when the headline does not match",
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "Google News", Value: wirewatch.SearchGoogleNews},
						{Name: "CourtListener (new cases and filings)", Value: wirewatch.SearchCourtListener},
						{Name: "both", Value: wirewatch.SearchGoogleNews + "," + wirewatch.SearchCourtListener},
					},
				}),
			sub("list", "This channel's watches"),
			sub("drop", "Stop one of this channel's watches (needs Manage Channels)",
				str("id", "The watch's id (see list)", true, maxID, true)),
			sub("test", "Which recently seen items a query would match; posts nothing",
				str("query", "The query to try", true, maxQuery, false)),
			sub("alias", "Also match another spelling of a watch's name (needs Manage Channels)",
				str("id", "The watch's id (see list)", true, maxID, true),
				str("spelling", "e.g. Mazarra: matched exactly, OR-ed with the query", true, maxAlias, false)),
			sub("broadcast", "When a thread reply is also shown in the channel (needs Manage Channels)",
				str("id", "The watch's id (see list)", true, maxID, true),
				&discordgo.ApplicationCommandOption{
					Type: discordgo.ApplicationCommandOptionString, Name: "mode", Required: true,
					Description: "auto: orders and non-routine entries, and after 6 quiet hours",
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "auto", Value: wirewatch.BroadcastAuto},
						{Name: "always", Value: wirewatch.BroadcastAlways},
						{Name: "never", Value: wirewatch.BroadcastNever},
					},
				}),
			sub("link", "Follow two dockets as one matter, in one thread (needs Manage Channels)",
				str("case", "court:number, e.g. mdd:8:25-cv-00951", true, maxCase, false),
				str("other", "court:number, e.g. ca4:25-1345", true, maxCase, false)),
			sub("unlink", "Thread two linked dockets apart again (needs Manage Channels)",
				str("case", "court:number, e.g. mdd:8:25-cv-00951", true, maxCase, false),
				str("other", "court:number, e.g. ca4:25-1345", true, maxCase, false)),
			sub("digest", "Collect this channel's alerts into one message on a schedule (needs Manage Channels)",
				str("schedule", "off, hourly or daily HH:MM (e.g. daily 08:00)", true, 16, false)),
			sub("quiet", "Hold new threads and broadcasts during these hours (needs Manage Channels)",
				str("hours", "off or HH:MM-HH:MM (e.g. 22:00-07:00)", true, 16, false)),
			sub("unmute", "Post a muted thread's alerts here again (needs Manage Channels)",
				str("key", "The thread's key, as list shows it (e.g. case:mdd:8:25-cv-00951)", true, wirewatch.MaxControlArg, false)),
			{
				Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "feed", Description: "Manage feeds",
				Options: []*discordgo.ApplicationCommandOption{
					sub("add", "Add a feed to poll (needs Manage Channels)",
						str("url", "The feed's address (RSS, Atom, JSON Feed, PACER)", true, maxFeedURL, false),
						str("name", "A display name", false, maxFeedName, false)),
					sub("list", "The feeds polled"),
					sub("drop", "Stop polling a feed (needs Manage Channels)",
						str("id", "The feed's id (see feed list)", true, maxID, false)),
				},
			},
			sub("help", "The commands and the query syntax"),
		},
	}}
}

var errNotWatch = errors.New("unknown command")

// command takes an application command interaction apart.
func command(i *discordgo.Interaction) (wirewatch.Command, error) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name != "watch" {
		return wirewatch.Command{}, errNotWatch
	}
	ch, err := wirewatch.ParseDestination(wirewatch.Discord + ":" + i.ChannelID)
	if err != nil {
		return wirewatch.Command{}, fmt.Errorf("this channel: %w", err)
	}
	c := wirewatch.Command{Channel: ch, User: userOf(i), MayManageFeeds: mayManage(i)}
	if len(data.Options) != 1 {
		return wirewatch.Command{}, errors.New("choose a subcommand, e.g. /watch add")
	}
	o := data.Options[0]
	verb := o.Name
	if o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
		if o.Name != "feed" || len(o.Options) != 1 {
			return wirewatch.Command{}, fmt.Errorf("unknown command group %q", wirewatch.Clip(o.Name, 32))
		}
		o = o.Options[0]
		verb = "feed " + o.Name
	}
	get := func(name string, limit int) (string, error) {
		v := strings.TrimSpace(stringOpt(o, name))
		if utf8.RuneCountInString(v) > limit {
			return "", fmt.Errorf("%s is longer than %d characters", name, limit)
		}
		return v, nil
	}
	need := func(name string, limit int) (string, error) {
		v, err := get(name, limit)
		if err == nil && v == "" {
			err = fmt.Errorf("/watch %s needs %s", verb, name)
		}
		return v, err
	}
	switch verb {
	case wirewatch.CmdAdd, wirewatch.CmdTest:
		c.Arg, err = need("query", maxQuery)
		if verb == wirewatch.CmdAdd && err == nil {
			c.Search, err = get("search", 64) // checked by the commands (bot/search.go)
		}
	case wirewatch.CmdDrop, wirewatch.CmdFeedDrop:
		c.Arg, err = need("id", maxID)
	case wirewatch.CmdAlias:
		if c.Arg, err = need("id", maxID); err == nil {
			c.Alias, err = need("spelling", maxAlias)
		}
	case wirewatch.CmdDigest:
		if c.Arg, err = need("schedule", 16); err == nil {
			_, _, err = wirewatch.ParseDigest(c.Arg)
		}
	case wirewatch.CmdUnmute:
		c.Arg, err = need("key", wirewatch.MaxControlArg)
	case wirewatch.CmdQuiet:
		if c.Arg, err = need("hours", 16); err == nil {
			_, _, err = wirewatch.ParseQuiet(c.Arg)
		}
	case wirewatch.CmdBroadcast:
		if c.Arg, err = need("id", maxID); err == nil {
			if c.Mode, err = need("mode", maxID); err == nil {
				err = wirewatch.CheckBroadcast(c.Mode)
			}
		}
	case wirewatch.CmdLink, wirewatch.CmdUnlink:
		if c.Arg, err = need("case", maxCase); err == nil {
			c.Other, err = need("other", maxCase)
		}
	case wirewatch.CmdFeedAdd:
		if c.Arg, err = need("url", maxFeedURL); err == nil {
			c.Name, err = get("name", maxFeedName)
		}
	case wirewatch.CmdList, wirewatch.CmdFeedList, wirewatch.CmdHelp:
	default:
		return wirewatch.Command{}, fmt.Errorf("unknown subcommand %q: try /watch help", wirewatch.Clip(verb, 40))
	}
	if err != nil {
		return wirewatch.Command{}, err
	}
	c.Verb = verb
	return c, nil
}

// changes tells whether verb changes watches or feeds.
func changes(verb string) bool {
	switch verb {
	case wirewatch.CmdAdd, wirewatch.CmdDrop, wirewatch.CmdAlias, wirewatch.CmdBroadcast, wirewatch.CmdDigest, wirewatch.CmdQuiet, wirewatch.CmdUnmute, wirewatch.CmdFeedAdd, wirewatch.CmdFeedDrop,
		wirewatch.CmdLink, wirewatch.CmdUnlink:
		return true
	}
	return false
}

// mayManage tells whether the member may manage the channel the
// interaction came from (Discord sends the member's permissions there).
func mayManage(i *discordgo.Interaction) bool {
	if i.Member == nil {
		return false
	}
	p := i.Member.Permissions
	return p&manageChannels != 0 || p&int64(discordgo.PermissionAdministrator) != 0
}

func userOf(i *discordgo.Interaction) string {
	u := i.User
	if i.Member != nil && i.Member.User != nil {
		u = i.Member.User
	}
	if u == nil {
		return "discord:unknown"
	}
	if u.Username != "" {
		return wirewatch.Clip(u.Username, 64)
	}
	return wirewatch.Clip(u.ID, 32)
}

func stringOpt(o *discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, x := range o.Options {
		if x != nil && x.Name == name {
			s, _ := x.Value.(string)
			return s
		}
	}
	return ""
}

// ephemeral is a reply only the asker sees, escaped, with mentions off.
func ephemeral(text string) *discordgo.InteractionResponse {
	content, embeds := replyText(text)
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         content,
			Embeds:          embeds,
			Flags:           discordgo.MessageFlagsEphemeral,
			AllowedMentions: noMentions(),
		},
	}
}

// replyText renders a reply, escaped: as the message's content when it fits
// Discord's 2,000 characters, else cut at a line's end with the rest in an
// embed (whose description holds 4,096), so that a long reply (help) is
// shown whole instead of losing its end.
func replyText(text string) (string, []*discordgo.MessageEmbed) {
	text = strings.TrimSpace(text)
	if text == "" {
		text = "Done."
	}
	s := escape(text)
	if utf8.RuneCountInString(s) <= maxContent {
		return s, nil
	}
	cut, n := -1, 0
	for i, r := range s {
		if n == maxContent {
			break
		}
		if r == '\n' {
			cut = i
		}
		n++
	}
	if cut <= 0 {
		return truncate(s, maxContent), nil
	}
	return s[:cut], []*discordgo.MessageEmbed{{Description: truncate(s[cut+1:], maxDescription)}}
}

// answer works out the first response to an interaction and, when the
// command may outlast Discord's 3-second deadline, a function to run after
// that response is sent: it waits for the command and edits the deferred
// reply. ctx bounds only the wait for the first response.
func (d *Discord) answer(ctx context.Context, c wirewatch.Commander, i *discordgo.Interaction) (*discordgo.InteractionResponse, func()) {
	switch i.Type {
	case discordgo.InteractionPing:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommandAutocomplete:
		return d.autocomplete(ctx, c, i), nil
	case discordgo.InteractionMessageComponent:
		return d.press(ctx, c, i) // components.go: buttons on alerts
	case discordgo.InteractionApplicationCommand:
	default:
		return ephemeral("wirewatch only answers /watch."), nil
	}
	cmd, err := command(i)
	if err != nil {
		return ephemeral(err.Error()), nil
	}
	if changes(cmd.Verb) && !mayManage(i) {
		d.log.Info("discord command refused", "verb", cmd.Verb, "user", cmd.User, "channel", string(cmd.Channel))
		return ephemeral("/watch " + cmd.Verb + " needs the Manage Channels permission in this channel."), nil
	}
	run, cancel, done := d.detach(ctx, commandTimeout, func(run context.Context) wirewatch.Reply { return c.Command(run, cmd) },
		"discord command panicked", "verb", cmd.Verb)
	if cmd.Verb != wirewatch.CmdFeedAdd { // feed add fetches the feed: defer at once
		if r, ok := d.quickly(ctx, done); ok {
			cancel()
			return ephemeral(r.Text), nil
		}
	}
	deferred := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
	return deferred, func() {
		defer cancel()
		var text string
		select {
		case r := <-done:
			text = r.Text
		case <-run.Done():
			text = "That took too long; check with /watch list or /watch feed list."
		}
		content, embeds := replyText(text)
		if embeds == nil {
			embeds = []*discordgo.MessageEmbed{}
		}
		_, err := d.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
			Content: &content, Embeds: &embeds, AllowedMentions: noMentions(),
		}, discordgo.WithContext(run))
		if err != nil {
			d.log.Warn("discord deferred reply not sent", "verb", cmd.Verb, "err", apiError(err))
		}
	}
}

// detach runs f detached from the request that brought it, within
// timeout: a deferred answer is finished after that request has been
// answered. done gets f's reply; a panic in f is logged (msg, args) and
// answered.
func (d *Discord) detach(ctx context.Context, timeout time.Duration, f func(context.Context) wirewatch.Reply, msg string, args ...any) (run context.Context, cancel context.CancelFunc, done <-chan wirewatch.Reply) {
	run, cancel = context.WithTimeout(context.WithoutCancel(ctx), timeout)
	ch := make(chan wirewatch.Reply, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				d.log.Error(msg, append(args, "panic", fmt.Sprint(p))...)
				ch <- wirewatch.Reply{Text: "Something went wrong; the error is in the log."}
			}
		}()
		ch <- f(run)
	}()
	return run, cancel, ch
}

// quickly waits for done's reply within the first-response budget
// (d.deferAfter) or until ctx ends; ok false: the answer is deferred.
func (d *Discord) quickly(ctx context.Context, done <-chan wirewatch.Reply) (r wirewatch.Reply, ok bool) {
	t := time.NewTimer(d.deferAfter)
	defer t.Stop()
	select {
	case r = <-done:
		return r, true
	case <-t.C:
	case <-ctx.Done():
	}
	return r, false
}

// autocomplete offers this channel's watches for /watch drop id:.
func (d *Discord) autocomplete(ctx context.Context, c wirewatch.Commander, i *discordgo.Interaction) *discordgo.InteractionResponse {
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}},
	}
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok || data.Name != "watch" || len(data.Options) != 1 || data.Options[0].Name != "drop" && data.Options[0].Name != "alias" && data.Options[0].Name != "broadcast" {
		return resp
	}
	ch, err := wirewatch.ParseDestination(wirewatch.Discord + ":" + i.ChannelID)
	if err != nil {
		return resp
	}
	typed := strings.ToLower(strings.TrimSpace(wirewatch.Clip(stringOpt(data.Options[0], "id"), 200)))
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for _, w := range c.Watches(ctx, ch) {
		if len(resp.Data.Choices) == maxChoices {
			break
		}
		if len(w.ID) > maxID {
			continue
		}
		label := w.Label()
		if typed != "" && !strings.Contains(strings.ToLower(w.ID+" "+label+" "+w.Query), typed) {
			continue
		}
		resp.Data.Choices = append(resp.Data.Choices, &discordgo.ApplicationCommandOptionChoice{
			Name:  truncate(strings.Join(strings.Fields(w.ID+" — "+label), " "), maxChoiceName),
			Value: w.ID,
		})
	}
	return resp
}
