package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
)

// Slash-command limits (https://docs.slack.dev/interactivity/implementing-slash-commands).
const (
	maxCommandBody   = 64 << 10        // a slash-command form is a few hundred bytes
	signatureWindow  = 5 * time.Minute // Slack's replay window for v0 signatures
	commandTimeout   = 2 * time.Minute // a slow command, answered through response_url
	responseURLTries = 2
)

// Signature errors.
var (
	ErrNoSecret         = errors.New("slack signing secret not configured")
	ErrMissingSignature = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrBadSignature     = errors.New("slack signature does not match")
	ErrStaleTimestamp   = errors.New("slack request timestamp outside the 5-minute window")
)

// sign computes Slack's v0 request signature: "v0=" + hex(HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + body)).
func sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// verify checks a request's v0 signature over the raw body and that its
// timestamp is within five minutes of now, either way.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return ErrNoSecret
	}
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return ErrMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %.20q is not a number", ErrStaleTimestamp, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > signatureWindow || d < -signatureWindow {
		return ErrStaleTimestamp
	}
	if !hmac.Equal([]byte(sig), []byte(sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}

// CommandsHandler serves POST /slack/commands: it checks the signature
// before anything else (401 otherwise), runs the command and answers within
// 3 s, ephemeral. A command still running after 2.5 s is answered "working
// on it" and finished through the request's response_url.
func (s *Slack) CommandsHandler(c wirewatch.Commander) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, first, ok := s.readSigned(w, r, maxCommandBody, "command")
		if !ok {
			return
		}
		if !first {
			writeReply(w, replyText(alreadyHandled))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sc, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if r.PostForm.Get("ssl_check") == "1" {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeReply(w, s.answer(r.Context(), c, sc))
	})
}

// readSigned reads a request Slack signs (a command, an interaction) of at
// most max bytes and checks its signature over the raw body before
// anything else. ok false: it answered the request itself (405, 413, 401).
// first false: a signed request already handled (captured and replayed
// within its window), which must be answered but not run.
func (s *Slack) readSigned(w http.ResponseWriter, r *http.Request, max int, what string) (body []byte, first, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return nil, false, false
	}
	if len(body) > max {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false, false
	}
	if err := verify(s.o.SigningSecret, r.Header, body, s.now()); err != nil {
		if errors.Is(err, ErrNoSecret) {
			s.logOnce(slog.LevelWarn, "no signing secret", "slack "+what+" refused: SLACK_SIGNING_SECRET is not set")
		} else {
			s.log.Debug("slack "+what+" refused", "err", err)
		}
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false, false
	}
	if !s.replays.First("http "+r.Header.Get("X-Slack-Signature"), s.now(), signedAt(r.Header).Add(signatureWindow)) {
		s.log.Warn("slack " + what + " refused: a replay of a request already handled")
		return body, false, true
	}
	return body, true, true
}

// alreadyHandled answers a command delivered a second time.
const alreadyHandled = "This command was already handled; a repeated delivery of it is not run again."

// signedAt is the time in a verified request's X-Slack-Request-Timestamp.
func signedAt(h http.Header) time.Time {
	sec, _ := strconv.ParseInt(h.Get("X-Slack-Request-Timestamp"), 10, 64)
	return time.Unix(sec, 0)
}

func writeReply(w http.ResponseWriter, text string) {
	b, _ := json.Marshal(slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: text})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// command turns a slash command into a wirewatch.Command.
func (s *Slack) command(sc slack.SlashCommand) (wirewatch.Command, error) {
	cmd, err := wirewatch.ParseCommandText(sc.Text)
	if err != nil {
		return cmd, err
	}
	ch, err := wirewatch.ParseDestination(wirewatch.Slack + ":" + sc.ChannelID)
	if err != nil {
		return cmd, fmt.Errorf("this channel cannot take alerts: %v", err)
	}
	cmd.Channel = ch
	cmd.User = sc.UserID
	if sc.UserName != "" {
		cmd.User = sc.UserName + " (" + sc.UserID + ")"
	}
	cmd.MayManageFeeds = len(s.admins) == 0 || s.admins[sc.UserID]
	return cmd, nil
}

// answer runs a slash command and returns the escaped text of the immediate
// reply: the command's own reply when it finishes within the ack budget,
// else "working on it", the real reply then going to response_url.
func (s *Slack) answer(ctx context.Context, c wirewatch.Commander, sc slack.SlashCommand) string {
	cmd, err := s.command(sc)
	if err != nil {
		return replyText(err.Error())
	}
	s.log.Info("slack command", "verb", cmd.Verb, "channel", string(cmd.Channel), "user", sc.UserID)

	// The command outlives the request when slow: it runs under the
	// adapter's own context, cancelled by Close.
	cctx, cancel := context.WithTimeout(s.base, commandTimeout)
	var (
		mu   sync.Mutex
		late bool
		done = make(chan wirewatch.Reply, 1)
	)
	started := s.spawn(func() {
		defer cancel()
		rep := c.Command(cctx, cmd)
		mu.Lock()
		if !late {
			done <- rep
			mu.Unlock()
			return
		}
		mu.Unlock()
		s.respond(cctx, sc.ResponseURL, rep.Text)
	})
	if !started {
		cancel()
		return replyText("wirewatch is shutting down; try again in a minute.")
	}

	t := time.NewTimer(s.ackBudget)
	defer t.Stop()
	select {
	case rep := <-done:
		return replyText(rep.Text)
	case <-t.C:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case rep := <-done:
		return replyText(rep.Text)
	default:
		late = true
	}
	if s.replyURL(sc.ResponseURL) == "" {
		return replyText("Working on it… (the answer cannot be delivered later: this request has no usable response_url)")
	}
	return replyText("Working on it…")
}

// hostOf returns the host and scheme of an absolute URL.
func hostOf(u string) (string, string) {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "", ""
	}
	return strings.ToLower(p.Host), p.Scheme
}

// replyURL returns u if it points at Slack (or the configured API host),
// else "": a forged response_url must not make us post anywhere.
func (s *Slack) replyURL(u string) string {
	h, scheme := hostOf(u)
	if h == "" {
		return ""
	}
	if want, ok := s.replyHosts[h]; !ok || want != scheme {
		return ""
	}
	return u
}

// respond posts a late, ephemeral reply to a command's response_url.
func (s *Slack) respond(ctx context.Context, responseURL, text string) {
	s.respondMsg(ctx, responseURL, &slack.WebhookMessage{ResponseType: slack.ResponseTypeEphemeral, Text: replyText(text)})
}

// respondMsg posts msg to a command's or a button's response_url.
func (s *Slack) respondMsg(ctx context.Context, responseURL string, msg *slack.WebhookMessage) {
	u := s.replyURL(responseURL)
	if u == "" {
		s.log.Warn("slack reply dropped: response_url is not a Slack URL")
		return
	}
	var err error
	for try := 0; try < responseURLTries; try++ {
		if err = slack.PostWebhookCustomHTTPContext(ctx, u, s.http, msg); err == nil {
			return
		}
		if ctx.Err() != nil {
			break
		}
	}
	// The URL itself is a credential for its thread: log the cause only.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s.log.Warn("slack command reply", "err", s.scrub(err.Error()))
}
