package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
	"github.com/wirewatch/wirewatch/store"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// mustSlack returns an adapter talking to the fake at apiURL through hc.
func mustSlack(tb testing.TB, f *fakeSlack, apiURL string, hc *http.Client, logs *syncBuffer) *Slack {
	tb.Helper()
	if logs == nil {
		logs = &syncBuffer{}
	}
	s := New(Options{
		APIURL:        apiURL,
		BotToken:      f.Token,
		AppToken:      f.AppToken,
		SigningSecret: "shh-signing-secret",
		TimeZone:      time.UTC,
		HTTPClient:    hc,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Pacing is tested on fake time (inBubble); here it only slows tests.
		PostEvery: time.Millisecond,
		EditEvery: time.Millisecond,
	})
	tb.Cleanup(func() {
		s.Close()
		for _, tok := range []string{f.Token, f.AppToken, "shh-signing-secret"} {
			if strings.Contains(logs.String(), tok) {
				tb.Errorf("log shows a secret:\n%s", logs.String())
			}
		}
	})
	return s
}

func alert(ch, key, title string) wirewatch.Alert {
	return wirewatch.Alert{
		ID:        1,
		To:        wirewatch.Destination("slack:" + ch),
		Watches:   []string{"Abrego Garcia"},
		Thread:    key,
		Title:     title,
		Link:      "https://news.example/" + strings.ReplaceAll(title, " ", "-"),
		Source:    "Example News",
		Published: time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC),
		Queued:    time.Now(),
		Summary:   "Judge Xinis ruled on Abrego García today.",
		Terms:     []string{"Abrego Garcia", "Xinis"},
	}
}

// inBubble runs f inside a synctest bubble with the stand-in served over
// in-memory connections, so that pacing runs on fake time, with Slack's
// own limits unless o says otherwise.
func inBubble(t *testing.T, o slacktest.Options, f func(t *testing.T, fk *slacktest.Server, s *Slack, logs *syncBuffer)) {
	synctest.Test(t, func(t *testing.T) {
		fk := slacktest.New(o)
		fk.FailOn(t)
		pn := slacktest.NewPipe(fk)
		logs := &syncBuffer{}
		s := New(Options{APIURL: pn.URL(), BotToken: fk.Token, HTTPClient: pn.Client,
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		t.Cleanup(func() {
			s.Close()
			pn.Close()
			if strings.Contains(logs.String(), fk.Token) {
				t.Errorf("log shows the token:\n%s", logs.String())
			}
		})
		f(t, fk, s, logs)
	})
}

// deliver queues alerts in a real store and has the real dispatcher send
// them with s until the outbox is empty and the tops are edited.
func deliver(t *testing.T, db *store.DB, s *Slack, alerts ...wirewatch.Alert) {
	t.Helper()
	queue(t, db, alerts...)
	drain(t, db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Slack: s}})
}

// drain runs a dispatcher made with o until db's outbox is empty and the
// tops are edited.
func drain(t *testing.T, db *store.DB, o bot.DispatcherOptions) {
	t.Helper()
	d := bot.NewDispatcher(db, o)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, stop := context.WithTimeout(ctx, 10*time.Minute)
	defer stop()
	if err := d.WaitEmpty(wait); err != nil {
		t.Fatal(err)
	}
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "wirewatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var queueSeq int

func queue(t *testing.T, db *store.DB, alerts ...wirewatch.Alert) {
	t.Helper()
	items := make([]wirewatch.Item, len(alerts))
	byKey := map[string]wirewatch.Alert{}
	for i, a := range alerts {
		queueSeq++
		items[i] = wirewatch.Item{ID: fmt.Sprint(queueSeq), Link: fmt.Sprintf("https://news.example/%d", queueSeq), Title: a.Title}
		byKey[items[i].Key()] = a
	}
	if _, err := db.Ingest("test", nil, items, func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{byKey[it.Key()]}
	}); err != nil {
		t.Fatal(err)
	}
}

// unJSON undoes JSON's escapes of <, > and &.
var unJSON = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

func roots(msgs []slacktest.Message) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range msgs {
		if m.ThreadTS == "" {
			out = append(out, m)
		}
	}
	return out
}

