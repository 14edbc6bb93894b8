package wirewatch

import (
	"context"
	"strings"
)

// Buttons on alerts. Which controls an alert carries is decided here, once,
// for every platform; adapters render each Control as a button that names
// its Action and Arg, and turn a click back into a Click. A click's Action
// and Arg come back from the platform inside the message, so they are
// untrusted: the Clicker looks everything up again and trusts only what the
// platform verified (who clicked, in which channel).

// Control actions.
const (
	// ActMute mutes the alert's thread in its channel (Arg: thread key).
	ActMute = "mute"
	// ActUnmute lifts a mute (Arg: thread key).
	ActUnmute = "unmute"
	// ActStop asks to stop a watch (Arg: watch id): the answer offers
	// ActStopConfirm.
	ActStop = "stop"
	// ActStopConfirm stops the watch (Arg: watch id), as /watch drop.
	ActStopConfirm = "stop!"
	// ActFollow adds a case: watch for a docket number a news item
	// mentions (Arg: the number), as /watch add case:NUMBER.
	ActFollow = "follow"
)

// MaxControlArg bounds a control's Arg, so that every control fits each
// platform's button (Discord's custom_id holds 100 characters).
const MaxControlArg = 80

// maxStopControls: a button per watch, at most this many (a Discord row
// holds five buttons: mute, these, follow).
const maxStopControls = 3

// Control is one button.
type Control struct {
	Action string
	Arg    string
	Label  string // plain text; adapters clip it to their limit
}

// Controls lists the buttons a is posted with: mute its thread, stop each
// watch that chat may drop (not those of the config file), and follow the
// case a news item mentions.
func (a Alert) Controls() []Control {
	var cs []Control
	if a.Thread != "" && len(a.Thread) <= MaxControlArg {
		cs = append(cs, Control{Action: ActMute, Arg: a.Thread, Label: "Mute this thread"})
	}
	var stops []Control
	for _, id := range a.WatchIDs {
		if ConfigID(id) || id == "" || len(id) > MaxControlArg || len(stops) == maxStopControls {
			continue
		}
		label := "Stop this watch"
		if len(a.WatchIDs) > 1 {
			// By id: a label carries no text from chat or feeds.
			label = "Stop watch " + id
		}
		stops = append(stops, Control{Action: ActStop, Arg: id, Label: label})
	}
	cs = append(cs, stops...)
	if a.Docket == nil && a.Mentions != "" && len(a.Mentions) <= MaxControlArg {
		cs = append(cs, Control{Action: ActFollow, Arg: a.Mentions, Label: "Follow case " + a.Mentions})
	}
	return cs
}

// ID is a control's Action and Arg as one string ("mute:KEY"), the
// form adapters put in a button's id.
func (c Control) ID() string { return c.Action + ":" + c.Arg }

// ParseControlID reads what ID wrote; false when s is not a control's.
func ParseControlID(s string) (Control, bool) {
	act, arg, ok := strings.Cut(s, ":")
	if !ok || arg == "" || len(arg) > MaxControlArg {
		return Control{}, false
	}
	switch act {
	case ActMute, ActUnmute, ActStop, ActStopConfirm, ActFollow:
		return Control{Action: act, Arg: arg}, true
	}
	return Control{}, false
}

// RawControl is s read as ID writes it, unchecked, each part clipped (an
// Arg too long stays too long): the press of a button whose id is not a
// control (ParseControlID) still goes to the Clicker, which refuses it and
// writes it to the audit trail, where a tampered button shows.
func RawControl(s string) Control {
	act, arg, _ := strings.Cut(s, ":")
	return Control{Action: Clip(act, 16), Arg: Clip(arg, MaxControlArg+1)}
}

// Click is a press of a Control's button, as the platform reported it.
type Click struct {
	Control
	Channel Destination // where the button was pressed (verified by the platform)
	User    string      // who pressed it (for the audit trail)
	// Denied, when set, says why the platform's permissions refuse this
	// user (Discord: no Manage Channels here); the click is refused with
	// it, and still recorded.
	Denied string
}

// Clicker carries out button presses, with the same checks as the
// commands they stand for, and records each one in the audit trail. The
// Reply's Controls are buttons to offer with the answer (a confirmation).
type Clicker interface {
	Click(ctx context.Context, k Click) Reply
}
