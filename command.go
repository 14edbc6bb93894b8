package wirewatch

import (
	"context"
	"fmt"
	"strings"
)

// Chat command verbs, shared by Slack, Discord and the shell.
const (
	CmdAdd       = "add"
	CmdList      = "list"
	CmdDrop      = "drop"
	CmdTest      = "test"
	CmdAlias     = "alias"
	CmdBroadcast = "broadcast"
	CmdDigest    = "digest"
	CmdQuiet     = "quiet"
	CmdLink      = "link"
	CmdUnlink    = "unlink"
	CmdUnmute    = "unmute"
	CmdFeedAdd   = "feed add"
	CmdFeedList  = "feed list"
	CmdFeedDrop  = "feed drop"
	CmdHelp      = "help"
)

// Command is one chat command, already taken apart by the platform adapter.
type Command struct {
	Verb string // one of the Cmd… constants
	// Arg is the query (add, test), the id (drop, alias, broadcast, feed
	// drop), the URL (feed add), the schedule (digest), the hours (quiet)
	// or the thread key (unmute).
	Arg   string
	Alias string // alias: the spelling to add to the watch
	Mode  string // broadcast: auto, always or never
	Other string // link, unlink: the second case (Arg is the first)
	// Search: add: search engines to run the query on too, comma-separated
	// (Discord's option; Slack and the shell write search:ENGINE after the
	// query).
	Search string
	Name   string // feed add: optional display name
	Type   string // feed add: feed type when not detected (shell only)
	// Channel is where the command was typed; watches added there deliver
	// there.
	Channel Destination
	User    string // who typed it, as the platform names them (for the audit trail)
	// MayManageFeeds is false when the platform's admin list excludes User.
	MayManageFeeds bool
}

// Reply is the answer to a command, shown only to the person who asked. Text
// is plain: adapters escape it for their platform.
type Reply struct {
	Text string
	// Refused is true when the command was not carried out (a bad query,
	// an unknown id, no permission); Text says why.
	Refused bool `json:"refused,omitempty"`
	// Controls are buttons to offer with the answer (a confirmation, an
	// undo); a platform without buttons shows Text alone, which says how
	// to do the same by command.
	Controls []Control `json:"controls,omitempty"`
}

// Commander carries out chat commands.
type Commander interface {
	Command(ctx context.Context, c Command) Reply
	// Watches lists the watches that deliver to ch (for autocomplete).
	Watches(ctx context.Context, ch Destination) []Watch
}

// ParseCommandText takes apart the text typed after a slash command:
// "add QUERY", "drop ID", "feed add URL [NAME]" and so on.
func ParseCommandText(text string) (Command, error) {
	text = strings.TrimSpace(text)
	verb, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	verb = strings.ToLower(verb)
	switch verb {
	case "", CmdHelp:
		return Command{Verb: CmdHelp}, nil
	case CmdList:
		return Command{Verb: CmdList}, nil
	case CmdAdd, CmdTest, CmdDrop:
		if rest == "" {
			if verb == CmdDrop {
				return Command{}, fmt.Errorf("drop needs a watch id (see list)")
			}
			return Command{}, fmt.Errorf("%s needs a query, e.g. %s \"Abrego Garcia\" OR Xinis", verb, verb)
		}
		return Command{Verb: verb, Arg: rest}, nil
	case CmdUnmute:
		if rest == "" || strings.Contains(rest, " ") {
			return Command{}, fmt.Errorf("unmute needs a muted thread's key (see list), e.g. unmute case:mdd:8:25-cv-00951")
		}
		return Command{Verb: CmdUnmute, Arg: rest}, nil
	case CmdAlias:
		id, spelling, _ := strings.Cut(rest, " ")
		if spelling = strings.TrimSpace(spelling); spelling == "" {
			return Command{}, fmt.Errorf("alias needs a watch id and a spelling, e.g. alias w3 Mazarra")
		}
		return Command{Verb: CmdAlias, Arg: id, Alias: spelling}, nil
	case CmdDigest:
		if _, _, err := ParseDigest(rest); err != nil || rest == "" {
			return Command{}, fmt.Errorf("digest needs off, hourly or daily HH:MM, e.g. digest daily 08:00")
		}
		return Command{Verb: CmdDigest, Arg: strings.Join(strings.Fields(strings.ToLower(rest)), " ")}, nil
	case CmdQuiet:
		if _, _, err := ParseQuiet(rest); err != nil || rest == "" {
			return Command{}, fmt.Errorf("quiet needs off or HH:MM-HH:MM, e.g. quiet 22:00-07:00")
		}
		return Command{Verb: CmdQuiet, Arg: strings.Join(strings.Fields(strings.ToLower(rest)), "")}, nil
	case CmdBroadcast:
		id, mode, _ := strings.Cut(rest, " ")
		mode = strings.ToLower(strings.TrimSpace(mode))
		if id == "" || mode == "" {
			return Command{}, fmt.Errorf("broadcast needs a watch id and auto, always or never, e.g. broadcast w3 always")
		}
		if err := CheckBroadcast(mode); err != nil {
			return Command{}, err
		}
		return Command{Verb: CmdBroadcast, Arg: id, Mode: mode}, nil
	case CmdLink, CmdUnlink:
		a, b, _ := strings.Cut(rest, " ")
		if b = strings.TrimSpace(b); a == "" || b == "" || strings.Contains(b, " ") {
			return Command{}, fmt.Errorf("%s needs two cases, court:number each, e.g. %s mdd:8:25-cv-00951 ca4:25-1345", verb, verb)
		}
		return Command{Verb: verb, Arg: a, Other: b}, nil
	case "feed", "feeds":
		sub, arg, _ := strings.Cut(rest, " ")
		arg = strings.TrimSpace(arg)
		switch strings.ToLower(sub) {
		case "", "list":
			return Command{Verb: CmdFeedList}, nil
		case "add":
			u, name, _ := strings.Cut(arg, " ")
			if u == "" {
				return Command{}, fmt.Errorf("feed add needs a URL: feed add URL [NAME]")
			}
			return Command{Verb: CmdFeedAdd, Arg: u, Name: strings.TrimSpace(name)}, nil
		case "drop":
			if arg == "" {
				return Command{}, fmt.Errorf("feed drop needs a feed id (see feed list)")
			}
			return Command{Verb: CmdFeedDrop, Arg: arg}, nil
		}
		return Command{}, fmt.Errorf("unknown feed command %q: try feed add, feed list or feed drop", sub)
	}
	return Command{}, fmt.Errorf("unknown command %q: try help", verb)
}

// Ingester takes items from a push source (a webhook) into the same pipeline
// as polled items: dedup, match, outbox.
type Ingester interface {
	Ingest(ctx context.Context, f Feed, items []Item) error
}