func TestBurstLandsInThreadsWithinSlacksLimits(t *testing.T) {
	// The stand-in enforces Slack's limits: posts 1/s per channel (burst
	// 3), chat.update 50/min per workspace.
	o := slacktest.Options{PostEvery: time.Second, PostBurst: 3, UpdateEvery: 1200 * time.Millisecond}
	inBubble(t, o, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		fk.AddChannel("C2")
		db := openStore(t)
		var as []wirewatch.Alert
		for i := range 60 {
			ch, key := "C1", "w1 2026-11-22"
			if i%3 == 2 {
				ch, key = "C2", "w2 2026-11-22"
			}
			as = append(as, alert(ch, key, fmt.Sprintf("Story %02d", i)))
		}
		start := time.Now()
		deliver(t, db, s, as...)
		took := time.Since(start)
		c1 := fk.Messages("C1")
		// The burst folds: the top at once, then the rest listed in one
		// message (FoldMax to a message at most), every story once.
		if got := stories(c1); len(c1) != 2 || len(got) != 40 || len(roots(c1)) != 1 || len(roots(fk.Messages("C2"))) != 1 {
			t.Fatalf("C1 has %d messages, %d at the root, %d stories; want 40 stories in 2 messages of one thread", len(c1), len(roots(c1)), len(got))
		}
		for st, n := range stories(append(c1, fk.Messages("C2")...)) {
			if n != 1 {
				t.Errorf("%s posted %d times", st, n)
			}
		}
		for _, m := range c1[1:] {
			if m.ThreadTS != c1[0].TS {
				t.Errorf("reply %s under %q, not the top %s", m.TS, m.ThreadTS, c1[0].TS)
			}
		}
		for _, method := range []string{"chat.postMessage", "chat.update"} {
			if n := fk.RateLimited(method); n != 0 {
				t.Errorf("%d %s calls over Slack's limit", n, method)
			}
		}
		// Edits are coalesced: far fewer than one per reply, and the top
		// shows the final state.
		updates := len(fk.Calls("chat.update"))
		if max := int(took/(1200*time.Millisecond)) + 2; updates > max {
			t.Errorf("%d chat.update calls in %v, over Tier 3 (%d)", updates, took, max)
		}
		top, _ := fk.Message(c1[0].TS)
		if !strings.Contains(top.Attachments, "40 items") || !strings.Contains(unJSON.Replace(top.Attachments), "<https://news.example/Story-58|Story 58>") {
			t.Errorf("top summary = %s, want 40 items with Story 58 listed", top.Attachments)
		}
		if !strings.Contains(top.Blocks, "Story 00") {
			t.Errorf("top message lost its first card: %s", top.Blocks)
		}
		for _, c := range fk.Calls("chat.postMessage") {
			if c.Form.Get("unfurl_links") != "false" || c.Form.Get("unfurl_media") != "false" {
				t.Errorf("post unfurls: unfurl_links=%q unfurl_media=%q", c.Form.Get("unfurl_links"), c.Form.Get("unfurl_media"))
			}
			var meta slack.SlackMetadata
			if err := json.Unmarshal([]byte(c.Form.Get("metadata")), &meta); err != nil || meta.EventType != "wirewatch_alert" || meta.EventPayload["alert_id"] == "" {
				t.Errorf("post metadata %q (%v), want a wirewatch_alert with its id", c.Form.Get("metadata"), err)
			}
		}
	})
}

var storyRE = regexp.MustCompile(`Story \d+`)

// stories counts the stories named in the messages' blocks (a folded
// message names several).
func stories(msgs []slacktest.Message) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		for _, st := range storyRE.FindAllString(m.Blocks, -1) {
			out[st]++
		}
	}
	return out
}

