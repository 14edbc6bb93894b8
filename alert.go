package wirewatch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Alert is one matched item for one destination. Several watches that match
// the same item for the same destination make one alert naming them all.
type Alert struct {
	ID      uint64      `json:"-"` // outbox sequence, per destination
	To      Destination `json:"to"`
	Watches []string    `json:"watches"` // labels of the watches that matched
	Thread  string      `json:"thread"`  // thread key
	Title   string      `json:"title"`
	Link    string      `json:"link"`
	Source  string      `json:"source"` // feed name
	// FeedID is the feed the item came from (Item.FeedID): a channel
	// depends on the feeds whose alerts it got, and hears when one fails.
	FeedID    string    `json:"feed_id,omitempty"`
	Published time.Time `json:"published"`
	Summary   string    `json:"summary"`
	Terms     []string  `json:"terms"` // matched terms as written in the item
	Docket    *Docket   `json:"docket,omitempty"`
	// MatchedIn lists where the terms were found: "title", "text",
	// "article" (the linked page), "docket", and "search" when a watch's
	// search feed found the item (watches[].search).
	MatchedIn []string `json:"matched_in,omitempty"`
	// AlsoIn: other outlets carry the alert's story (a near copy of its
	// article, bot/samestory.go). Such an alert repeats the story's first
	// alert (its thread, title, link) and names the outlets it adds; a
	// chat shows it as an "also in" line in the story's thread.
	AlsoIn []Outlet `json:"also_in,omitempty"`
	// Quiet alerts (routine docket entries) are counted in their thread's
	// summary but not posted on their own.
	Quiet bool `json:"quiet,omitempty"`
	// Routine: a docket entry the routine-entry classifier calls routine
	// (Docket.Procedural, which the outbox does not keep), posted or not.
	Routine bool `json:"routine,omitempty"`
	// Broadcast is what the alert's watches say of showing it in the
	// channel too (Watch.Broadcast, combined by the watchlist): "" or
	// BroadcastAuto lets the dispatcher decide.
	Broadcast string    `json:"broadcast,omitempty"`
	Queued    time.Time `json:"queued,omitzero"`
	Tries     int       `json:"tries,omitempty"` // failed deliveries so far
	// InFlight: a send of this alert began and its outcome was not
	// recorded (the process died): ask the Poster whether it was
	// delivered before sending it again.
	InFlight bool `json:"in_flight,omitempty"`
	// Item names the item the alert is about (its seen key, in hex), so
	// that a later change of the item finds the message that carried it.
	Item string `json:"item,omitempty"`
	// Edit: the item was alerted before and has changed (a corrected
	// headline, a stub replaced by the full entry): the message that
	// carried it is edited, nothing is posted.
	Edit bool `json:"edit,omitempty"`
	// Message is the reference of the message that carries the alert,
	// once posted (set by the dispatcher for the store; not queued).
	Message string `json:"-"`
	// Fold: the alert is one of several of its thread posted as one
	// message (a burst); the ID of the group's first alert, whose
	// DeliveryID names the message. Zero: posted on its own.
	Fold uint64 `json:"fold,omitempty"`
	// WatchIDs are the ids of the watches Watches names, in the same
	// order, for the alert's buttons (empty in alerts queued by older
	// versions: no stop button).
	WatchIDs []string `json:"watch_ids,omitempty"`
	// Mentions is the first docket number a news item's title or text
	// names ("8:25-cv-951"), for a button that follows that case.
	Mentions string `json:"mentions,omitempty"`
}

// Outlet is a publication that carries a story, and its link to it.
type Outlet struct {
	Source string `json:"source"` // the feed's name
	Link   string `json:"link"`
}

// Headline is what an alert is called wherever one line names it (a
// message's title, a thread's summary, a list): its title, else a docket
// entry's short description, else "(untitled)".
func (a Alert) Headline() string {
	if t := strings.TrimSpace(a.Title); t != "" {
		return t
	}
	if a.Docket != nil {
		if d := strings.TrimSpace(a.Docket.ShortDescription); d != "" {
			return d
		}
	}
	return "(untitled)"
}

