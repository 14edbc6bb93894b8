package discord

import (
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

func TestBroadcastSubcommand(t *testing.T) {
	parse := func(opts string) (wirewatch.Command, error) {
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(commandJSON(0, opts)), &i); err != nil {
			t.Fatal(err)
		}
		return command(&i)
	}
	got, err := parse(`{"type":1,"name":"broadcast","options":[{"type":3,"name":"id","value":"w3"},{"type":3,"name":"mode","value":"never"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := wirewatch.Command{Verb: wirewatch.CmdBroadcast, Arg: "w3", Mode: "never", Channel: wirewatch.Destination("discord:" + textCh), User: "reporter"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := parse(`{"type":1,"name":"broadcast","options":[{"type":3,"name":"id","value":"w3"},{"type":3,"name":"mode","value":"loud"}]}`); err == nil {
		t.Error("mode loud accepted")
	}
	if !changes(wirewatch.CmdBroadcast) {
		t.Error("broadcast does not need Manage Channels")
	}
	var found bool
	for _, o := range Commands()[0].Options {
		if o.Name == "broadcast" {
			found = len(o.Options) == 2 && o.Options[0].Autocomplete && len(o.Options[1].Choices) == 3
		}
	}
	if !found {
		t.Error("the registered /watch has no broadcast subcommand with id and three modes")
	}
}

func TestDigestSubcommand(t *testing.T) {
	parse := func(opts string) (wirewatch.Command, error) {
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(commandJSON(0, opts)), &i); err != nil {
			t.Fatal(err)
		}
		return command(&i)
	}
	got, err := parse(`{"type":1,"name":"digest","options":[{"type":3,"name":"schedule","value":"daily 08:00"}]}`)
	if err != nil || got.Verb != wirewatch.CmdDigest || got.Arg != "daily 08:00" {
		t.Errorf("got %+v, %v", got, err)
	}
	if _, err := parse(`{"type":1,"name":"digest","options":[{"type":3,"name":"schedule","value":"weekly"}]}`); err == nil {
		t.Error("schedule weekly accepted")
	}
	if !changes(wirewatch.CmdDigest) {
		t.Error("digest does not need Manage Channels")
	}
}

func TestQuietSubcommand(t *testing.T) {
	parse := func(opts string) (wirewatch.Command, error) {
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(commandJSON(0, opts)), &i); err != nil {
			t.Fatal(err)
		}
		return command(&i)
	}
	got, err := parse(`{"type":1,"name":"quiet","options":[{"type":3,"name":"hours","value":"22:00-07:00"}]}`)
	if err != nil || got.Verb != wirewatch.CmdQuiet || got.Arg != "22:00-07:00" {
		t.Errorf("got %+v, %v", got, err)
	}
	if _, err := parse(`{"type":1,"name":"quiet","options":[{"type":3,"name":"hours","value":"all night"}]}`); err == nil {
		t.Error("hours 'all night' accepted")
	}
	if !changes(wirewatch.CmdQuiet) {
		t.Error("quiet does not need Manage Channels")
	}
	registered := false
	for _, o := range Commands()[0].Options {
		registered = registered || o.Name == "quiet" && len(o.Options) == 1 && o.Options[0].Name == "hours"
	}
	if !registered {
		t.Error("the registered /watch has no quiet subcommand")
	}
}