// TestThreadKeptWhenAnswersOmitThreadTS is chat-review §1's scenario A: an
// answer without thread_ts is no proof that the parent is gone. The old
// adapter re-rooted the thread on every reply ("1 items").
func TestThreadKeptWhenAnswersOmitThreadTS(t *testing.T) {
	inBubble(t, slacktest.Options{OmitThreadTS: true}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		deliver(t, db, s, alert("C1", "k", "One"), alert("C1", "k", "Two"), alert("C1", "k", "Three"), alert("C1", "k", "Four"))
		msgs := fk.Messages("C1")
		th, _ := db.Thread("slack:C1", "k")
		if th.Ref != msgs[0].TS || th.Count != 4 || th.Posted != 4 {
			t.Errorf("thread %+v; want the first post's thread with 4 items", th)
		}
		if len(roots(msgs)) != 1 {
			t.Errorf("%d posts at the root, want 1", len(roots(msgs)))
		}
		for _, m := range msgs[1:] {
			if m.Edits != 0 {
				t.Errorf("reply %s was edited into a top message", m.TS)
			}
		}
	})
}

// TestReRootOnlyAfterTheTopIsGone: a reply posted at the root because its
// parent was deleted is checked with chat.update on the old top; its
// message_not_found starts the next alert's thread anew.
func TestReRootOnlyAfterTheTopIsGone(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		db := openStore(t)
		deliver(t, db, s, alert("C1", "k", "One"), alert("C1", "k", "Two"))
		old, _ := db.Thread("slack:C1", "k")
		fk.Delete(old.Ref)
		deliver(t, db, s, alert("C1", "k", "Three"))
		if th, _ := db.Thread("slack:C1", "k"); th.Ref != "" {
			t.Fatalf("thread %+v after its top was deleted, want none", th)
		}
		deliver(t, db, s, alert("C1", "k", "Four"), alert("C1", "k", "Five"))
		th, _ := db.Thread("slack:C1", "k")
		msgs := fk.Messages("C1")
		last := msgs[len(msgs)-1]
		if th.Ref == old.Ref || th.Count != 2 || last.ThreadTS != th.Ref {
			t.Errorf("thread %+v, last message %+v; want Four's new thread holding Five", th, last)
		}
		if top, _ := fk.Message(th.Ref); !strings.Contains(top.Blocks, "Four") {
			t.Errorf("new top = %s, want Four's card", top.Blocks)
		}
	})
}

func TestReplyNamesTheParentSlackUsed(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	a := alert("C1", "k", "One")
	th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: a.To, Title: "T", Count: 1}, a)
	if err != nil || th.Ref == "" || th.TopRef != th.Ref {
		t.Fatalf("PostTop = %+v, %v", th, err)
	}
	ref, err := s.Reply(t.Context(), th, alert("C1", "k", "Two"), false)
	if err != nil || ref != th.Ref {
		t.Fatalf("Reply = %q, %v; want %q", ref, err, th.Ref)
	}
	// A thread stored under one of its replies: Slack files the post under
	// the real parent and says so.
	reply := fk.Messages("C1")[1]
	ref, err = s.Reply(t.Context(), wirewatch.Thread{Key: "k", To: a.To, Ref: reply.TS, TopRef: reply.TS}, alert("C1", "k", "Three"), true)
	if err != nil || ref != th.Ref {
		t.Errorf("Reply under a reply = %q, %v; want the real parent %q", ref, err, th.Ref)
	}
	if c := fk.Calls("chat.postMessage"); c[len(c)-1].Form.Get("reply_broadcast") != "true" {
		t.Errorf("broadcast reply sent without reply_broadcast")
	}
}

func TestDeliveredFindsPostsByTheirMetadata(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	a, b, c := alert("C1", "k", "One"), alert("C1", "k", "Two"), alert("C1", "k", "Three")
	b.ID, c.ID = 2, 3
	th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: a.To, Count: 1}, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(t.Context(), th, b, false); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Delivered(t.Context(), wirewatch.Thread{Key: "k", To: a.To}, a)
	if err != nil || !ok || got.Ref != th.Ref || got.TopRef != th.Ref {
		t.Errorf("Delivered(top) = %+v, %v, %v; want found as %s", got, ok, err, th.Ref)
	}
	if _, ok, err := s.Delivered(t.Context(), th, b); err != nil || !ok {
		t.Errorf("Delivered(reply) = %v, %v; want found", ok, err)
	}
	if _, ok, err := s.Delivered(t.Context(), th, c); err != nil || ok {
		t.Errorf("Delivered(never sent) = %v, %v; want not found", ok, err)
	}
}

