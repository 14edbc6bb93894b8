package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/wirewatch/wirewatch"
)

// RunSocketMode takes slash commands over Socket Mode (SLACK_APP_TOKEN): no
// public URL is needed. It blocks until ctx is done, reconnecting as Slack
// asks, and returns early only when Slack refuses the app token.
func (s *Slack) RunSocketMode(ctx context.Context, c wirewatch.Commander) error {
	if s.o.AppToken == "" {
		return errors.New("slack socket mode: SLACK_APP_TOKEN is not set")
	}
	api := slack.New(s.o.BotToken,
		slack.OptionAPIURL(s.apiURL),
		slack.OptionHTTPClient(s.http),
		slack.OptionAppLevelToken(s.o.AppToken),
		slack.OptionLog(slogOutput{s.log}),
	)
	cl := socketmode.New(api, socketmode.OptionLog(slogOutput{s.log}))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- cl.RunContext(ctx) }()

	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %s", s.scrub(err.Error()))
		case ev := <-cl.Events:
			s.socketEvent(ctx, cl, c, ev)
		}
	}
}

func (s *Slack) socketEvent(ctx context.Context, cl *socketmode.Client, c wirewatch.Commander, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		s.log.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError:
		s.log.Warn("slack socket mode connection", "err", s.scrub(fmt.Sprint(ev.Data)))
	case socketmode.EventTypeInvalidAuth:
		s.log.Error("slack socket mode: the app token was refused")
	case socketmode.EventTypeSlashCommand:
		sc, ok := ev.Data.(slack.SlashCommand)
		if !ok || ev.Request == nil {
			s.log.Warn("slack socket mode: malformed slash command")
			return
		}
		req := *ev.Request
		// Slack redelivers an envelope it thinks was not acked: run it
		// once, and ack the copy so Slack stops.
		if !s.replays.First("envelope "+req.EnvelopeID, s.now(), s.now().Add(signatureWindow)) {
			s.log.Info("slack socket mode: envelope already handled", "envelope_id", req.EnvelopeID)
			payload := map[string]any{"response_type": slack.ResponseTypeEphemeral, "text": replyText(alreadyHandled)}
			if err := cl.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
				s.log.Warn("slack socket mode ack", "err", s.scrub(err.Error()))
			}
			return
		}
		// Commands run beside the event loop: a slow one must not hold up
		// the acks of others.
		s.spawn(func() {
			text := s.answer(ctx, c, sc)
			payload := map[string]any{"response_type": slack.ResponseTypeEphemeral, "text": text}
			if err := cl.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
				s.log.Warn("slack socket mode ack", "err", s.scrub(err.Error()))
			}
		})
	case socketmode.EventTypeInteractive:
		if ev.Request != nil {
			s.socketInteraction(ctx, cl, c, ev) // interactions.go: buttons
		}
	default:
		// Events and interactions we do not handle are acked, so Slack does
		// not send them again.
		if ev.Request != nil && ev.Request.EnvelopeID != "" {
			if err := cl.AckCtx(ctx, ev.Request.EnvelopeID, nil); err != nil {
				s.log.Debug("slack socket mode ack", "err", s.scrub(err.Error()))
			}
		}
	}
}
