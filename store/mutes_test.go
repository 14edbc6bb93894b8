package store

import (
	"errors"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

func TestMuteSkipsThatThreadOnly(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	db := MustOpen(t, func() time.Time { return now })
	const ch = wirewatch.Destination("slack:C1")
	thread := func(key string) func(it wirewatch.Item) []wirewatch.Alert {
		return func(it wirewatch.Item) []wirewatch.Alert {
			return []wirewatch.Alert{{To: ch, Title: it.Title, Thread: key}, {To: "slack:C2", Title: it.Title, Thread: key}}
		}
	}
	if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{item(1)}, thread("case:mdd:8:25-cv-00951")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{item(2)}, thread("watch:w1:2026-11-22")); err != nil {
		t.Fatal(err)
	}
	if err := db.MuteThread(Mute{Key: "case:mdd:8:25-cv-00951", To: ch, Title: "Abrego Garcia v. Noem", By: "ann", At: now}); err != nil {
		t.Fatal(err)
	}
	pending, _ := db.Pending(ch, 10)
	rest, err := db.SkipMuted(pending)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 1 || rest[0].Thread != "watch:w1:2026-11-22" {
		t.Fatalf("SkipMuted: got %+v, want only the news thread's alert", rest)
	}
	if left, _ := db.Pending(ch, 10); len(left) != 1 {
		t.Errorf("outbox of %s: got %d alerts, want 1 (the muted one dropped)", ch, len(left))
	}
	// Another channel's alerts of the same thread are not muted.
	other, _ := db.Pending("slack:C2", 10)
	if rest, _ := db.SkipMuted(other); len(rest) != 2 {
		t.Errorf("other channel: got %d alerts after SkipMuted, want 2", len(rest))
	}
	ms, _ := db.Mutes(ch)
	if len(ms) != 1 || ms[0].Skipped != 1 || !ms[0].Last.Equal(now) {
		t.Errorf("mutes: got %+v, want one with 1 skipped at %v", ms, now)
	}

	// Reversible, and audited both ways.
	if _, err := db.UnmuteThread(ch, "case:mdd:8:25-cv-00951", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UnmuteThread(ch, "case:mdd:8:25-cv-00951", "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second unmute: got %v, want ErrNotFound", err)
	}
	if muted, _ := db.Muted(ch, "case:mdd:8:25-cv-00951"); muted {
		t.Error("still muted after unmute")
	}
	trail, _ := db.Audit(10)
	var actions []string
	for _, e := range trail {
		actions = append(actions, e.Action+" "+e.User)
	}
	if len(actions) != 2 || actions[0] != "thread mute ann" || actions[1] != "thread unmute bob" {
		t.Errorf("audit: got %q, want thread mute ann, thread unmute bob", actions)
	}
}

func TestPruneMutesKeepsCases(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	db := MustOpen(t, func() time.Time { return now })
	old := now.Add(-60 * 24 * time.Hour)
	for _, key := range []string{"case:mdd:8:25-cv-00951", "watch:w1:2026-09-01"} {
		if err := db.MuteThread(Mute{Key: key, To: "slack:C1", At: old}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MuteThread(Mute{Key: "watch:w1:2026-11-22", To: "slack:C1", At: now}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneMutes(now.Add(-30 * 24 * time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneMutes: got %d, %v; want 1 pruned", n, err)
	}
	ms, _ := db.Mutes("slack:C1")
	if len(ms) != 2 || ms[0].Key != "case:mdd:8:25-cv-00951" || ms[1].Key != "watch:w1:2026-11-22" {
		t.Errorf("after prune: got %+v, want the case and today's news thread", ms)
	}
}

func TestMutesBounded(t *testing.T) {
	db := MustOpen(t, nil)
	for i := range MaxMutes {
		if err := db.MuteThread(Mute{Key: "watch:w1:" + time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly), To: "slack:C1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MuteThread(Mute{Key: "case:mdd:1", To: "slack:C1"}); err == nil {
		t.Errorf("mute number %d: got no error, want the bound", MaxMutes+1)
	}
	if err := db.MuteThread(Mute{Key: "case:mdd:1", To: "slack:C2"}); err != nil {
		t.Errorf("another channel: %v", err)
	}
}
