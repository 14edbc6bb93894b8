package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
)

// Slack Web API methods we call.
const (
	opPost    = "chat.postMessage"
	opUpdate  = "chat.update"
	opJoin    = "conversations.join"
	opAuth    = "auth.test"
	opHistory = "conversations.history"
	opReplies = "conversations.replies"
)

// retryCodes are ok:false errors that may pass on retry
// (https://docs.slack.dev/reference/methods/chat.postMessage). Every other
// ok:false code is a fact about the channel, token or message that retrying
// will not change, so it is permanent.
var retryCodes = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"request_timeout":     true,
	"service_unavailable": true,
}

// goneCodes say the thread's top message no longer exists.
var goneCodes = map[string]bool{
	"message_not_found": true,
	"thread_not_found":  true,
}

// authCodes say Slack refuses the token itself: every call fails alike,
// so the platform's deliveries are held until the token works again.
var authCodes = map[string]bool{
	"invalid_auth":     true,
	"not_authed":       true,
	"token_revoked":    true,
	"token_expired":    true,
	"account_inactive": true,
}

// holdCodes are refusals people fix soon (the app invited to the
// channel): retried slowly, parked only after a day.
var holdCodes = map[string]bool{
	"not_in_channel": true,
}

// APIError is a failed Web API call, with secrets removed. Code is Slack's
// error code ("channel_not_found"), "http_NNN" for an HTTP status, or empty
// for a network error.
type APIError struct {
	Op      string // e.g. "chat.postMessage"
	Channel string
	Code    string
	msg     string
}

func (e *APIError) Error() string { return e.msg }

func codeOf(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// classify turns a slack-go error into a wirewatch.SendError: rate limits
// and server trouble are retryable, other failures permanent.
func (s *Slack) classify(ctx context.Context, op, ch string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("slack %s %s: %w", op, ch, ctx.Err())
	}
	ae := &APIError{Op: op, Channel: ch}
	var (
		rl *slack.RateLimitedError
		sc slack.StatusCodeError
		se slack.SlackErrorResponse
	)
	switch {
	case errors.As(err, &rl):
		ae.Code = "ratelimited"
		ae.msg = fmt.Sprintf("slack %s %s: rate limited", op, ch)
		s.limited(op, ch, rl.RetryAfter)
		return wirewatch.RetryAfter(ae, rl.RetryAfter)
	case errors.As(err, &sc):
		ae.Code = fmt.Sprintf("http_%d", sc.Code)
		ae.msg = fmt.Sprintf("slack %s %s: HTTP %d", op, ch, sc.Code)
		if sc.Code == http.StatusTooManyRequests {
			// No (readable) Retry-After: pause the channel all the same.
			d := s.pace.every * noRetryAfterPause
			ae.Code = "ratelimited"
			s.limited(op, ch, d)
			return wirewatch.RetryAfter(ae, d)
		}
		if sc.Code >= 500 {
			return wirewatch.RetryAfter(ae, 0)
		}
	case errors.As(err, &se):
		ae.Code = se.Err
		ae.msg = fmt.Sprintf("slack %s %s: %s", op, ch, se.Err)
		if se.Needed != "" {
			ae.msg += fmt.Sprintf(" (the app needs the %s scope; reinstall it from the manifest)", se.Needed)
		}
		if retryCodes[se.Err] {
			d := time.Duration(0)
			if se.Err == "ratelimited" || se.Err == "rate_limited" {
				d = time.Second
				s.limited(op, ch, d)
			}
			return wirewatch.RetryAfter(ae, d)
		}
	default:
		ae.msg = s.scrub(fmt.Sprintf("slack %s %s: %v", op, ch, err))
		return wirewatch.RetryAfter(ae, 0)
	}
	switch {
	case authCodes[ae.Code]:
		return wirewatch.Auth(ae)
	case holdCodes[ae.Code]:
		return wirewatch.Hold(ae)
	case goneCodes[ae.Code]:
		return fmt.Errorf("%w: %w", wirewatch.ErrGone, wirewatch.Permanent(ae))
	}
	if op == opPost {
		// The dispatcher parks the alert and logs that; this adds the
		// platform's detail, once per channel and cause.
		s.logOnce(slog.LevelDebug, ch+" "+ae.Code, "slack channel refuses alerts", "channel", ch, "op", op, "err", ae.msg)
	}
	return wirewatch.Permanent(ae)
}

// noRetryAfterPause is how many post intervals a 429 without a readable
// Retry-After pauses its channel (or the workspace's edits).
const noRetryAfterPause = 5

// limited records a rate limit: posts pause in that channel; updates pause
// everywhere (chat.update is limited per workspace).
func (s *Slack) limited(op, ch string, d time.Duration) {
	if op == opUpdate {
		s.edits.hold(d)
		return
	}
	s.pace.hold(ch, d)
}

// Message metadata marks every post with the alert it carries, so that
// Delivered can find it after a crash.
const (
	metaEvent = "wirewatch_alert"
	metaAlert = "alert_id"
)

func metadata(a *wirewatch.Alert) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metaEvent,
		EventPayload: map[string]any{metaAlert: a.DeliveryID()}})
}

