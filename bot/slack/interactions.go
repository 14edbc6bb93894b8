package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/wirewatch/wirewatch"
)

// Buttons on alerts: each alert's card ends with an actions block of its
// wirewatch.Alert.Controls. A press comes back as a block_actions
// interaction, over HTTP (POST /slack/interactions, signed as commands
// are) or Socket Mode; it is acked at once and answered through its
// response_url, ephemeral, once the Clicker is done.
// https://docs.slack.dev/interactivity/handling-user-interaction

// Block Kit limits (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
const (
	maxButtonText = 75   // a button's plain_text
	maxButtonVal  = 2000 // a button's value
	// maxInteractionBody bounds a block_actions request: it carries the
	// whole message the button is on (up to 50 blocks).
	maxInteractionBody = 256 << 10
)

// controlsBlockID names the actions block; its buttons' action_ids are
// actionPrefix and their index (unique within the message, as Slack
// wants); the value is the control (wirewatch.Control.ID).
const (
	controlsBlockID = "wirewatch_controls"
	actionPrefix    = "wirewatch_"
)

// controlsBlock renders cs as an actions block; nil when there are none.
// Labels are plain_text: Slack renders no markup or mention in them.
func controlsBlock(cs []wirewatch.Control) slack.Block {
	var els []slack.BlockElement
	for i, c := range cs {
		v := c.ID()
		if len(v) > maxButtonVal {
			continue
		}
		label := strings.Join(strings.Fields(c.Label), " ")
		if utf8.RuneCountInString(label) > maxButtonText {
			label = string([]rune(label)[:maxButtonText-1]) + "…"
		}
		b := slack.NewButtonBlockElement(actionPrefix+strconv.Itoa(i), v, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		if c.Action == wirewatch.ActStopConfirm {
			b = b.WithStyle(slack.StyleDanger)
		}
		els = append(els, b)
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock(controlsBlockID, els...)
}

// InteractionsHandler serves POST /slack/interactions, Slack's
// interactivity request URL: the signature is checked exactly as for
// commands (401 otherwise, and nothing done), a signed request is run
// once, and a button press is acked at once and answered through its
// response_url.
func (s *Slack) InteractionsHandler(c wirewatch.Clicker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, first, ok := s.readSigned(w, r, maxInteractionBody, "interaction")
		if !ok {
			return
		}
		if !first {
			w.WriteHeader(http.StatusOK) // acked, not run
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		s.interaction(c, cb)
		w.WriteHeader(http.StatusOK)
	})
}

// interaction carries out the button press in cb, if it is one of ours,
// beside the caller, which acks at once.
func (s *Slack) interaction(c wirewatch.Clicker, cb slack.InteractionCallback) {
	k, ok := s.click(cb)
	if !ok {
		return
	}
	s.spawn(func() {
		ctx, cancel := context.WithTimeout(s.base, commandTimeout)
		defer cancel()
		rep := c.Click(ctx, k)
		msg := &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeEphemeral, Text: replyText(rep.Text),
			// A press in our own ephemeral answer (a confirmation) is
			// answered in its place.
			ReplaceOriginal: cb.Container.IsEphemeral,
		}
		if b := controlsBlock(rep.Controls); b != nil {
			msg.Blocks = &slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(mdText(msg.Text), nil, nil), b,
			}}
		}
		s.respondMsg(ctx, cb.ResponseURL, msg)
	})
}

// click reads the press of one of our buttons from a block_actions
// payload. Only the channel and the user are taken from it as facts (the
// request is signed by Slack); the control is what the button says, and
// the Clicker checks it.
func (s *Slack) click(cb slack.InteractionCallback) (wirewatch.Click, bool) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return wirewatch.Click{}, false
	}
	ch := cb.Channel.ID
	if ch == "" {
		ch = cb.Container.ChannelID
	}
	dest, err := wirewatch.ParseDestination(wirewatch.Slack + ":" + ch)
	if err != nil || cb.User.ID == "" {
		s.log.Info("slack button press without a channel or user: ignored")
		return wirewatch.Click{}, false
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil || !strings.HasPrefix(a.ActionID, actionPrefix) {
			continue
		}
		ctl, ok := wirewatch.ParseControlID(a.Value)
		if !ok {
			// Refused and audited by the Clicker.
			s.log.Info("slack button press with a value that is no control", "user", cb.User.ID)
			ctl = wirewatch.RawControl(a.Value)
		}
		user := cb.User.ID
		if name := cmp.Or(cb.User.Name, cb.User.Username); name != "" {
			user = wirewatch.Clip(name, 64) + " (" + cb.User.ID + ")"
		}
		return wirewatch.Click{Control: ctl, Channel: dest, User: user}, true
	}
	return wirewatch.Click{}, false
}

// socketInteraction acks an interactive envelope at once and carries out
// the press it holds, once.
func (s *Slack) socketInteraction(ctx context.Context, cl *socketmode.Client, c wirewatch.Commander, ev socketmode.Event) {
	req := *ev.Request
	if err := cl.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
		s.log.Warn("slack socket mode ack", "err", s.scrub(err.Error()))
	}
	cb, ok := ev.Data.(slack.InteractionCallback)
	clicker, takes := c.(wirewatch.Clicker)
	if !ok || !takes {
		return
	}
	if !s.replays.First("envelope "+req.EnvelopeID, s.now(), s.now().Add(signatureWindow)) {
		s.log.Info("slack socket mode: envelope already handled", "envelope_id", req.EnvelopeID)
		return
	}
	s.interaction(clicker, cb)
}
