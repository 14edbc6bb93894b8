package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

func TestAliasSubcommand(t *testing.T) {
	parse := func(opts string) (wirewatch.Command, error) {
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(commandJSON(0, opts)), &i); err != nil {
			t.Fatal(err)
		}
		return command(&i)
	}
	got, err := parse(`{"type":1,"name":"alias","options":[{"type":3,"name":"id","value":"w3"},{"type":3,"name":"spelling","value":" Mazarra "}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "w3", Alias: "Mazarra", Channel: wirewatch.Destination("discord:" + textCh), User: "reporter"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := parse(`{"type":1,"name":"alias","options":[{"type":3,"name":"id","value":"w3"}]}`); err == nil || !strings.Contains(err.Error(), "needs spelling") {
		t.Errorf("alias without spelling: err = %v, want one containing %q", err, "needs spelling")
	}
	long := strings.Repeat("m", maxAlias+1)
	if _, err := parse(`{"type":1,"name":"alias","options":[{"type":3,"name":"id","value":"w3"},{"type":3,"name":"spelling","value":"` + long + `"}]}`); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long spelling: err = %v", err)
	}
	if !changes(wirewatch.CmdAlias) {
		t.Error("alias does not need Manage Channels")
	}
	var found bool
	for _, o := range Commands()[0].Options {
		if o.Name == "alias" {
			found = len(o.Options) == 2 && o.Options[0].Name == "id" && o.Options[0].Autocomplete && o.Options[1].Name == "spelling" && o.Options[1].Required
		}
	}
	if !found {
		t.Error("the registered /watch has no alias subcommand with id and spelling")
	}
}
