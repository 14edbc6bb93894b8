package slack

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
)

var _ wirewatch.Noticer = (*Slack)(nil)

// PostNotice posts one of wirewatch's own notices (a feed failing or
// recovered, alerts parked) in th's thread, or at the channel's root when
// th has none: plain text, escaped, so a feed's name pings no one.
func (s *Slack) PostNotice(ctx context.Context, th wirewatch.Thread, text string) error {
	ch, err := channelOf(th.To)
	if err != nil {
		return err
	}
	_, _, err = s.post(ctx, ch, th.Ref,
		slack.MsgOptionText(esc(text, maxFallback), false), // escaped: no mention, no link
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl())
	return err
}
