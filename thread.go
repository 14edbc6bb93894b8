package wirewatch

import (
	"context"
	"errors"
	"strings"
	"time"
)

// This file is the contract between the dispatcher, which decides what a
// thread is (its top message, what is posted in it, what is broadcast,
// folded, held or edited), and the platform adapters, which only render
// and send. The dispatcher keeps every thread's state in the store; a
// Poster keeps none of it.

// CaseThreadKey is the thread key of a court case: the court id (lower
// case) and the core docket number. The dispatcher builds every case key
// with it, and adapters ask Thread.Case instead of reading the key.
func CaseThreadKey(court, number string) string {
	return casePrefix + strings.ToLower(court) + ":" + number
}

const casePrefix = "case:"

// Case tells whether th is a court case's thread.
func (th Thread) Case() bool { return strings.HasPrefix(th.Key, casePrefix) }

// RecentItems is how many of a thread's latest items its top message lists.
const RecentItems = 5

// ThreadItem is one item as a thread's top message lists it.
type ThreadItem struct {
	Title  string    `json:"title"`
	Link   string    `json:"link,omitempty"`
	Source string    `json:"source,omitempty"`
	Time   time.Time `json:"time,omitzero"` // published, else first seen
}

// ErrGone says the thread, or the top message it hangs from, was deleted
// (or locked): the dispatcher starts the thread anew.
var ErrGone = errors.New("thread or its top message is gone")

// Poster renders and sends for one kind of destination. It holds no thread
// state: the dispatcher passes the thread as the store has it and records
// what the Poster returns before the next call, so a crash between two
// calls repeats at most the call in flight.
//
// Errors are classified with Permanent, RetryAfter, Hold or Auth; an error
// that wraps ErrGone means the thread must be started again.
type Poster interface {
	// Check verifies the credentials once at start (Slack auth.test,
	// Discord GET /users/@me); an error names the token that is wrong.
	Check(ctx context.Context) error
	// PostTop posts the top message of the new thread th, whose first
	// alert is a, and returns th with TopRef set. Where the platform opens
	// the thread in the same call (a Slack ts, a Discord forum post, a
	// channel that is itself a thread) Ref is set too.
	PostTop(ctx context.Context, th Thread, a Alert) (Thread, error)
	// Open turns th's posted top message into a thread and returns th with
	// Ref set. The dispatcher saves TopRef before calling it, so a restart
	// after a crash opens the thread instead of posting the top again.
	Open(ctx context.Context, th Thread) (Thread, error)
	// Reply posts a inside th; broadcast also shows it in the channel.
	// It returns the thread reference the platform placed it under, which
	// may differ from th.Ref (Slack names the parent it used).
	Reply(ctx context.Context, th Thread, a Alert, broadcast bool) (ref string, err error)
	// EditTop rewrites th's top message to show th as it now stands. A
	// Poster may wait for its platform's edit budget.
	EditTop(ctx context.Context, th Thread) error
	// Delivered reports whether a was already posted, for an alert that
	// was in flight when the process died: in th (th.Ref set), or as the
	// top of a new thread (th.Ref and th.TopRef empty; then the returned
	// thread carries the TopRef and Ref that PostTop would have returned).
	// Posts carry a.DeliveryID() so that they can be found. A platform
	// that deduplicates by itself (Discord's nonce) may answer th, false.
	Delivered(ctx context.Context, th Thread, a Alert) (Thread, bool, error)
}

// FoldMax is the most alerts one folded message lists: a Folder fits that
// many within its platform's limits (shortening and unlinking lines as
// needed), so that a docket feed catching up with 40 entries makes one
// folded message.
const FoldMax = 40

// Folder is a Poster that can post several alerts of one thread as one
// message, so that a burst (a docket feed catching up, a story carried by
// thirty outlets) is not one message each. The dispatcher folds only
// alerts that are not to be broadcast, into a thread already open, and
// never on stdout (one line per alert, each recorded as printed).
type Folder interface {
	// ReplyFolded posts as (2 to FoldMax alerts) inside th as one message
	// listing them, named by as[0].DeliveryID() so that Delivered(th,
	// as[0]) finds it after a crash. It returns the thread reference the
	// platform placed it under, as Reply does.
	ReplyFolded(ctx context.Context, th Thread, as []Alert) (ref string, err error)
}

// Editor is a Poster that can edit a posted alert in place, when its
// item changes (a headline corrected, an RSS stub replaced by the full
// entry, a docket entry's description filled in).
type Editor interface {
	// ReplyRef is Reply that also returns the posted message's reference,
	// which EditAlert takes.
	ReplyRef(ctx context.Context, th Thread, a Alert, broadcast bool) (ref, msg string, err error)
	// EditAlert rewrites message msg, which carries a's item (th's top
	// message when msg is th.TopRef), to show a as it now reads, noting
	// that it was updated at at. An error wrapping ErrGone: the message
	// was deleted.
	EditAlert(ctx context.Context, th Thread, msg string, a Alert, at time.Time) error
}

// MaxEdits is how many times one alerted item's message is edited at
// most: a feed that rewrites an entry on every poll does not make an edit
// each time.
const MaxEdits = 3

// Noticer is a Poster that can post wirewatch's own notices where people
// read: that a feed a channel depends on is failing, or works again, or
// that alerts of the channel were parked. In th's thread when th.Ref is
// set, else at the channel's root. text is plain: the Noticer escapes it,
// and it pings no one.
type Noticer interface {
	PostNotice(ctx context.Context, th Thread, text string) error
}

// BroadcastAfter: thread replies notify only the thread's followers, so
// with Watch.Broadcast auto the first item of a thread silent this long is
// also shown in the channel, as a docket entry that is not routine is.
const BroadcastAfter = 6 * time.Hour