// Listed is what a list of alerts (a folded burst, a digest) shows for a:
// its headline, link and source. An "also in" alert repeats its story's
// first alert, so it is listed as the outlets it adds: the headline marked
// "Also in", linked to the first new outlet's page, with their sources.
func (a Alert) Listed() (title, link, source string) {
	if len(a.AlsoIn) == 0 {
		return a.Headline(), a.Link, a.Source
	}
	names := make([]string, 0, len(a.AlsoIn))
	for _, o := range a.AlsoIn {
		if o.Source != "" {
			names = append(names, o.Source)
		}
	}
	return "Also in: " + a.Headline(), a.AlsoIn[0].Link, strings.Join(names, ", ")
}

// DeliveryID names the alert to its platform, for idempotency (Discord's
// nonce, Slack's message metadata): the outbox sequence and the time it
// was queued, so it is unique per destination across restarts, and across
// a store started afresh, in at most 23 characters (Discord allows 25).
func (a Alert) DeliveryID() string {
	return "w" + strconv.FormatUint(a.ID, 36) + "." + strconv.FormatInt(a.Queued.UnixMilli(), 36)
}

// Thread is what the store keeps of one thread in one channel, so that later
// alerts with the same key are posted inside it, across restarts.
type Thread struct {
	Key string      `json:"key"`
	To  Destination `json:"to"`
	// Ref is the platform's handle on the thread: the top message's ts on
	// Slack, the thread's channel id on Discord. Empty: no thread yet.
	Ref string `json:"ref,omitempty"`
	// TopRef is the top message to edit, where it differs from Ref.
	TopRef string `json:"top_ref,omitempty"`
	Count  int    `json:"count"`  // items in the thread, quiet ones included
	Posted int    `json:"posted"` // items posted in the thread
	Latest string `json:"latest"` // latest headline
	Title  string `json:"title"`  // what the thread is about (case caption or watch)
	// Watch is the watch a news thread belongs to, as its alerts name it
	// (empty for a case): its top message names the watch, so a reply of
	// that watch alone need not.
	Watch   string    `json:"watch,omitempty"`
	Started time.Time `json:"started,omitzero"`
	Updated time.Time `json:"updated,omitzero"`
	// Recent lists the latest items, newest first, at most RecentItems.
	Recent []ThreadItem `json:"recent,omitempty"`
	// TopDirty: the top message does not show the thread as it now stands
	// yet; an EditTop is pending.
	TopDirty bool `json:"top_dirty,omitempty"`
	// LastPost is when an item was last posted in the thread (quiet ones
	// are counted, not posted).
	LastPost time.Time `json:"last_post,omitzero"`
}

// Routine is how many of the thread's items were counted but not posted.
func (th Thread) Routine() int { return max(th.Count-th.Posted, 0) }

// SendError is a failure to deliver, classified once, at the adapter.
type SendError struct {
	Err error
	// Permanent failures (unknown channel, missing permission, bad token)
	// are not retried: the alert is parked with the reason.
	Permanent bool
	// After is how long the destination asked us to wait (Retry-After).
	After time.Duration
	// Hold: the destination refuses for now in a way people fix (the bot
	// not yet invited, a permission missing): retried with a long backoff,
	// parked only after a bounded time.
	Hold bool
	// Auth: the platform refuses the token itself; every alert of that
	// platform waits until the token works again.
	Auth bool
}

func (e *SendError) Error() string {
	if e.Permanent {
		return fmt.Sprintf("permanent: %v", e.Err)
	}
	if e.After > 0 {
		return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
	}
	return e.Err.Error()
}

func (e *SendError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &SendError{Err: err, Permanent: true} }

// RetryAfter marks err as worth retrying after d (zero: the caller's backoff).
func RetryAfter(err error, d time.Duration) error { return &SendError{Err: err, After: d} }

// Hold marks err as a refusal people fix: retried slowly, parked late.
func Hold(err error) error { return &SendError{Err: err, Hold: true} }

// Auth marks err as a refusal of the platform's token.
func Auth(err error) error { return &SendError{Err: err, Auth: true} }

// Class returns how err was classified (the zero SendError when it was not).
func Class(err error) SendError {
	var se *SendError
	if errors.As(err, &se) {
		return *se
	}
	return SendError{Err: err}
}

// Classify tells whether err is permanent and how long the destination asked
// to wait. Unclassified errors are retryable.
func Classify(err error) (permanent bool, after time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent, se.After
	}
	return false, 0
}
