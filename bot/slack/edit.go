package slack

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
)

var _ wirewatch.Editor = (*Slack)(nil)

// replyBlocks renders a as a reply in th.
func (s *Slack) replyBlocks(th wirewatch.Thread, a wirewatch.Alert) []slack.Block {
	if len(a.Watches) == 1 && a.Watches[0] == th.Watch {
		// The top names the thread's watch; its replies need not.
		a.Watches = nil
	}
	return capBlocks(s.card(&a))
}

// EditAlert rewrites message msg (a reply, or th's top message) to show a
// as it now reads, with a last line "✏️ updated" and the time, shown in
// each reader's zone; within the workspace's chat.update budget, as
// EditTop. A top keeps its thread summary.
func (s *Slack) EditAlert(ctx context.Context, th wirewatch.Thread, msg string, a wirewatch.Alert, at time.Time) error {
	ch, err := channelOf(a.To)
	if err != nil {
		return err
	}
	note := slack.NewContextBlock("", mdText("✏️ updated "+s.slackDate(at)))
	var opts []slack.MsgOption
	if msg == th.TopRef {
		bl := s.topBlocks(th.Title, &a)
		bl = append(bl[:min(len(bl), maxBlocks-1)], note)
		opts = []slack.MsgOption{slack.MsgOptionText(fallback(th.Title, &a), false), slack.MsgOptionBlocks(bl...),
			slack.MsgOptionAttachments(s.summaryAttachment(&th))}
	} else {
		bl := s.replyBlocks(th, a)
		bl = append(bl[:min(len(bl), maxBlocks-1)], note)
		opts = []slack.MsgOption{slack.MsgOptionText(fallback("", &a), false), slack.MsgOptionBlocks(bl...)}
	}
	err = s.edits.do(ctx, func() error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, ch, msg, opts...)
		return err
	})
	if err != nil {
		return s.classify(ctx, opUpdate, ch, err)
	}
	return nil
}