func channelOf(to wirewatch.Destination) (string, error) {
	ch := to.Channel()
	if to.Kind() != wirewatch.Slack || ch == "" {
		return "", wirewatch.Permanent(fmt.Errorf("slack: destination %q is not slack:<channel id>", to))
	}
	return ch, nil
}

// Check asks auth.test whether Slack takes the bot token. It implements
// wirewatch.Poster.
func (s *Slack) Check(ctx context.Context) error {
	if _, err := s.api.AuthTestContext(ctx); err != nil {
		err = s.classify(ctx, opAuth, "", err)
		if wirewatch.Class(err).Auth {
			return wirewatch.Auth(fmt.Errorf("SLACK_BOT_TOKEN is refused by Slack (%s): set the app's Bot User OAuth Token (xoxb-…)", codeOf(err)))
		}
		return err
	}
	return nil
}

// PostTop posts a as the top message of th, with th's summary under it.
// Slack threads under a message's ts: Ref is set too.
func (s *Slack) PostTop(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, error) {
	ch, err := channelOf(a.To)
	if err != nil {
		return th, err
	}
	opts := append(s.postOpts(fallback(th.Title, &a), s.topBlocks(th.Title, &a)),
		slack.MsgOptionAttachments(s.summaryAttachment(&th)), metadata(&a))
	ts, _, err := s.post(ctx, ch, "", opts...)
	if err != nil {
		return th, err
	}
	th.TopRef, th.Ref = ts, ts
	return th, nil
}

// Open is never needed on Slack: a top message is a thread by its ts.
func (s *Slack) Open(_ context.Context, th wirewatch.Thread) (wirewatch.Thread, error) {
	th.Ref = th.TopRef
	return th, nil
}

// Reply posts a in th and returns the parent Slack names in its answer
// (thread_ts): th.Ref, another parent, or "" when the answer names none
// (the reply may be at the channel root because its parent is gone; the
// dispatcher checks the top before it acts on that).
func (s *Slack) Reply(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) (string, error) {
	ref, _, err := s.ReplyRef(ctx, th, a, broadcast)
	return ref, err
}

// ReplyRef is Reply that also returns the reply's ts, which EditAlert
// takes (edit.go).
func (s *Slack) ReplyRef(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert, broadcast bool) (string, string, error) {
	ch, err := channelOf(a.To)
	if err != nil {
		return "", "", err
	}
	opts := append(s.postOpts(fallback("", &a), s.replyBlocks(th, a)), metadata(&a))
	if len(a.AlsoIn) > 0 {
		// Another outlet of the thread's story: one short line.
		opts = append(s.postOpts(alsoIn(a.AlsoIn), nil), metadata(&a))
	}
	if broadcast {
		opts = append(opts, slack.MsgOptionBroadcast())
	}
	ts, msg, err := s.post(ctx, ch, th.Ref, opts...)
	if err != nil {
		return "", "", err
	}
	return msg.ThreadTimestamp, ts, nil
}

// alsoIn is the line naming the other outlets of a story, each linked.
func alsoIn(outlets []wirewatch.Outlet) string {
	var parts []string
	for _, o := range outlets {
		parts = append(parts, link(o.Link, cmp.Or(o.Source, o.Link), 120))
	}
	return "Also in " + strings.Join(parts, ", ")
}

// ReplyFolded posts a burst as one reply in th: a line per alert, each in
// its own section (at most wirewatch.FoldMax + 1 blocks of Slack's 50),
// named by the first alert's metadata so that Delivered finds it.
func (s *Slack) ReplyFolded(ctx context.Context, th wirewatch.Thread, as []wirewatch.Alert) (string, error) {
	if len(as) == 0 {
		return th.Ref, nil
	}
	ch, err := channelOf(as[0].To)
	if err != nil {
		return "", err
	}
	opts := append(s.postOpts(foldedText(as), s.foldedBlocks(as)), metadata(&as[0]))
	_, msg, err := s.post(ctx, ch, th.Ref, opts...)
	if err != nil {
		return "", err
	}
	return msg.ThreadTimestamp, nil
}

var _ wirewatch.Folder = (*Slack)(nil)

// PostDigest posts a channel's digest at its root: a line per alert, named
// by the first alert's metadata.
func (s *Slack) PostDigest(ctx context.Context, as []wirewatch.Alert) error {
	if len(as) == 0 {
		return nil
	}
	ch, err := channelOf(as[0].To)
	if err != nil {
		return err
	}
	n := "1 item"
	if len(as) != 1 {
		n = fmt.Sprintf("%d items", len(as))
	}
	text := esc("Digest: "+n+" · "+as[0].Headline(), maxFallback)
	opts := append(s.postOpts(text, s.listBlocks("*Digest: "+n+"*", as)), metadata(&as[0]))
	_, _, err = s.post(ctx, ch, "", opts...)
	return err
}

var _ wirewatch.Digester = (*Slack)(nil)