// TestFatalErrorIsCheckedNotReposted: Slack's fatal_error may come after
// the post took effect. The retry asks first (the metadata is found), so
// the channel sees the alert once.
func TestFatalErrorIsCheckedNotReposted(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		fk.Inject("chat.postMessage", "C1", slacktest.Fault{Code: "fatal_error", After: true})
		db := openStore(t)
		deliver(t, db, s, alert("C1", "k", "One"), alert("C1", "k", "Two"))
		msgs := fk.Messages("C1")
		if len(msgs) != 2 || len(roots(msgs)) != 1 {
			t.Fatalf("C1 has %d messages (%d at the root), want One once and Two in its thread", len(msgs), len(roots(msgs)))
		}
		if n := len(fk.Calls("conversations.history")); n == 0 {
			t.Errorf("the retry did not look for the half-done post")
		}
	})
}

func TestEditTopRefreshesAfterA429(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		fk.Inject("chat.update", "C1", slacktest.Fault{Status: 429, RetryAfter: "20"})
		db := openStore(t)
		start := time.Now()
		deliver(t, db, s, alert("C1", "k", "One"), alert("C1", "k", "Two"))
		ups := fk.Calls("chat.update")
		if len(ups) != 2 || ups[1].At.Sub(start) < 20*time.Second {
			t.Fatalf("updates %d, last at %v; want the refused one and one after 20 s", len(ups), ups[len(ups)-1].At.Sub(start))
		}
		th, _ := db.Thread("slack:C1", "k")
		if top, _ := fk.Message(th.TopRef); !strings.Contains(top.Attachments, "2 items") || th.TopDirty {
			t.Errorf("top summary %s (dirty %v), want 2 items", top.Attachments, th.TopDirty)
		}
	})
}

func TestEditsShareTheWorkspaceBudget(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 10 {
			ch := fmt.Sprint("C", i)
			fk.AddChannel(ch)
			th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: wirewatch.Destination("slack:" + ch), Count: 1}, alert(ch, "k", "x"))
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				for range 3 {
					if err := s.EditTop(t.Context(), th); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		ups := fk.Calls("chat.update")
		// 30 edits at 50 a minute across channels: 36 s at the least.
		if len(ups) != 30 || ups[29].At.Sub(start) < 29*DefaultEditEvery {
			t.Errorf("%d updates, the last after %v; want 30 paced at %v", len(ups), ups[len(ups)-1].At.Sub(start), DefaultEditEvery)
		}
	})
}

func Test429WithoutRetryAfterPausesItsChannel(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		fk.AddChannel("C2")
		fk.Inject("chat.postMessage", "C1", slacktest.Fault{Status: 429})
		time.Sleep(time.Minute) // past the start-up pacing
		start := time.Now()
		_, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", "k", "One"))
		if se := wirewatch.Class(err); err == nil || se.Permanent || se.After <= 0 {
			t.Fatalf("got %v, want a retry after a pause", err)
		}
		if _, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C2", "k", "Two")); err != nil || time.Since(start) != 0 {
			t.Errorf("C2 posted after %v (%v); want at once", time.Since(start), err)
		}
		if _, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", "k", "One")); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < noRetryAfterPause*DefaultPostEvery {
			t.Errorf("C1 posted again after %v, want a pause of %v", d, noRetryAfterPause*DefaultPostEvery)
		}
	})
}

// TestRestartStartsWithTheBurstSpent: a process that starts where another
// just spent the channel's burst draws no 429 from its first posts.
func TestRestartStartsWithTheBurstSpent(t *testing.T) {
	inBubble(t, slacktest.Options{PostEvery: time.Second, PostBurst: 3}, func(t *testing.T, fk *slacktest.Server, before *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		time.Sleep(time.Minute)
		for i := range 3 {
			if _, err := before.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", fmt.Sprint(i), "x")); err != nil {
				t.Fatal(err)
			}
		}
		pn := slacktest.NewPipe(fk)
		defer pn.Close()
		after := New(Options{APIURL: pn.URL(), BotToken: fk.Token, HTTPClient: pn.Client})
		defer after.Close()
		for i := range 5 {
			if _, err := after.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", fmt.Sprint(i), "y")); err != nil {
				t.Fatalf("post %d after the restart: %v", i, err)
			}
		}
		if n := fk.RateLimited("chat.postMessage"); n != 0 {
			t.Errorf("%d posts over the limit after the restart", n)
		}
	})
}

