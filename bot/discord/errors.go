package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

// JSON error codes we act on.
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
const (
	codeUnknownChannel   = 10003
	codeUnknownMessage   = 10008
	codeMissingAccess    = 50001
	codeMissingPerms     = 50013
	codeArchivedThread   = 50083
	codeThreadExists     = 160004
	codeThreadLocked     = 160005
	codeMaxActiveThreads = 160006
)

var errBadToken = errors.New("discord rejected the bot token (401); fix DISCORD_BOT_TOKEN and restart")

// APIError is an error answer from Discord, without the request (whose URL
// may hold an interaction token) and without the raw body.
type APIError struct {
	Status  int
	Code    int    // Discord's JSON error code; 0 when the body had none
	Message string // Discord's text, at most 200 bytes
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("HTTP %d: %s (code %d)", e.Status, e.Message, e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// apiError turns discordgo's and the transport's errors into ours: an
// *APIError for error answers, a *rateLimited as it is, and the bare cause
// of a failed request with the URL (and any token in it) dropped.
func apiError(err error) error {
	if err == nil {
		return nil
	}
	var rl *rateLimited
	if errors.As(err, &rl) {
		return rl
	}
	if errors.Is(err, errBadToken) {
		return errBadToken
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		e := &APIError{}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
			e.Message = http.StatusText(e.Status)
		}
		if re.Message != nil {
			e.Code = re.Message.Code
			if re.Message.Message != "" {
				e.Message = wirewatch.Clip(re.Message.Message, 200)
			}
		}
		return e
	}
	var dr *discordgo.RateLimitError
	if errors.As(err, &dr) && dr.RateLimit != nil && dr.TooManyRequests != nil {
		return &rateLimited{Route: "?", After: dr.RetryAfter, Reason: "429 from Discord"}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request: %w", ue.Op, ue.Err)
	}
	return err
}

// codeOf is the Discord error code in err, or 0.
func codeOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// classify marks err for the dispatcher: rate limits retry after the wait
// Discord asked for, server errors and network failures retry, a refused
// token holds every Discord alert (Auth), missing access or permissions
// hold the alert (people fix those, often a minute later), and every other
// 4xx is permanent, so that we never hammer Discord with requests it
// refuses (it bans IPs that send too many).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var rl *rateLimited
	if errors.As(err, &rl) {
		return wirewatch.RetryAfter(err, rl.After)
	}
	if errors.Is(err, errBadToken) {
		return wirewatch.Auth(err)
	}
	var e *APIError
	if errors.As(err, &e) {
		switch {
		case e.Status == 401:
			return wirewatch.Auth(err)
		case e.Code == codeMissingAccess, e.Code == codeMissingPerms:
			return wirewatch.Hold(err)
		case e.Code == codeMaxActiveThreads:
			// The guild is at its active thread cap: wait for some to archive.
			return wirewatch.RetryAfter(err, 10*time.Minute)
		case e.Status >= 500 || e.Status == 0:
			return err
		case e.Status >= 400:
			return wirewatch.Permanent(err)
		}
	}
	return err
}

// refused tells whether a classified err is a refusal that retrying at once
// does not cure (permanent, held or a refused token): what the gateway and
// command registration, which have no dispatcher to hold them, give up on.
func refused(err error) bool {
	c := wirewatch.Class(err)
	return c.Permanent || c.Hold || c.Auth
}
