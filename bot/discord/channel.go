package discord

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

const (
	// holdPause is how long a channel (or thread) that answered Missing
	// Access or Missing Permissions is not tried again: the dispatcher holds
	// its alerts and retries slowly; the pause keeps its retries from adding
	// to Discord's invalid-request count in the meantime.
	holdPause = time.Minute
	// denyFor is the same for an unknown channel, whose alerts park.
	denyFor = 5 * time.Minute
	// channelTTL is how long a channel's type is cached.
	channelTTL = time.Hour
	// maxCached bounds the adapter's caches.
	maxCached = 1024
)

// channel fetches (and caches) what kind of channel ch is and, for a
// forum, its tags.
func (d *Discord) channel(ctx context.Context, ch string) (channelInfo, error) {
	now := time.Now()
	d.mu.Lock()
	ci, ok := d.channels[ch]
	d.mu.Unlock()
	if ok && now.Sub(ci.fetched) < channelTTL {
		return ci, nil
	}
	c, err := d.s.Channel(ch, discordgo.WithContext(ctx))
	if err != nil {
		return channelInfo{}, apiError(err)
	}
	ci = channelInfo{typ: c.Type, guild: c.GuildID, parent: c.ParentID, fetched: now, tags: chooseTags(c)}
	d.mu.Lock()
	if len(d.channels) >= maxCached {
		clear(d.channels)
	}
	d.channels[ch] = ci
	d.mu.Unlock()
	return ci, nil
}

// tagChoice is the forum tag a post gets: one named for wirewatch if the
// forum has it, else, where the forum requires a tag, the first one that
// fits (news or court) or simply the first.
type tagChoice struct{ news, court string }

func (t tagChoice) pick(docket bool) string {
	if docket {
		return t.court
	}
	return t.news
}

func chooseTags(c *discordgo.Channel) tagChoice {
	var own, news, court, first string
	for _, tg := range c.AvailableTags {
		if tg.Moderated || tg.ID == "" {
			continue // only moderators may apply these
		}
		if first == "" {
			first = tg.ID
		}
		switch strings.ToLower(strings.TrimSpace(tg.Name)) {
		case "wirewatch", "alerts", "alert":
			own = cmp.Or(own, tg.ID)
		case "news":
			news = cmp.Or(news, tg.ID)
		case "court", "courts", "docket", "dockets":
			court = cmp.Or(court, tg.ID)
		}
	}
	if own != "" {
		return tagChoice{news: cmp.Or(news, own), court: cmp.Or(court, own)}
	}
	if c.Flags&discordgo.ChannelFlagRequireTag == 0 {
		return tagChoice{news: news, court: court}
	}
	return tagChoice{news: cmp.Or(news, first), court: cmp.Or(court, first)}
}

// fail classifies err from op on ch (a channel or a thread). A refusal of
// that channel is remembered, so that retries do not add to Discord's
// invalid-request count: missing access or permissions (held: people fix
// those) for holdPause, an unknown channel (permanent) for denyFor. It is
// logged once.
func (d *Discord) fail(ch, op string, err error) error {
	err = apiError(err)
	cerr := classify(fmt.Errorf("discord %s in channel %s: %w", op, ch, err))
	switch codeOf(err) {
	case codeMissingAccess, codeMissingPerms:
		d.deny(ch, cerr, holdPause)
	case codeUnknownChannel:
		d.deny(ch, cerr, denyFor)
	}
	return cerr
}

func (d *Discord) deny(ch string, err error, pause time.Duration) {
	d.mu.Lock()
	prev, had := d.denied[ch]
	if !had && len(d.denied) >= maxCached {
		clear(d.denied)
	}
	d.denied[ch] = denial{err: err, until: time.Now().Add(pause)}
	d.mu.Unlock()
	if !had || prev.err.Error() != err.Error() {
		what := "parking them"
		if wirewatch.Class(err).Hold {
			what = "holding them until it lets us in"
		}
		d.log.Warn("discord channel refuses alerts; "+what, "channel", ch, "err", err)
	}
}

// deniedErr fails at once, classified as the refusal was, for a channel
// that refused us recently.
func (d *Discord) deniedErr(ch string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dn, ok := d.denied[ch]
	if !ok || dn.until.IsZero() {
		return nil
	}
	if time.Now().After(dn.until) {
		// Try again, but keep the entry so an unchanged failure is not
		// logged a second time.
		d.denied[ch] = denial{err: dn.err}
		return nil
	}
	c := wirewatch.Class(dn.err)
	c.Err = fmt.Errorf("%w (not tried again until %s)", c.Err, dn.until.UTC().Format("15:04:05Z"))
	return &c
}

// warnOnce logs msg for ch unless the same was logged before.
func (d *Discord) warnOnce(ch, msg string, err error) {
	key := ch + " " + msg
	d.mu.Lock()
	seen := d.warned[key]
	if !seen && len(d.warned) < maxCached {
		d.warned[key] = true
	}
	d.mu.Unlock()
	if !seen {
		d.log.Warn("discord "+msg, "channel", ch, "err", err)
	}
}