func TestRetryableErrors(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	for _, ft := range []slacktest.Fault{
		{Status: 500},
		{Status: 503},
		{Status: 429}, // no Retry-After
		{Code: "internal_error"},
		{Code: "fatal_error"},
		{Code: "ratelimited"},
	} {
		fk.Inject("chat.postMessage", "C1", ft)
		_, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", "k", "Retry me"))
		if se := wirewatch.Class(err); err == nil || se.Permanent || se.Auth || se.Hold {
			t.Errorf("%+v: got %v, want a retryable error", ft, err)
		}
	}
	if _, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", "k", "Retry me")); err != nil {
		t.Fatalf("after faults: %v", err)
	}
	if n := len(fk.Messages("C1")); n != 1 {
		t.Errorf("got %d messages, want the item exactly once", n)
	}
}

func TestRefusalsAreClassified(t *testing.T) {
	type class int
	const (
		permanent class = iota
		auth
		hold
	)
	cases := []struct {
		name  string
		setup func(fk *fakeSlack)
		code  string
		want  class
	}{
		{"unknown channel", func(fk *fakeSlack) {}, "channel_not_found", permanent},
		{"archived", func(fk *fakeSlack) { fk.SetChannel("C1", slacktest.Channel{Member: true, Archived: true}) }, "is_archived", permanent},
		{"bad token", func(fk *fakeSlack) { fk.AddChannel("C1"); fk.Token = "xoxb-other" }, "invalid_auth", auth},
		{"revoked", func(fk *fakeSlack) { fk.AddChannel("C1"); fk.Revoke() }, "token_revoked", auth},
		{"private, not invited", func(fk *fakeSlack) { fk.SetChannel("C1", slacktest.Channel{Private: true}) }, "not_in_channel", hold},
	}
	for _, code := range []string{"account_inactive", "not_authed"} {
		cases = append(cases, struct {
			name  string
			setup func(fk *fakeSlack)
			code  string
			want  class
		}{code, func(fk *fakeSlack) {
			fk.AddChannel("C1")
			fk.Inject("chat.postMessage", "C1", slacktest.Fault{Code: code}, slacktest.Fault{Code: code})
		}, code, auth})
	}
	for _, code := range []string{"missing_scope", "restricted_action", "invalid_blocks"} {
		cases = append(cases, struct {
			name  string
			setup func(fk *fakeSlack)
			code  string
			want  class
		}{code, func(fk *fakeSlack) {
			fk.AddChannel("C1")
			fk.Inject("chat.postMessage", "C1", slacktest.Fault{Code: code}, slacktest.Fault{Code: code})
		}, code, permanent})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fk := newFakeSlack(t)
			apiURL := fk.startHTTP(t)
			logs := &syncBuffer{}
			s := mustSlack(t, fk, apiURL, nil, logs)
			tc.setup(fk)
			for range 2 {
				_, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", "k", "Refused"))
				se := wirewatch.Class(err)
				got := permanent
				switch {
				case se.Auth:
					got = auth
				case se.Hold:
					got = hold
				case !se.Permanent:
					got = -1
				}
				if got != tc.want || codeOf(err) != tc.code {
					t.Fatalf("got %v (%+v, code %q), want class %d, %s", err, se, codeOf(err), tc.want, tc.code)
				}
			}
			if n := len(fk.Messages("C1")); n != 0 {
				t.Errorf("got %d messages, want none", n)
			}
			if tc.code == "not_in_channel" {
				if n := len(fk.Calls("conversations.join")); n != 1 {
					t.Errorf("got %d joins, want 1 (once per channel)", n)
				}
			}
		})
	}
}

