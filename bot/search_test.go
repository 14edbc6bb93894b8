package bot_test

import (
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestWatchTestShowsTheSearch: /watch test takes the search option that add
// takes and says what each engine would be asked, or why it cannot be.
func TestWatchTestShowsTheSearch(t *testing.T) {
	s, _ := newCommands(openStore(t))
	r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdTest, Arg: `"Abrego Garcia" -Bukele search:google_news,courtlistener`, Channel: "slack:C1"})
	if r.Refused || !strings.Contains(r.Text, `search google_news would be asked: "Abrego Garcia" -"Bukele"`) ||
		!strings.Contains(r.Text, `search courtlistener would be asked: "Abrego Garcia" AND NOT "Bukele"`) {
		t.Errorf("test with search: %+v", r)
	}
	r = s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdTest, Arg: `Mazzara~ search:google_news`, Channel: "slack:C1"})
	if r.Refused || !strings.Contains(r.Text, "search google_news: refused: Google News can't search for the spelling variants of Mazzara") {
		t.Errorf("test with an untranslatable search: %+v", r)
	}
}

// TestWatchWithSearchRefreshesTheFeeds: adding, aliasing and dropping a
// watch with a search tells the poller (its search feed comes, changes and
// goes); a watch without one does not.
func TestWatchWithSearchRefreshesTheFeeds(t *testing.T) {
	s, changed := newCommands(openStore(t))
	ch := wirewatch.Destination("slack:C1")
	if r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: "Xinis", Channel: ch}); r.Refused || *changed != 0 {
		t.Fatalf("plain add: %+v, %d refreshes", r, *changed)
	}
	r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: `"Abrego Garcia"`, Search: "google_news", Channel: ch})
	if r.Refused || *changed != 1 || !strings.Contains(r.Text, "Added watch w2") {
		t.Fatalf("add with search: %+v, %d refreshes", r, *changed)
	}
	if r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdAlias, Arg: "w2", Alias: "Kilmar Abrego", Channel: ch}); r.Refused || *changed != 2 {
		t.Fatalf("alias: %+v, %d refreshes", r, *changed)
	}
	if l := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdList, Channel: ch}); !strings.Contains(l.Text, "search: google_news") {
		t.Errorf("list: %s", l.Text)
	}
	if r := s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdDrop, Arg: "w2", Channel: ch}); r.Refused || *changed != 3 {
		t.Fatalf("drop: %+v, %d refreshes", r, *changed)
	}
}
