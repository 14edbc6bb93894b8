package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/match"
	"github.com/wirewatch/wirewatch/store"
)

// Buttons on alerts (wirewatch.Alert.Controls). A press comes back with the
// button's action and argument, which the message carried and so are not
// trusted: each is looked up again here and given the checks of the command
// it stands for (mute and unmute: a thread of this channel; stop: /watch
// drop's; follow: /watch add's). Only the channel and the user come from
// the platform's verified request. Every press, refused or not, is
// written to the audit trail.

var _ wirewatch.Clicker = (*Commands)(nil)

// maxListedMutes bounds the muted threads /watch list names.
const maxListedMutes = 20

// Click carries out a button press and records it.
func (s *Commands) Click(ctx context.Context, k wirewatch.Click) wirewatch.Reply {
	rep := s.click(ctx, k)
	detail := "done"
	if rep.Refused {
		detail = "refused: " + rep.Text
	}
	e := store.AuditEntry{At: s.now().UTC(), User: k.User, Action: "button " + k.Action,
		ID: wirewatch.Clip(k.Arg, wirewatch.MaxControlArg), Detail: wirewatch.Ellipsize(detail, 300), To: string(k.Channel)}
	if err := s.DB.Record(e); err != nil {
		s.Log.Error("audit button press", "action", k.Action, "err", err)
	}
	s.Log.Info("button", "action", k.Action, "arg", e.ID, "channel", k.Channel, "user", k.User, "refused", rep.Refused)
	return rep
}

func (s *Commands) click(ctx context.Context, k wirewatch.Click) wirewatch.Reply {
	refuse := func(msg string) wirewatch.Reply { return wirewatch.Reply{Text: msg, Refused: true} }
	if k.Channel == "" || k.Channel.Kind() == wirewatch.Stdout {
		return refuse("buttons work in a chat channel")
	}
	if k.Denied != "" {
		return refuse(k.Denied)
	}
	if k.Arg == "" || len(k.Arg) > wirewatch.MaxControlArg || strings.ContainsAny(k.Arg, " \t\r\n") {
		return refuse("this button is damaged; use the /watch commands instead")
	}
	c := wirewatch.Command{Channel: k.Channel, User: k.User}
	switch k.Action {
	case wirewatch.ActMute:
		return s.mute(c, k.Arg)
	case wirewatch.ActUnmute:
		c.Verb, c.Arg = wirewatch.CmdUnmute, k.Arg
	case wirewatch.ActStop:
		return s.askStop(c, k.Arg)
	case wirewatch.ActStopConfirm:
		c.Verb, c.Arg = wirewatch.CmdDrop, k.Arg
	case wirewatch.ActFollow:
		// Only a docket number, as the alert offered it: the button
		// cannot carry a query of its own.
		if match.FirstDocketNumber(k.Arg) != k.Arg {
			return refuse("this button does not name a docket number")
		}
		q := "case:" + k.Arg
		// Checked and added in one step: two presses at once add one watch.
		s.adding.Lock()
		defer s.adding.Unlock()
		for _, w := range s.Watches(ctx, k.Channel) {
			if strings.EqualFold(w.Query, q) {
				return refuse(fmt.Sprintf("this channel follows %s already: watch %s", k.Arg, w.ID))
			}
		}
		c.Verb, c.Arg = wirewatch.CmdAdd, q
		text, err := s.addLocked(c)
		if err != nil {
			return refuse(err.Error())
		}
		return wirewatch.Reply{Text: text}
	default:
		return refuse("unknown button")
	}
	return s.Command(ctx, c)
}

// mute mutes thread key in c.Channel: it must be a thread posted there.
func (s *Commands) mute(c wirewatch.Command, key string) wirewatch.Reply {
	th, err := s.DB.Thread(c.Channel, key)
	if err != nil {
		return wirewatch.Reply{Text: err.Error(), Refused: true}
	}
	if th.Started.IsZero() && th.Updated.IsZero() {
		return wirewatch.Reply{Text: "wirewatch has no such thread in this channel (it may be too old)", Refused: true}
	}
	err = s.DB.MuteThread(store.Mute{Key: key, To: c.Channel, Title: th.Title, By: c.User, At: s.now().UTC()})
	if err != nil {
		return wirewatch.Reply{Text: err.Error(), Refused: true}
	}
	return wirewatch.Reply{
		Text:     fmt.Sprintf("Muted %s: its alerts are no longer posted in this channel. To undo: /watch unmute %s", cmp.Or(th.Title, key), key),
		Controls: []wirewatch.Control{{Action: wirewatch.ActUnmute, Arg: key, Label: "Unmute"}},
	}
}

// askStop is the first press of a stop button: the checks of /watch drop,
// and a confirmation to press.
func (s *Commands) askStop(c wirewatch.Command, id string) wirewatch.Reply {
	w, ok := s.List.Get(id)
	switch {
	case !ok:
		return wirewatch.Reply{Text: fmt.Sprintf("no watch %q; /watch list shows the ids", id), Refused: true}
	case wirewatch.ConfigID(id):
		return wirewatch.Reply{Text: fmt.Sprintf("watch %s is defined in the config file; it can only be changed there", id), Refused: true}
	case !delivers(w, c.Channel):
		return wirewatch.Reply{Text: fmt.Sprintf("watch %s belongs to another channel", id), Refused: true}
	}
	return wirewatch.Reply{
		Text:     fmt.Sprintf("Stop watch %s (%s)? Nothing more it matches will be posted, here or anywhere else it delivers.", w.ID, w.Query),
		Controls: []wirewatch.Control{{Action: wirewatch.ActStopConfirm, Arg: w.ID, Label: "Stop watch " + w.ID}},
	}
}

// unmute lifts a mute of this channel.
func (s *Commands) unmute(c wirewatch.Command) (string, error) {
	if c.Channel == "" || c.Channel.Kind() == wirewatch.Stdout {
		return "", errors.New("unmute is for a chat channel: type it there")
	}
	key := strings.TrimSpace(c.Arg)
	m, err := s.DB.UnmuteThread(c.Channel, key, c.User)
	if errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("no muted thread %q here; /watch list shows the muted threads", wirewatch.Clip(key, wirewatch.MaxControlArg))
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Unmuted %s: its alerts are posted here again.", cmp.Or(m.Title, key)), nil
}

// withMutes adds this channel's muted threads to a list reply, each with
// the command that unmutes it.
func (s *Commands) withMutes(c wirewatch.Command, rep wirewatch.Reply) wirewatch.Reply {
	if c.Channel == "" {
		return rep
	}
	ms, err := s.DB.Mutes(c.Channel)
	if err != nil || len(ms) == 0 {
		return rep
	}
	var b strings.Builder
	b.WriteString(rep.Text)
	b.WriteString("\n\nMuted threads here (their alerts are not posted):")
	for i, m := range ms {
		if i == maxListedMutes {
			fmt.Fprintf(&b, "\n… and %d more", len(ms)-i)
			break
		}
		fmt.Fprintf(&b, "\n%s · muted by %s on %s", cmp.Or(m.Title, m.Key), m.By, m.At.In(s.loc()).Format("2006-01-02"))
		if m.Skipped > 0 {
			fmt.Fprintf(&b, " · %d not posted since", m.Skipped)
		}
		fmt.Fprintf(&b, " · /watch unmute %s", m.Key)
	}
	rep.Text = b.String()
	return rep
}

func (s *Commands) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