func TestCheckNamesTheToken(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	s := mustSlack(t, fk, apiURL, nil, nil)
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("good token: %v", err)
	}
	fk.Revoke()
	err := s.Check(t.Context())
	if !wirewatch.Class(err).Auth || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") || strings.Contains(err.Error(), fk.Token) {
		t.Errorf("revoked token: %v; want an auth error naming SLACK_BOT_TOKEN, not showing it", err)
	}
}

// TestRevokedTokenHoldsTheBacklog: with the real dispatcher, a revoked
// token parks nothing and tries no alert after the first; once the token
// works again, the backlog goes out.
func TestRevokedTokenHoldsTheBacklog(t *testing.T) {
	inBubble(t, slacktest.Options{}, func(t *testing.T, fk *slacktest.Server, s *Slack, _ *syncBuffer) {
		fk.AddChannel("C1")
		fk.Revoke()
		db := openStore(t)
		var as []wirewatch.Alert
		for i := range 20 {
			as = append(as, alert("C1", "k", fmt.Sprint("Story ", i)))
		}
		queue(t, db, as...)
		d := bot.NewDispatcher(db, bot.DispatcherOptions{Posters: map[string]wirewatch.Poster{wirewatch.Slack: s}})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		defer func() { cancel(); <-done }()
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := len(fk.Calls("chat.postMessage")); n != 1 {
			t.Errorf("%d posts tried with a revoked token, want 1", n)
		}
		if p, _ := db.ParkedAlerts(); len(p) != 0 {
			t.Errorf("parked %v", p)
		}
		if d.Holds()["slack"] == "" {
			t.Errorf("holds %v, want slack's token", d.Holds())
		}
		fk.Restore()
		if err := d.WaitEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		if got := stories(fk.Messages("C1")); len(got) != 20 {
			t.Errorf("%d stories after the token works again, want 20: %v", len(got), got)
		}
		if n := len(fk.Calls("auth.test")); n == 0 {
			t.Error("the token was never checked")
		}
	})
}

