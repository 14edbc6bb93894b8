package bot_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds/search"
)

// TestConcurrentAddsKeepTheBudget: many /watch add … search:courtlistener
// at once (a script in chat, several channels) add no more CourtListener
// searches than the API budget carries, and no channel more watches than
// its cap: each add's check and its write are one step.
func TestConcurrentAddsKeepTheBudget(t *testing.T) {
	s := &bot.Commands{DB: openStore(t), List: bot.NewWatchlist(), Location: time.UTC, Log: quietLog()}
	const n = 24
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s.Command(t.Context(), wirewatch.Command{Verb: wirewatch.CmdAdd, Arg: fmt.Sprintf("Xinis%d search:courtlistener", i),
				Channel: wirewatch.Destination(fmt.Sprintf("slack:C%d", i)), User: "u"})
		}()
	}
	close(start)
	wg.Wait()
	got := search.CourtListenerSearches(s.List.All())
	if got*search.CourtListenerPerDay > search.CourtListenerShare || search.CheckBudget(got) != nil {
		t.Errorf("%d CourtListener searches added at once, %d requests a day: over the %d searches may plan", got, got*search.CourtListenerPerDay, search.CourtListenerShare)
	}
	if got == 0 || !slices.ContainsFunc(s.List.All(), func(w wirewatch.Watch) bool { return len(w.Search) > 0 }) {
		t.Errorf("no search added at all")
	}
}

// TestFollowPressedTwiceAtOnce: "Follow case" pressed by two people at the
// same moment adds one watch; the other press is told it is followed.
func TestFollowPressedTwiceAtOnce(t *testing.T) {
	s := &bot.Commands{DB: openStore(t), List: bot.NewWatchlist(), Location: time.UTC, Log: quietLog()}
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			s.Click(t.Context(), wirewatch.Click{Control: wirewatch.Control{Action: wirewatch.ActFollow, Arg: "8:25-cv-951"},
				Channel: "slack:C1", User: "u"})
		}()
	}
	close(start)
	wg.Wait()
	if ws := s.List.All(); len(ws) != 1 {
		t.Errorf("%d watches after %d presses at once, want 1: %+v", len(ws), n, ws)
	}
}
