package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
)

// Slack Web API methods we call.
const (
	opPost   = "chat.postMessage"
	opUpdate = "chat.update"
	opJoin   = "conversations.join"
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

// updateOnly says a chat.update failure concerns the top message alone,
// not the channel.
func updateOnly(code string) bool {
	return goneCodes[code] || code == "cant_update_message" || code == "edit_window_closed" || code == "ratelimited"
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
		if sc.Code == http.StatusTooManyRequests || sc.Code >= 500 {
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
	if op == opPost || (op == opUpdate && !updateOnly(ae.Code)) {
		// The dispatcher parks the alert and logs that; this adds the
		// platform's detail, once per channel and cause.
		s.logOnce(slog.LevelDebug, ch+" "+ae.Code, "slack channel refuses alerts", "channel", ch, "op", op, "err", ae.msg)
	}
	return wirewatch.Permanent(ae)
}

// limited records a rate limit: posts pause in that channel; updates pause
// everywhere (chat.update is limited per workspace).
func (s *Slack) limited(op, ch string, d time.Duration) {
	if op == opUpdate {
		s.mu.Lock()
		if t := time.Now().Add(d); t.After(s.updateHold) {
			s.updateHold = t
		}
		s.mu.Unlock()
		return
	}
	s.pace.hold(ch, d)
}

// Send posts a into the thread th and returns the thread as it now stands.
// It implements wirewatch.Sender.
func (s *Slack) Send(ctx context.Context, a wirewatch.Alert, th wirewatch.Thread) (wirewatch.Thread, error) {
	ch := a.To.Channel()
	if a.To.Kind() != wirewatch.Slack || ch == "" {
		return th, wirewatch.Permanent(fmt.Errorf("slack send: destination %q is not slack:<channel id>", a.To))
	}
	now := time.Now()
	next := th
	if next.Key == "" {
		next.Key = a.Thread
	}
	next.To = a.To
	if next.Title == "" {
		next.Title = s.subject(&th, &a)
	}
	if next.Started.IsZero() {
		next.Started = now
	}
	next.Updated = now
	next.Count++
	next.Latest = headline(&a)

	if a.Quiet {
		return s.sendQuiet(ctx, ch, &a, th, next)
	}

	if th.Ref != "" {
		ts, msg, err := s.post(ctx, ch, th.Ref, s.replyOpts(&a)...)
		switch {
		case err != nil && goneCodes[codeOf(err)]:
			s.log.Info("thread's top message is gone; starting a new thread", "channel", ch, "thread", next.Key)
		case err != nil:
			return th, err
		case msg.Timestamp != "" && msg.ThreadTimestamp != th.Ref:
			// The parent is gone and Slack posted the reply at the channel
			// root: make that post the top of a new thread.
			s.log.Info("thread's top message is gone; the reply starts a new thread", "channel", ch, "thread", next.Key)
			next = next.Restart(now)
			next.Ref = ts
			if err := s.update(ctx, ch, &next, &a, s.topBlocks(next.Title, &a)); err != nil {
				s.log.Warn("turn a reply into a thread's top message", "channel", ch, "thread", next.Key, "err", err)
			}
			return next, nil
		default:
			next.Posted++
			if err := s.update(ctx, ch, &next, &a, nil); err != nil {
				if goneCodes[codeOf(err)] {
					// Replies still land under the deleted top; the next
					// alert starts a thread whose summary can be kept.
					s.log.Info("thread's top message is gone; the next alert starts a new thread", "channel", ch, "thread", next.Key)
					next.Ref = ""
				} else {
					s.log.Warn("update thread summary", "channel", ch, "thread", next.Key, "err", err)
				}
			}
			return next, nil
		}
		next = next.Restart(now)
	}

	opts := append(s.postOpts(fallback(next.Title, &a), s.topBlocks(next.Title, &a)),
		slack.MsgOptionAttachments(summaryAttachment(&next, &a)))
	ts, _, err := s.post(ctx, ch, "", opts...)
	if err != nil {
		return th, err
	}
	next.Ref = ts
	next.TopRef = ""
	next.Posted++
	return next, nil
}

// sendQuiet counts a routine alert: it refreshes the top message, if there
// is one, and posts nothing.
func (s *Slack) sendQuiet(ctx context.Context, ch string, a *wirewatch.Alert, th, next wirewatch.Thread) (wirewatch.Thread, error) {
	if th.Ref == "" {
		return next, nil
	}
	err := s.update(ctx, ch, &next, a, nil)
	switch {
	case err == nil:
	case goneCodes[codeOf(err)]:
		s.log.Info("thread's top message is gone; the next alert starts a new thread", "channel", ch, "thread", next.Key)
		next.Ref = ""
	case updateOnly(codeOf(err)):
		// The count is kept in the thread; the next update shows it.
		s.log.Warn("update thread summary", "channel", ch, "thread", next.Key, "err", err)
	default:
		return th, err
	}
	return next, nil
}

func (s *Slack) postOpts(text string, blocks []slack.Block) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(text, false), // already escaped
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

func (s *Slack) replyOpts(a *wirewatch.Alert) []slack.MsgOption {
	return s.postOpts(fallback("", a), capBlocks(s.card(a)))
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

// update refreshes the thread's top message: the summary attachment, and
// the blocks when given (otherwise Slack keeps them).
func (s *Slack) update(ctx context.Context, ch string, th *wirewatch.Thread, a *wirewatch.Alert, blocks []slack.Block) error {
	s.mu.Lock()
	hold := s.updateHold
	s.mu.Unlock()
	if time.Now().Before(hold) {
		return &APIError{Op: opUpdate, Channel: ch, Code: "ratelimited",
			msg: fmt.Sprintf("slack %s %s: rate limited; summary left for the next alert", opUpdate, ch)}
	}
	text := esc(fmt.Sprintf("🧵 %s — %d items · latest: %s", th.Title, th.Count, th.Latest), maxFallback)
	opts := []slack.MsgOption{
		slack.MsgOptionText(text, false),
		slack.MsgOptionAttachments(summaryAttachment(th, a)),
	}
	if blocks != nil {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if _, _, _, err := s.api.UpdateMessageContext(ctx, ch, th.Ref, opts...); err != nil {
		return s.classify(ctx, opUpdate, ch, err)
	}
	return nil
}
