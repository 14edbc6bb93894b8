package discord

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

const (
	textCh  = "100000000000000001"
	forumCh = "100000000000000002"
	otherCh = "100000000000000003"
)

func testAlert(ch, title string) wirewatch.Alert {
	return wirewatch.Alert{
		To:        wirewatch.Destination("discord:" + ch),
		Watches:   []string{"Abrego Garcia"},
		Thread:    "w1 2026-11-22",
		Title:     title,
		Link:      "https://example.org/story",
		Source:    "Example News",
		Published: time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC),
		Summary:   "Judge Xinis ordered the government to facilitate the return of Abrego Garcia.",
		Terms:     []string{"Abrego Garcia", "Xinis"},
	}
}

// jsonStrings lists every string in a decoded JSON value.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	}
	return nil
}

// unescaped tells whether pat occurs in s without a backslash before it.
func unescaped(s, pat string) bool {
	for i := 0; ; {
		k := strings.Index(s[i:], pat)
		if k < 0 {
			return false
		}
		if i+k == 0 || s[i+k-1] != '\\' {
			return true
		}
		i += k + 1
	}
}

func TestChooseTags(t *testing.T) {
	for _, tc := range []struct {
		name        string
		required    bool
		tags        []discordgo.ForumTag
		news, court string
	}{
		{"none", false, nil, "", ""},
		{"optional, unnamed", false, []discordgo.ForumTag{{ID: "1", Name: "Misc"}}, "", ""},
		{"required, unnamed", true, []discordgo.ForumTag{{ID: "1", Name: "Mod", Moderated: true}, {ID: "2", Name: "Misc"}}, "2", "2"},
		{"own tag", false, []discordgo.ForumTag{{ID: "1", Name: "Misc"}, {ID: "2", Name: "WireWatch"}}, "2", "2"},
		{"own and court", false, []discordgo.ForumTag{{ID: "2", Name: "alerts"}, {ID: "3", Name: "Dockets"}}, "2", "3"},
		{"required, only moderated", true, []discordgo.ForumTag{{ID: "1", Name: "Mod", Moderated: true}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &discordgo.Channel{AvailableTags: tc.tags}
			if tc.required {
				c.Flags = discordgo.ChannelFlagRequireTag
			}
			got := chooseTags(c)
			if got.news != tc.news || got.court != tc.court {
				t.Errorf("got %+v, want news %q court %q", got, tc.news, tc.court)
			}
		})
	}
}
