package discord

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
	"github.com/wirewatch/wirewatch/store"
)

// dispatch queues alerts in a real store and has the real dispatcher
// deliver them with d until the outbox is empty.
func dispatch(t *testing.T, d *Discord, alerts ...wirewatch.Alert) {
	t.Helper()
	db := openStore(t)
	queueAlerts(t, db, alerts...)
	deliverAll(t, db, d)
}

// openStore is a new store in t's temporary directory, closed when t ends.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "wirewatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queueAlerts puts alerts in db's outbox through Ingest, one item each.
func queueAlerts(t *testing.T, db *store.DB, alerts ...wirewatch.Alert) {
	t.Helper()
	items := make([]wirewatch.Item, len(alerts))
	byKey := map[string]wirewatch.Alert{}
	for i, a := range alerts {
		items[i] = wirewatch.Item{ID: fmt.Sprint(i), Link: fmt.Sprintf("https://news.example/%d", i), Title: a.Title}
		byKey[items[i].Key()] = a
	}
	if _, err := db.Ingest("test", nil, items, func(it wirewatch.Item) []wirewatch.Alert { return []wirewatch.Alert{byKey[it.Key()]} }); err != nil {
		t.Fatal(err)
	}
}

// deliverAll has the real dispatcher deliver db's outbox with d until it
// is empty.
func deliverAll(t *testing.T, db *store.DB, d *Discord) {
	t.Helper()
	drain(t, db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Discord: d}})
}

// drain runs a dispatcher with o on db until the outbox is empty.
func drain(t *testing.T, db *store.DB, o bot.DispatcherOptions) {
	t.Helper()
	disp := bot.NewDispatcher(db, o)
	runCtx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- disp.Run(runCtx) }()
	defer func() { stop(); <-done }()
	wait, stopWait := context.WithTimeout(runCtx, time.Minute)
	defer stopWait()
	if err := disp.WaitEmpty(wait); err != nil {
		t.Fatal(err)
	}
}

// TestDocketBurstFoldsInOneMessage: through the real dispatcher and the
// Discord stand-in, a 40-entry burst in one case for a procedural watch
// lands as the top message (a thread started from it), one folded message
// of the 38 routine entries within Discord's embed limits, and the order
// on its own — the only entry also shown in the channel.
func TestDocketBurstFoldsInOneMessage(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	var as []wirewatch.Alert
	for i := range 40 {
		a := testAlert(textCh, fmt.Sprintf("Entry %02d NOTICE of Appearance", i))
		a.Thread = wirewatch.CaseThreadKey("mdd", "8:25-cv-00951")
		a.Link = fmt.Sprintf("https://ecf.example/doc1/%02d", i)
		a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: fmt.Sprint(i)}
		a.Routine = true
		if i == 10 {
			a.Title, a.Routine = "Entry 10 ORDER granting motion", false
		}
		as = append(as, a)
	}
	dispatch(t, d, as...)
	root := f.Messages(textCh)
	ths := f.Threads(textCh)
	if len(ths) != 1 {
		t.Fatalf("%d threads, want 1", len(ths))
	}
	in := f.Messages(ths[0].ID)
	// The channel: the top and the order's broadcast line.
	if len(root) != 2 || !strings.Contains(root[1].Content, "ORDER granting motion") {
		t.Fatalf("%d messages in the channel, want the top and the order's broadcast", len(root))
	}
	if len(in) != 2 {
		t.Fatalf("%d messages in the thread, want one folded list and the order", len(in))
	}
	seen := map[string]int{}
	for _, m := range append(root[:1], in...) {
		text, total := descriptions(m.Embeds), 0
		for _, e := range m.Embeds {
			total += embedSize(e)
		}
		if total > maxEmbedTotal || len(m.Embeds) > 10 {
			t.Errorf("message of %d embeds, %d characters; Discord allows 10 and %d", len(m.Embeds), total, maxEmbedTotal)
		}
		for i := range 40 {
			if e := fmt.Sprintf("Entry %02d", i); strings.Contains(text, e) {
				seen[e]++
			}
		}
	}
	for i := range 40 {
		if e := fmt.Sprintf("Entry %02d", i); seen[e] != 1 {
			t.Errorf("%s shown %d times, want once", e, seen[e])
		}
	}
	if fold := descriptions(in[0].Embeds); strings.Count(fold, "](<https://ecf.example/doc1/") != 38 {
		t.Errorf("folded list links %d of its 38 headlines, want all (they fit)", strings.Count(fold, "](<https://ecf.example/doc1/"))
	}
}

func descriptions(es []*discordgo.MessageEmbed) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Title + "\n" + e.Description + "\n")
	}
	return b.String()
}

// TestPostDigestInForum: a forum takes no plain messages, so a digest is a
// forum post of its own (tagged, named for the digest and its day), not a
// message the forum refuses.
func TestPostDigestInForum(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum, RequireTag: true,
		Tags: []discordgo.ForumTag{{ID: "503", Name: "News"}}})
	d := f.adapter(t, nil)
	as := []wirewatch.Alert{posterAlert(forumCh, 1, "First @everyone"), posterAlert(forumCh, 2, "Second")}
	if err := d.PostDigest(ctx, as); err != nil {
		t.Fatal(err)
	}
	posts := f.Threads(forumCh)
	if len(posts) != 1 || posts[0].Name != "Digest: 2 items · Nov 22, 2026" || len(posts[0].Tags) != 1 {
		t.Fatalf("forum posts %+v; want one digest post, tagged", posts)
	}
	in := f.Messages(posts[0].ID)
	if len(in) != 1 || !strings.Contains(descriptions(in[0].Embeds), "Second") || strings.Contains(descriptions(in[0].Embeds), "@everyone") {
		t.Errorf("digest post's messages %+v; want one listing both alerts, no live mention", in)
	}
}