// EditTop rewrites th's top message to show th, within the workspace's
// chat.update budget (Tier 3), waiting for it.
func (s *Slack) EditTop(ctx context.Context, th wirewatch.Thread) error {
	ch, err := channelOf(th.To)
	if err != nil {
		return err
	}
	err = s.edits.do(ctx, func() error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, ch, th.TopRef,
			slack.MsgOptionText(topText(&th), false),
			slack.MsgOptionAttachments(s.summaryAttachment(&th)))
		return err
	})
	if err != nil {
		return s.classify(ctx, opUpdate, ch, err)
	}
	return nil
}

// Delivered looks for a's metadata in th's replies and in the channel's
// latest messages (a top message, or a reply Slack put at the root),
// posted since a was queued. A token without the history scopes cannot
// look: it answers false, so a is sent again (at least once).
func (s *Slack) Delivered(ctx context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, bool, error) {
	ch, err := channelOf(a.To)
	if err != nil {
		return th, false, err
	}
	id := a.DeliveryID()
	// Slack's clock and ours may differ a little.
	oldest := fmt.Sprintf("%d.000000", a.Queued.Add(-clockSlack).Unix())
	found := func(msgs []slack.Message) string {
		for _, m := range msgs {
			if m.Metadata.EventType == metaEvent && m.Metadata.EventPayload[metaAlert] == id {
				return m.Timestamp
			}
		}
		return ""
	}
	if th.Ref != "" {
		p := &slack.GetConversationRepliesParameters{ChannelID: ch, Timestamp: th.Ref, Oldest: oldest, Limit: 200, IncludeAllMetadata: true}
		for range maxPages {
			msgs, more, next, err := s.api.GetConversationRepliesContext(ctx, p)
			if err != nil {
				if goneCodes[codeOf(err)] {
					break // no thread: look in the channel
				}
				return th, false, s.cannotLook(ctx, opReplies, ch, err)
			}
			if found(msgs) != "" {
				return th, true, nil
			}
			if !more || next == "" {
				break
			}
			p.Cursor = next
		}
	}
	p := &slack.GetConversationHistoryParameters{ChannelID: ch, Oldest: oldest, Limit: 200, IncludeAllMetadata: true}
	for range maxPages {
		resp, err := s.api.GetConversationHistoryContext(ctx, p)
		if err != nil {
			return th, false, s.cannotLook(ctx, opHistory, ch, err)
		}
		if ts := found(resp.Messages); ts != "" {
			if th.TopRef == "" {
				th.TopRef, th.Ref = ts, ts
			}
			return th, true, nil
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		p.Cursor = resp.ResponseMetaData.NextCursor
	}
	return th, false, nil
}

// Delivered's bounds: how far before an alert was queued it looks, and
// how many pages of 200 messages.
const (
	clockSlack = 5 * time.Minute
	maxPages   = 5
)

// cannotLook turns a failed history read into Delivered's answer: a
// missing scope means "not found" (the alert is sent again, logged once);
// other failures are errors, retried.
func (s *Slack) cannotLook(ctx context.Context, op, ch string, err error) error {
	if code := codeOf(err); code == "missing_scope" || code == "not_in_channel" {
		s.logOnce(slog.LevelWarn, "history "+ch, "cannot check whether an alert in flight at the last stop arrived; it is sent again (add the channels:history and groups:history scopes from the manifest)",
			"channel", ch, "op", op, "code", code)
		return nil
	}
	return s.classify(ctx, op, ch, err)
}

func (s *Slack) postOpts(text string, blocks []slack.Block) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(text, false), // already escaped
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

// post sends one message, paced per channel. not_in_channel makes it try
// conversations.join once per channel, then post again.
func (s *Slack) post(ctx context.Context, ch, threadTS string, opts ...slack.MsgOption) (string, slack.Message, error) {
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	for try := 0; ; try++ {
		if err := s.pace.wait(ctx, ch); err != nil {
			return "", slack.Message{}, fmt.Errorf("slack %s %s: %w", opPost, ch, err)
		}
		_, ts, msg, err := s.api.PostMessageWithResponseContext(ctx, ch, opts...)
		if err == nil {
			if ts == "" {
				return "", msg, wirewatch.Permanent(&APIError{Op: opPost, Channel: ch, Code: "no_ts",
					msg: fmt.Sprintf("slack %s %s: the reply carries no ts", opPost, ch)})
			}
			return ts, msg, nil
		}
		if try == 0 && codeOf(err) == "not_in_channel" && s.join(ctx, ch) {
			continue
		}
		return "", slack.Message{}, s.classify(ctx, opPost, ch, err)
	}
}

// join tries conversations.join, once per channel per process: it works for
// public channels when the app has channels:join.
func (s *Slack) join(ctx context.Context, ch string) bool {
	s.mu.Lock()
	tried := s.joinTried[ch]
	s.joinTried[ch] = true
	s.mu.Unlock()
	if tried {
		return false
	}
	if _, _, _, err := s.api.JoinConversationContext(ctx, ch); err != nil {
		s.log.Warn("join channel; invite the app to it", "channel", ch, "err", s.classify(ctx, opJoin, ch, err))
		return false
	}
	s.log.Info("joined channel", "channel", ch)
	return true
}