// TestMentionInjection sends hostile feed text and checks that nothing
// Slack would turn into a mention or a forged link reaches it.
func TestMentionInjection(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	hostile := wirewatch.Alert{
		To:      "slack:C1",
		Thread:  "k",
		Watches: []string{"<!here> watch", "<@U0ADMIN>"},
		Title:   "<!channel> breaking",
		Link:    "https://news.example/a?x=1&y=<2>",
		Source:  "<!subteam^S123|@editors> & co",
		Summary: "Read <http://evil.example|your bank> now <!everyone> <#C999> <!date^1^{date}|x> @channel",
		Terms:   []string{"bank"},
		Docket: &wirewatch.Docket{Court: "<!here>", Number: "1:25-cv-1", CaseName: "<@U1> v. <!channel>",
			ShortDescription: "<https://x.example|motion>", DocumentURL: "javascript:alert(1)"},
	}
	th := wirewatch.Thread{Key: "k", To: "slack:C1", Title: "<!here> title", Count: 1, Latest: hostile.Title,
		Recent: []wirewatch.ThreadItem{{Title: hostile.Title, Link: hostile.Link, Source: hostile.Source}}}
	th, err := s.PostTop(t.Context(), th, hostile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(t.Context(), th, hostile, true); err != nil {
		t.Fatal(err)
	}
	if err := s.EditTop(t.Context(), th); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range fk.Calls("") {
		for k, vs := range c.Form {
			if k != "token" {
				fields = append(fields, vs...)
			}
		}
	}
	for _, f := range fields {
		// Decode the JSON fields, so that \u003c counts as "<".
		var v any
		if json.Unmarshal([]byte(f), &v) == nil {
			b, _ := json.Marshal(v)
			f = unJSON.Replace(string(b))
		}
		// Our own date tokens are the one "<!" allowed.
		f = dateToken.ReplaceAllString(f, "")
		for _, bad := range []string{"<!", "<@", "<#", "<http://evil", "<https://x.example", "javascript:", "&y=<"} {
			if strings.Contains(f, bad) {
				t.Errorf("field carries %q: %s", bad, f)
			}
		}
	}
	top := fk.Messages("C1")[0]
	for _, want := range []string{"&lt;!channel&gt; breaking", "&lt;http://evil.example|your *bank*&gt;", "&lt;!subteam^S123|@editors&gt; &amp; co"} {
		if !strings.Contains(unJSON.Replace(top.Blocks), want) {
			t.Errorf("top blocks lack %q: %s", want, top.Blocks)
		}
	}
	if !strings.Contains(top.Text, "&lt;!channel&gt; breaking") {
		t.Errorf("fallback text = %q, want the title escaped", top.Text)
	}
}

func TestLimits(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	a := alert("C1", "k", strings.Repeat("Très long titre & <b> ", 5000))
	a.Summary = strings.Repeat("日本語の長い要約 & more <text> ", 50000)
	a.Source = strings.Repeat("S", 10000)
	for i := range 300 {
		a.Watches = append(a.Watches, fmt.Sprintf("watch %d %s", i, strings.Repeat("&", 50)))
	}
	a.Terms = []string{"more"}
	a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: strings.Repeat("Abrego Garcia v. Noem ", 1000),
		ShortDescription: strings.Repeat("ORDER ", 5000), DocumentURL: "https://ecf.example/doc/" + strings.Repeat("x", 5000)}
	th := wirewatch.Thread{Key: "k", To: a.To, Title: a.Title, Count: 7, Posted: 2, Latest: a.Title}
	for range wirewatch.RecentItems {
		th.Recent = append(th.Recent, wirewatch.ThreadItem{Title: a.Title, Link: "https://news.example/?" + strings.Repeat("a=1&", 400), Source: a.Source, Time: time.Now()})
	}
	th, err := s.PostTop(t.Context(), th, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reply(t.Context(), th, a, false); err != nil {
		t.Fatal(err)
	}
	if err := s.EditTop(t.Context(), th); err != nil {
		t.Fatal(err)
	}
	for _, c := range append(fk.Calls("chat.postMessage"), fk.Calls("chat.update")...) {
		if n := utf8.RuneCountInString(c.Form.Get("text")); n > maxMessageText || n == 0 {
			t.Errorf("text has %d runes, want 1..%d", n, maxMessageText)
		}
		if !utf8.ValidString(c.Form.Get("text")) {
			t.Errorf("text is not valid UTF-8")
		}
		for _, field := range []string{"blocks", "attachments"} {
			raw := c.Form.Get(field)
			if raw == "" {
				continue
			}
			var bl []slack.Block
			if field == "blocks" {
				var b slack.Blocks
				if err := json.Unmarshal([]byte(raw), &b); err != nil {
					t.Fatal(err)
				}
				bl = b.BlockSet
			} else {
				var as []slack.Attachment
				if err := json.Unmarshal([]byte(raw), &as); err != nil {
					t.Fatal(err)
				}
				for _, at := range as {
					bl = append(bl, at.Blocks.BlockSet...)
				}
			}
			if len(bl) > maxBlocks {
				t.Errorf("got %d blocks, want ≤ %d", len(bl), maxBlocks)
			}
			for _, blk := range bl {
				for _, txt := range blockTexts(blk) {
					if n := utf8.RuneCountInString(txt); n > maxTextObject || n == 0 {
						t.Errorf("%s text object has %d runes, want 1..%d", field, n, maxTextObject)
					}
					if !utf8.ValidString(txt) {
						t.Errorf("text object is not valid UTF-8")
					}
				}
			}
		}
	}
	if !strings.Contains(fk.Messages("C1")[0].Blocks, "…") {
		t.Errorf("no ellipsis marks the cuts")
	}
}

// dateToken is the date markup the digest writes itself.
var dateToken = regexp.MustCompile(`<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>`)

func blockTexts(b slack.Block) []string {
	switch b := b.(type) {
	case *slack.SectionBlock:
		return []string{b.Text.Text}
	case *slack.ContextBlock:
		var out []string
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				out = append(out, t.Text)
			}
		}
		return out
	}
	return nil
}

