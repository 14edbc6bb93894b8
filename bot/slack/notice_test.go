package slack

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

// TestPostNotice: a notice goes in the thread named, or at the root, as
// escaped text: a feed named "<!channel>" pings no one.
func TestPostNotice(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	top := alert("C1", "k", "Top")
	th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: top.To, Count: 1}, top)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PostNotice(t.Context(), th, "⚠️ the feed “<!channel> & co” is not working"); err != nil {
		t.Fatal(err)
	}
	if err := s.PostNotice(t.Context(), wirewatch.Thread{To: top.To}, "✅ works again <@U123>"); err != nil {
		t.Fatal(err)
	}
	msgs := fk.Messages("C1")
	if len(msgs) != 3 || msgs[1].ThreadTS != th.Ref || msgs[2].ThreadTS != "" {
		t.Fatalf("messages %+v; want the notice in the thread, then one at the root", msgs)
	}
	for _, m := range msgs[1:] {
		if strings.Contains(m.Text, "<!channel>") || strings.Contains(m.Text, "<@U123>") || m.Blocks != "" && m.Blocks != "null" {
			t.Errorf("notice %q (blocks %q) is not plain escaped text", m.Text, m.Blocks)
		}
	}
	if !strings.Contains(msgs[1].Text, "&lt;!channel&gt; &amp; co") {
		t.Errorf("notice %q, want the feed's name escaped", msgs[1].Text)
	}
}

// TestFeedFailingWarnsInTheChannel: through the real dispatcher and the
// Slack stand-in, a feed the channel got an alert from fails for an hour:
// one warning at the channel's root, escaped, then one note when it
// recovers, and nothing more.
func TestFeedFailingWarnsInTheChannel(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		a := alert("C1", "watch:1:2000-01-01", "Story")
		a.FeedID, a.Source = "cfg-1", "Wire <!here>"
		queue(t, db, a)
		d := bot.NewDispatcher(db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Slack: s}})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		defer func() { cancel(); <-done }()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		st := wirewatch.FeedState{LastResult: "error", LastError: "HTTP 500", LastOK: time.Now()}
		if err := db.PutFeedState("cfg-1", st); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Hour)
		synctest.Wait()
		st.LastResult, st.LastOK = "ok", time.Now()
		if err := db.PutFeedState("cfg-1", st); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		rs := roots(fk.Messages("C1"))
		if len(rs) != 3 || !strings.Contains(rs[1].Text, "⚠️") || !strings.Contains(rs[2].Text, "✅") {
			t.Fatalf("%d messages at the root; want the alert, one warning and one recovery note", len(rs))
		}
		if strings.Contains(rs[1].Text, "<!here>") || !strings.Contains(rs[1].Text, "HTTP 500") {
			t.Errorf("warning %q", rs[1].Text)
		}
	})
}
