package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

func TestLinkSubcommands(t *testing.T) {
	parse := func(opts string) (wirewatch.Command, error) {
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(commandJSON(0, opts)), &i); err != nil {
			t.Fatal(err)
		}
		return command(&i)
	}
	for _, verb := range []string{wirewatch.CmdLink, wirewatch.CmdUnlink} {
		got, err := parse(`{"type":1,"name":"` + verb + `","options":[{"type":3,"name":"case","value":"mdd:8:25-cv-00951"},{"type":3,"name":"other","value":"ca4:25-1345"}]}`)
		if err != nil {
			t.Fatal(err)
		}
		want := wirewatch.Command{Verb: verb, Arg: "mdd:8:25-cv-00951", Other: "ca4:25-1345", Channel: wirewatch.Destination("discord:" + textCh), User: "reporter"}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if !changes(verb) {
			t.Errorf("%s does not need Manage Channels", verb)
		}
	}
	if _, err := parse(`{"type":1,"name":"link","options":[{"type":3,"name":"case","value":"mdd:8:25-cv-00951"}]}`); err == nil {
		t.Error("link with one case accepted")
	}
	if _, err := parse(`{"type":1,"name":"link","options":[{"type":3,"name":"case","value":"` + strings.Repeat("9", 200) + `"},{"type":3,"name":"other","value":"ca4:25-1345"}]}`); err == nil {
		t.Error("a 200-character case accepted")
	}
}
