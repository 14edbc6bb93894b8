package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// The story's own item, changed, keeps its own alert (an edit of its
// message), where another outlet's copy becomes an "also in" line.
func TestSameStoryKeepsTheStorysOwnItem(t *testing.T) {
	p := &Pipeline{Stories: NewStories(), Log: discard()}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var words []string
	for i := range 300 {
		words = append(words, fmt.Sprintf("w%dx%d", i, i*7%13))
	}
	first := wirewatch.Item{ID: "1", Title: "Judge orders return", Link: "https://a.example/1", Article: strings.Join(words, " ")}
	alerts := func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{{To: "slack:C1", Thread: "k", Title: it.Title, Link: it.Link, Source: it.Link[:17]}}
	}
	if out, _ := p.sameStory(first, alerts(first), now, nil); len(out) != 1 || out[0].AlsoIn != nil {
		t.Fatalf("first alert of the story = %+v", out)
	}
	edited := first
	edited.Title = "Judge orders return, corrected"
	out, _ := p.sameStory(edited, alerts(edited), now, nil)
	if len(out) != 1 || out[0].AlsoIn != nil || out[0].Title != edited.Title {
		t.Errorf("the story's own item changed = %+v, want its own alert with the new title", out)
	}
	other := first
	other.ID, other.Link = "2", "https://b.example/2"
	out, _ = p.sameStory(other, alerts(other), now, nil)
	if len(out) != 1 || len(out[0].AlsoIn) != 1 || out[0].AlsoIn[0].Link != other.Link || out[0].Title != first.Title {
		t.Errorf("another outlet's copy = %+v, want an also-in alert naming it", out)
	}
}