func TestNetworkErrorHidesToken(t *testing.T) {
	fk := newFakeSlack(t)
	// Nothing listens there.
	s := mustSlack(t, fk, "http://127.0.0.1:1/api/", nil, nil)
	_, err := s.PostTop(t.Context(), wirewatch.Thread{}, alert("C1", "k", "x"))
	if perm, _ := wirewatch.Classify(err); err == nil || perm {
		t.Fatalf("got %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), fk.Token) {
		t.Errorf("error shows the token: %v", err)
	}
	if got := s.scrub("token=xoxb-123-456-abc and xapp-1-A1-xyz"); strings.Contains(got, "xoxb-123") || strings.Contains(got, "xapp-1-A1") {
		t.Errorf("scrub left a token: %s", got)
	}
}

func TestWrongDestination(t *testing.T) {
	s := New(Options{})
	_, err := s.PostTop(t.Context(), wirewatch.Thread{}, wirewatch.Alert{To: "discord:1"})
	if perm, _ := wirewatch.Classify(err); !perm {
		t.Errorf("got %v, want permanent", err)
	}
	if !wirewatch.Class(s.EditTop(t.Context(), wirewatch.Thread{To: "discord:1"})).Permanent {
		t.Errorf("EditTop of a non-Slack thread is not refused")
	}
}

// TestReplyLeavesOutTheThreadsWatch: in a news thread (the dispatcher
// names its watch) a reply does not repeat "Watch: …"; a reply naming other
// watches, or in a case thread, does.
func TestReplyLeavesOutTheThreadsWatch(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	news := wirewatch.Thread{Key: "watch:w1:2026-11-22", To: "slack:C1", Ref: "1.1", TopRef: "1.1", Title: "Abrego Garcia · Nov 22, 2026", Watch: "Abrego Garcia"}
	two := alert("C1", news.Key, "Two")
	two.Watches = []string{"Abrego Garcia", "Xinis"}
	docket := news
	docket.Title, docket.Watch = "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)", ""
	for _, c := range []struct {
		th    wirewatch.Thread
		a     wirewatch.Alert
		watch bool
	}{
		{news, alert("C1", news.Key, "One"), false},
		{news, two, true},
		{docket, alert("C1", news.Key, "Three"), true},
	} {
		if _, err := s.Reply(t.Context(), c.th, c.a, false); err != nil {
			t.Fatal(err)
		}
		calls := fk.Calls("chat.postMessage")
		blocks := calls[len(calls)-1].Form.Get("blocks")
		if got := strings.Contains(blocks, "Watch"); got != c.watch {
			t.Errorf("%s in %q: watches line shown %v, want %v", c.a.Title, c.th.Title, got, c.watch)
		}
	}
}

// TestReplyAlsoIn: another outlet of the thread's story is one short line
// in the thread, linking the outlet (escaped), with no card, and found
// again by its metadata like any reply.
func TestReplyAlsoIn(t *testing.T) {
	fk := newFakeSlack(t)
	fk.AddChannel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	a := alert("C1", "k", "Wire story")
	th, err := s.PostTop(t.Context(), wirewatch.Thread{Key: "k", To: a.To, Title: "T", Count: 1}, a)
	if err != nil {
		t.Fatal(err)
	}
	also := alert("C1", "k", "Wire story")
	also.ID = 2 // another alert than the top's
	also.AlsoIn = []wirewatch.Outlet{{Source: "Courier <!channel>", Link: "https://courier.example/wire"}}
	if _, err := s.Reply(t.Context(), th, also, false); err != nil {
		t.Fatal(err)
	}
	msgs := fk.Messages("C1")
	line := msgs[len(msgs)-1]
	if line.ThreadTS != th.Ref || line.Blocks != "" && line.Blocks != "[]" && line.Blocks != "null" {
		t.Fatalf("also-in reply = %+v, want a line in the thread without blocks", line)
	}
	if want := "Also in <https://courier.example/wire|Courier &lt;!channel&gt;>"; line.Text != want {
		t.Errorf("line = %q, want %q", line.Text, want)
	}
	if got, ok, err := s.Delivered(t.Context(), th, also); err != nil || !ok || got.Ref != th.Ref {
		t.Errorf("Delivered = %+v, %v, %v; want the line found by its metadata", got, ok, err)
	}
}
