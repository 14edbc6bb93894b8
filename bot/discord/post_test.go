package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
)

var ctx = context.Background()

// posterAlert is alert n of a thread in ch, as the outbox has it.
func posterAlert(ch string, n uint64, title string) wirewatch.Alert {
	a := testAlert(ch, title)
	a.ID = n
	a.Queued = time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
	a.Thread = "watch:w1:2026-11-22"
	return a
}

// newThread is a thread as the dispatcher passes it to PostTop.
func newThread(a wirewatch.Alert) wirewatch.Thread {
	return wirewatch.Thread{
		Key: a.Thread, To: a.To, Title: "Abrego Garcia · Nov 22, 2026", Count: 1, Posted: 1, Latest: a.Title,
		Recent: []wirewatch.ThreadItem{{Title: a.Title, Link: a.Link, Source: a.Source, Time: a.Published}},
	}
}

// openThread posts a's top message in a new thread, as the dispatcher
// does, and opens its Discord thread.
func openThread(t *testing.T, d *Discord, a wirewatch.Alert) wirewatch.Thread {
	t.Helper()
	th, err := d.PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	if th, err = d.Open(ctx, th); err != nil {
		t.Fatal(err)
	}
	return th
}

func textFake(t *testing.T) *fakeDiscord {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText, GuildID: "4242"})
	return f
}

// body decodes a request body.
func body(t *testing.T, r fakeReq) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	return m
}

func TestPosterTextChannel(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "First story")
	th, err := d.PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.Messages(textCh)
	if len(msgs) != 1 || th.TopRef != textCh+"/"+msgs[0].ID || th.Ref != "" {
		t.Fatalf("after PostTop: %d messages, thread %+v; want one top message, TopRef set, Ref empty", len(msgs), th)
	}
	top := msgs[0].ID
	if len(msgs[0].Embeds) != 1 || msgs[0].Embeds[0].Title != "First story" {
		t.Errorf("top message embeds = %+v, want the first alert", msgs[0].Embeds)
	}
	post := f.requests("POST", "/api/v9/channels/"+textCh+"/messages")[0]
	if m := body(t, post); m["nonce"] != nonce(nonceTop, a) || m["enforce_nonce"] != true {
		t.Errorf("top message nonce %v enforce %v, want %q and true", m["nonce"], m["enforce_nonce"], nonce(nonceTop, a))
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages/")); n != 0 {
		t.Errorf("PostTop started %d threads; Open does that", n)
	}

	th, err = d.Open(ctx, th)
	if err != nil {
		t.Fatal(err)
	}
	thread := f.thread(top)
	if th.Ref != top || thread == nil || thread.Parent != textCh || thread.Name != "Abrego Garcia · Nov 22, 2026" || thread.Archive != archiveDay {
		t.Fatalf("after Open: Ref %q, thread %+v; want the thread from the top message, named by th.Title, archived after a day", th.Ref, thread)
	}

	b := posterAlert(textCh, 2, "Second story")
	ref, err := d.Reply(ctx, th, b, false)
	if err != nil || ref != th.Ref {
		t.Fatalf("Reply = %q, %v; want %q", ref, err, th.Ref)
	}
	in := f.Messages(top)
	if len(in) != 1 || in[0].Embeds[0].Title != "Second story" || in[0].Nonce != nonce(nonceReply, b) {
		t.Fatalf("messages in the thread = %+v, want Second story with its nonce", in)
	}
	if n := len(f.Messages(textCh)); n != 1 {
		t.Errorf("%d messages in the channel, want 1: no broadcast was asked for", n)
	}

	th.Count, th.Posted, th.Latest = 2, 2, b.Title
	th.Recent = append([]wirewatch.ThreadItem{{Title: b.Title, Link: "https://example.org/two", Source: "Wire", Time: time.Unix(1795300000, 0)}}, th.Recent...)
	th.Updated = time.Unix(1795300100, 0)
	if err := d.EditTop(ctx, th); err != nil {
		t.Fatal(err)
	}
	c := f.content(top)
	first, rest, _ := strings.Cut(c, "\n")
	if first != "📌 Abrego Garcia · Nov 22, 2026 — Second story" {
		t.Errorf("top line = %q, want the title and the latest headline, plain", first)
	}
	for _, want := range []string{"2 items", "updated <t:1795300100:R>", "[Second story](<https://example.org/two>) · Wire · <t:1795300000:f>", "[First story](<https://example.org/story>)"} {
		if !strings.Contains(rest, want) {
			t.Errorf("top message %q lacks %q", c, want)
		}
	}
	if m, _ := f.Message(top); len(m.Embeds) != 1 {
		t.Errorf("the edit dropped the top message's embed")
	}
}

// A restart between the top post and the thread start: the dispatcher
// saved TopRef, and the new process opens the thread from it instead of
// posting the top again. The old Send kept that note in memory, so a new
// process posted a second top message.
func TestPosterCrashBetweenTopAndThread(t *testing.T) {
	f := textFake(t)
	a := posterAlert(textCh, 1, "Story")
	th, err := f.adapter(t, nil).PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	saved := th // what the store has when the process dies

	d2 := f.adapter(t, nil) // the process after the restart
	th2, err := d2.Open(ctx, saved)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages(textCh)); n != 1 {
		t.Errorf("%d top messages after the restart, want 1", n)
	}
	if th2.Ref == "" || f.thread(th2.Ref) == nil {
		t.Errorf("Ref %q is not a thread", th2.Ref)
	}
	// Open again (the answer to the first Open was lost): 160004, same thread.
	th3, err := d2.Open(ctx, saved)
	if err != nil || th3.Ref != th2.Ref {
		t.Errorf("second Open = %+v, %v; want Ref %q", th3, err, th2.Ref)
	}
}

// A crash while the top post was in flight (or its answer lost): the
// retry, in a new process, sends the same nonce and Discord returns the
// message it already has. Without a nonce, as the old Send posted, the
// channel got two tops.
func TestPosterNonceRetryPostsOnce(t *testing.T) {
	f := textFake(t)
	a := posterAlert(textCh, 7, "Story")
	th1, err := f.adapter(t, nil).PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	th2, err := f.adapter(t, nil).PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages(textCh)); n != 1 || th1.TopRef != th2.TopRef {
		t.Errorf("%d messages, TopRefs %q and %q; want one message, the same TopRef", n, th1.TopRef, th2.TopRef)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages")); n != 2 {
		t.Errorf("%d posts, want 2 (the second answered from the nonce)", n)
	}

	// The same for a reply.
	th, err := f.adapter(t, nil).Open(ctx, th1)
	if err != nil {
		t.Fatal(err)
	}
	b := posterAlert(textCh, 8, "Reply")
	for range 2 {
		if _, err := f.adapter(t, nil).Reply(ctx, th, b, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.Messages(th.Ref)); n != 1 {
		t.Errorf("%d replies for one alert sent twice, want 1", n)
	}
	// Another alert is another message.
	if _, err := f.adapter(t, nil).Reply(ctx, th, posterAlert(textCh, 9, "Other"), false); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages(th.Ref)); n != 2 {
		t.Errorf("%d replies after a second alert, want 2", n)
	}
}

func TestNonce(t *testing.T) {
	a := posterAlert(textCh, 1<<62, "x")
	a.Queued = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	other := a
	other.To = "discord:" + otherCh
	seen := map[string]bool{}
	for _, n := range []string{nonce(nonceTop, a), nonce(nonceReply, a), nonce(nonceBroadcast, a), nonce(nonceTop, other)} {
		if len(n) > discordtest.MaxNonce || len(n) < 8 {
			t.Errorf("nonce %q has %d characters, want 8–25", n, len(n))
		}
		if seen[n] {
			t.Errorf("nonce %q repeats for another message or destination", n)
		}
		seen[n] = true
	}
	again := a // the same alert read again from the outbox
	again.Tries, again.InFlight = 3, true
	if nonce(nonceTop, again) != nonce(nonceTop, a) {
		t.Error("nonce changes between tries of one alert")
	}
}

func TestPosterHeldNotParked(t *testing.T) {
	f := textFake(t)
	f.AddChannel(discordtest.Channel{ID: otherCh, Type: discordgo.ChannelTypeGuildText})
	f.AddThread(discordtest.Thread{ID: "700", Parent: otherCh})
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		switch r.URL.Path {
		case "/api/v9/channels/" + textCh + "/messages":
			return 403, nil, `{"message":"Missing Permissions","code":50013}`, true
		case "/api/v9/channels/700/messages":
			return 403, nil, `{"message":"Missing Access","code":50001}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "Story")
	_, err := d.PostTop(ctx, newThread(a), a)
	if c := wirewatch.Class(err); !c.Hold || c.Permanent || c.Auth {
		t.Fatalf("PostTop = %v (%+v), want held, not permanent", err, c)
	}
	if !strings.Contains(err.Error(), "50013") || !strings.Contains(err.Error(), textCh) {
		t.Errorf("error %q should name the code and the channel", err)
	}
	n := len(f.requests("POST", "/api/v9/channels/"+textCh))
	_, err = d.PostTop(ctx, newThread(a), a)
	if c := wirewatch.Class(err); !c.Hold {
		t.Fatalf("second PostTop = %v, want held", err)
	}
	if m := len(f.requests("POST", "/api/v9/channels/"+textCh)); m != n {
		t.Errorf("the refusing channel got %d more requests during its pause, want 0", m-n)
	}

	// One thread refusing us holds that thread only, not its channel.
	th := wirewatch.Thread{Key: "k", To: "discord:" + otherCh, Ref: "700", TopRef: otherCh + "/700"}
	_, err = d.Reply(ctx, th, posterAlert(otherCh, 2, "In thread"), false)
	if c := wirewatch.Class(err); !c.Hold || c.Permanent {
		t.Fatalf("Reply = %v, want held", err)
	}
	b := posterAlert(otherCh, 3, "Elsewhere")
	if _, err := d.PostTop(ctx, newThread(b), b); err != nil {
		t.Errorf("PostTop in the thread's channel = %v, want it posted", err)
	}
}

func TestPosterUnknownChannelPermanent(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "Story")
	_, err := d.PostTop(ctx, newThread(a), a)
	if c := wirewatch.Class(err); !c.Permanent || c.Hold {
		t.Fatalf("PostTop to an unknown channel = %v, want permanent", err)
	}
}

func TestPosterAuth(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, func(o *Options) { o.Token = "revoked" })
	a := posterAlert(textCh, 1, "Story")
	for range 3 {
		_, err := d.PostTop(ctx, newThread(a), a)
		if c := wirewatch.Class(err); !c.Auth || c.Permanent {
			t.Fatalf("PostTop with a refused token = %v (%+v), want Auth, not permanent", err, c)
		}
	}
	if n := len(f.Requests("", "")); n != 1 {
		t.Errorf("%d requests with a refused token, want 1 (then the stop switch)", n)
	}
	err := d.Check(ctx)
	if c := wirewatch.Class(err); !c.Auth || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
		t.Errorf("Check = %v, want Auth naming DISCORD_BOT_TOKEN", err)
	}
	if strings.Contains(err.Error(), "revoked") {
		t.Errorf("Check error %q shows the token", err)
	}
	if n := len(f.requests("GET", "/api/v9/users/@me")); n != 1 {
		t.Errorf("Check made %d requests, want 1: it probes past the stop switch", n)
	}

	good := f.adapter(t, nil)
	if err := good.Check(ctx); err != nil {
		t.Errorf("Check with the right token = %v", err)
	}
}

func TestOpenWithoutThreadRights(t *testing.T) {
	f := textFake(t)
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if strings.HasSuffix(r.URL.Path, "/threads") {
			return 403, nil, `{"message":"Missing Permissions","code":50013}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "One")
	th, err := d.PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	th, err = d.Open(ctx, th)
	if err != nil || th.Ref != textCh {
		t.Fatalf("Open without thread rights = %+v, %v; want the channel itself as Ref", th, err)
	}
	if _, err := d.Reply(ctx, th, posterAlert(textCh, 2, "Two"), true); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages(textCh)); n != 2 {
		t.Errorf("%d messages in the channel, want 2 (flat; no broadcast of a flat reply)", n)
	}
}

func TestPosterGone(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "One")
	th, err := d.PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	_, top, _ := splitRef(th.TopRef)

	// The top message deleted before the thread started.
	f.DeleteMessage(top)
	if _, err := d.Open(ctx, th); !errors.Is(err, wirewatch.ErrGone) {
		t.Errorf("Open after the top was deleted = %v, want ErrGone", err)
	}
	if err := d.EditTop(ctx, th); !errors.Is(err, wirewatch.ErrGone) {
		t.Errorf("EditTop of a deleted top = %v, want ErrGone", err)
	}

	a2 := posterAlert(textCh, 2, "Two")
	th, _ = d.PostTop(ctx, newThread(a2), a2)
	th, err = d.Open(ctx, th)
	if err != nil {
		t.Fatal(err)
	}
	f.setThread(th.Ref, func(x *discordtest.Thread) { x.Locked = true })
	if _, err := d.Reply(ctx, th, posterAlert(textCh, 3, "Three"), false); !errors.Is(err, wirewatch.ErrGone) {
		t.Errorf("Reply in a locked thread = %v, want ErrGone", err)
	}
	f.setThread(th.Ref, func(x *discordtest.Thread) { x.Deleted = true })
	if _, err := d.Reply(ctx, th, posterAlert(textCh, 4, "Four"), false); !errors.Is(err, wirewatch.ErrGone) {
		t.Errorf("Reply in a deleted thread = %v, want ErrGone", err)
	}
}

func TestReplyReopensArchived(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "One")
	th, _ := d.PostTop(ctx, newThread(a), a)
	th, err := d.Open(ctx, th)
	if err != nil {
		t.Fatal(err)
	}
	f.setThread(th.Ref, func(x *discordtest.Thread) { x.Archived = true })
	// Should Discord refuse the post while archived, the adapter reopens
	// the thread and posts once more, with the same nonce.
	refused := false
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if !refused && r.Method == "POST" && r.URL.Path == "/api/v9/channels/"+th.Ref+"/messages" {
			refused = true
			return 400, nil, `{"message":"Thread is archived","code":50083}`, true
		}
		return 0, nil, "", false
	})
	if _, err := d.Reply(ctx, th, posterAlert(textCh, 2, "Two"), false); err != nil {
		t.Fatal(err)
	}
	if x := f.thread(th.Ref); x.Archived || len(f.Messages(th.Ref)) != 1 {
		t.Errorf("archived %v, %d messages; want reopened with one reply", x.Archived, len(f.Messages(th.Ref)))
	}
	if n := len(f.requests("PATCH", "/api/v9/channels/"+th.Ref)); n != 1 {
		t.Errorf("%d reopen requests, want 1", n)
	}
}

func TestReplyBroadcast(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "One")
	th, _ := d.PostTop(ctx, newThread(a), a)
	th, err := d.Open(ctx, th)
	if err != nil {
		t.Fatal(err)
	}
	b := posterAlert(textCh, 2, "ORDER granting **motion** @everyone")
	for range 2 { // the second time is a retry: the nonces keep it single
		if _, err := d.Reply(ctx, th, b, true); err != nil {
			t.Fatal(err)
		}
	}
	replies := f.Messages(th.Ref)
	chMsgs := f.Messages(textCh)
	if len(replies) != 1 || len(chMsgs) != 2 {
		t.Fatalf("%d replies, %d channel messages; want 1 reply and the top plus one broadcast", len(replies), len(chMsgs))
	}
	bc := chMsgs[1]
	link := "https://discord.com/channels/4242/" + th.Ref + "/" + replies[0].ID
	first, rest, _ := strings.Cut(bc.Content, "\n")
	if rest != link {
		t.Errorf("broadcast link = %q, want %q", rest, link)
	}
	if first != "🧵 Abrego Garcia · Nov 22, 2026 — ORDER granting \\*\\*motion\\*\\* @\u200beveryone" {
		t.Errorf("broadcast line = %q", first)
	}
	if bc.Nonce != nonce(nonceBroadcast, b) || len(bc.Embeds) != 0 {
		t.Errorf("broadcast nonce %q, %d embeds; want %q, none", bc.Nonce, len(bc.Embeds), nonce(nonceBroadcast, b))
	}

	// A broadcast rate limited for a moment fails the reply so it is
	// retried; the retry gets the reply already posted (its nonce) and
	// then posts the broadcast.
	limited := true
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if limited && r.Method == "POST" && r.URL.Path == "/api/v9/channels/"+textCh+"/messages" {
			limited = false
			return 429, map[string]string{"Retry-After": "1"}, `{"message":"You are being rate limited.","retry_after":0.01}`, true
		}
		return 0, nil, "", false
	})
	c := posterAlert(textCh, 5, "Five")
	_, err = d.Reply(ctx, th, c, true)
	if se := wirewatch.Class(err); err == nil || se.After <= 0 || se.Permanent || se.Hold {
		t.Fatalf("Reply with its broadcast rate limited = %v, want a retry after the wait", err)
	}
	d2 := f.adapter(t, nil) // a limiter that has not seen the 429
	if _, err := d2.Reply(ctx, th, c, true); err != nil {
		t.Fatal(err)
	}
	if n, m := len(f.Messages(th.Ref)), len(f.Messages(textCh)); n != 2 || m != 3 {
		t.Errorf("%d replies, %d channel messages after the retry; want 2 and 3 (top and two broadcasts)", n, m)
	}

	// A channel that refuses the broadcast does not fail the reply.
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "POST" && r.URL.Path == "/api/v9/channels/"+textCh+"/messages" {
			return 403, nil, `{"message":"Missing Permissions","code":50013}`, true
		}
		return 0, nil, "", false
	})
	if _, err := d.Reply(ctx, th, posterAlert(textCh, 3, "Three"), true); err != nil {
		t.Errorf("Reply with a refused broadcast = %v, want the reply counted as posted", err)
	}
}

func TestPostTopForum(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum, RequireTag: true,
		Tags: []discordgo.ForumTag{{ID: "502", Name: "Court"}, {ID: "503", Name: "News"}}})
	d := f.adapter(t, nil)
	a := posterAlert(forumCh, 1, "ORDER granting motion")
	a.Thread = "case:mdd:8:25-cv-00951"
	a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem"}
	th := newThread(a)
	th.Title = "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)"
	th, err := d.PostTop(ctx, th, a)
	if err != nil {
		t.Fatal(err)
	}
	post := f.thread(th.Ref)
	if post == nil || th.TopRef != th.Ref+"/"+th.Ref || post.Parent != forumCh || post.Archive != archiveWeek ||
		post.Name != th.Title || len(post.Tags) != 1 || post.Tags[0] != "502" {
		t.Fatalf("forum post %+v, thread %+v; want a week-long post named by the title, tagged court, Ref and TopRef set", post, th)
	}
	th2, err := d.Open(ctx, th)
	if err != nil || th2.Ref != th.Ref || len(f.requests("POST", "/api/v9/channels/"+forumCh+"/messages/")) != 0 {
		t.Errorf("Open of a forum post = %+v, %v; want it as it is, no request", th2, err)
	}
	if _, err := d.Reply(ctx, th, posterAlert(forumCh, 2, "Second"), true); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages(th.Ref)); n != 2 {
		t.Errorf("%d messages in the post, want the starter and the reply (no broadcast in a forum)", n)
	}
	th.Count, th.Posted = 2, 2
	f.setThread(th.Ref, func(x *discordtest.Thread) { x.Archived = true })
	if err := d.EditTop(ctx, th); err != nil {
		t.Errorf("EditTop in an archived post = %v, want nil (shown after the next reply)", err)
	}
}

func TestPostTopInThreadChannel(t *testing.T) {
	f := textFake(t)
	f.AddThread(discordtest.Thread{ID: "700", Parent: textCh})
	d := f.adapter(t, nil)
	a := posterAlert("700", 1, "One")
	th, err := d.PostTop(ctx, newThread(a), a)
	if err != nil || th.Ref != "700" || !strings.HasPrefix(th.TopRef, "700/") {
		t.Fatalf("PostTop in a thread = %+v, %v; want Ref the thread itself", th, err)
	}
	if n := len(f.requests("POST", "/api/v9/channels/700/messages/")); n != 0 {
		t.Errorf("tried to start %d threads inside a thread", n)
	}
}

func TestTopContent(t *testing.T) {
	th := wirewatch.Thread{Title: "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)", Count: 1, Posted: 1,
		Updated: time.Unix(1795300000, 0)}
	a := &wirewatch.Alert{Title: "ORDER granting motion (ECF No. 12) - 1. filed"}
	first, rest, _ := strings.Cut(topContent(th, a), "\n")
	// The old summary line read "📌 **Abrego Garcia v. Noem, 8\:25\-cv\-00951** · 1 item · updated <t:…:R>".
	if want := "📌 Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.) — ORDER granting motion (ECF No. 12) - 1. filed"; first != want {
		t.Errorf("first line = %q, want %q", first, want)
	}
	if rest != "1 item · updated <t:1795300000:R>" {
		t.Errorf("second line = %q", rest)
	}

	for _, tc := range []struct{ in, want string }{
		{"plain: words, a-b (c) 1. x", "plain: words, a-b (c) 1. x"},
		{"**bold** and __under__", `\*\*bold\*\* and \_\_under\_\_`},
		{"one * star and snake_case", "one * star and snake_case"},
		{"[click](https://evil.example)", `\[click\](https://evil.example)`},
		{"<@&123> <t:1:R> a < b", `\<@&123> \<t:1:R> a < b`},
		{"@everyone @Here", "@\u200beveryone @\u200bHere"},
		{`back\*slash*`, `back\\\*slash\*`},
		{"two\nlines\t here", "two lines here"},
	} {
		if got := plainLine(tc.in, 300); got != tc.want {
			t.Errorf("plainLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	// Five recent items of long headlines stay within 2000 characters.
	th.Count = 40
	for range wirewatch.RecentItems {
		th.Recent = append(th.Recent, wirewatch.ThreadItem{Title: strings.Repeat("Headline ", 60), Link: "https://example.org/" + strings.Repeat("p", 400) + ")>x"})
	}
	c := topContent(th, nil)
	if n := len([]rune(c)); n > maxContent {
		t.Errorf("top message has %d characters", n)
	}
	if strings.Contains(c, ")>x") {
		t.Errorf("a link's ')' or '>' was left to end the masked link early: %q", c)
	}
}

// An alert in flight at a stop whose post had gone out: Delivered finds it
// after the nonce's few minutes, in the thread, in the channel (as a top
// message) and among a forum's posts, and gives the thread PostTop would
// have given.
func TestDelivered(t *testing.T) {
	f := textFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum, GuildID: "4242"})
	d := f.adapter(t, nil)
	queued := time.Now().Add(-time.Hour)
	at := func(ch string, n uint64, title string) wirewatch.Alert {
		a := posterAlert(ch, n, title)
		a.Queued, a.InFlight = queued, true
		return a
	}

	// A top message.
	a := at(textCh, 1, "Top story")
	posted, err := d.PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	th, ok, err := f.adapter(t, nil).Delivered(ctx, newThread(a), a)
	if err != nil || !ok || th.TopRef != posted.TopRef || th.Ref != "" {
		t.Fatalf("Delivered(top) = %+v, %v, %v; want found with TopRef %q", th, ok, err, posted.TopRef)
	}
	// Another alert, and the same alert queued after the post, are not it.
	if _, ok, err := d.Delivered(ctx, newThread(a), at(textCh, 2, "Other story")); ok || err != nil {
		t.Errorf("Delivered(another alert) = %v, %v; want false", ok, err)
	}
	later := a
	later.Queued = time.Now().Add(time.Hour)
	if _, ok, _ := d.Delivered(ctx, newThread(a), later); ok {
		t.Error("Delivered found a post older than the alert")
	}

	// A reply.
	open, err := d.Open(ctx, posted)
	if err != nil {
		t.Fatal(err)
	}
	b := at(textCh, 3, "Reply story")
	if _, ok, _ := d.Delivered(ctx, open, b); ok {
		t.Fatal("Delivered(reply) before the reply was posted = true")
	}
	if _, err := d.Reply(ctx, open, b, false); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := d.Delivered(ctx, open, b); !ok || err != nil {
		t.Errorf("Delivered(reply) = %v, %v; want found", ok, err)
	}

	// A forum post, which has no nonce.
	c := at(forumCh, 4, "Forum story")
	post, err := d.PostTop(ctx, newThread(c), c)
	if err != nil {
		t.Fatal(err)
	}
	th, ok, err = f.adapter(t, nil).Delivered(ctx, newThread(c), c)
	if err != nil || !ok || th.Ref != post.Ref || th.TopRef != post.TopRef {
		t.Errorf("Delivered(forum post) = %+v, %v, %v; want Ref %q", th, ok, err, post.Ref)
	}

	// Without Read Message History: false, and the nonce does the rest.
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/messages") {
			return 403, nil, `{"message":"Missing Access","code":50001}`, true
		}
		return 0, nil, "", false
	})
	if _, ok, err := d.Delivered(ctx, open, b); ok || err != nil {
		t.Errorf("Delivered without history = %v, %v; want false, nil", ok, err)
	}
}

func TestPosterRateLimited(t *testing.T) {
	f := textFake(t)
	f.AddChannel(discordtest.Channel{ID: otherCh, Type: discordgo.ChannelTypeGuildText})
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "POST" && r.URL.Path == "/api/v9/channels/"+textCh+"/messages" {
			return 429, map[string]string{
				"Retry-After": "7", "X-RateLimit-Reset-After": "7.25", "X-RateLimit-Remaining": "0",
				"X-RateLimit-Bucket": "abc", "X-RateLimit-Scope": "user",
			}, `{"message":"You are being rate limited.","retry_after":7.25,"global":false}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "Story")
	_, err := d.PostTop(ctx, newThread(a), a)
	if c := wirewatch.Class(err); err == nil || c.Permanent || c.Hold || c.After != 7250*time.Millisecond {
		t.Fatalf("PostTop = %v (%+v), want a retry after 7.25s", err, c)
	}
	before := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages"))
	// Asked again at once, we do not knock on the limited route.
	_, err = d.PostTop(ctx, newThread(a), a)
	if c := wirewatch.Class(err); err == nil || c.After <= 5*time.Second || c.After > 7250*time.Millisecond {
		t.Fatalf("second PostTop = %v (after %s), want an immediate retry-after of about 7s", err, c.After)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages")); n != before {
		t.Errorf("the limited route got %d more requests while limited, want none", n-before)
	}
	// Other channels carry on.
	b := posterAlert(otherCh, 2, "Elsewhere")
	if _, err := d.PostTop(ctx, newThread(b), b); err != nil {
		t.Errorf("PostTop elsewhere = %v", err)
	}
}

func TestPosterGlobalRateLimit(t *testing.T) {
	f := textFake(t)
	f.AddChannel(discordtest.Channel{ID: otherCh, Type: discordgo.ChannelTypeGuildText})
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/messages") {
			return 429, map[string]string{"Retry-After": "30", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"},
				`{"message":"You are being rate limited.","retry_after":30,"global":true}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "A")
	if _, err := d.PostTop(ctx, newThread(a), a); err == nil {
		t.Fatal("PostTop succeeded through a global 429")
	}
	n := len(f.Requests("", ""))
	b := posterAlert(otherCh, 2, "B")
	_, err := d.PostTop(ctx, newThread(b), b)
	if c := wirewatch.Class(err); err == nil || c.After < 29*time.Second {
		t.Fatalf("PostTop to another channel = %v, want held back by the global limit", err)
	}
	if m := len(f.Requests("", "")); m != n {
		t.Errorf("%d requests sent during a global limit, want 0", m-n)
	}
}

func TestPosterServerErrorsRetry(t *testing.T) {
	for _, tc := range []struct {
		name, body      string
		status          int
		permanent, hold bool
	}{
		{"invalid form", `{"message":"Invalid Form Body","code":50035}`, 400, true, false},
		{"server error", `{"message":"Internal Server Error","code":0}`, 500, false, false},
		{"bad gateway", `<html>bad gateway</html>`, 502, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := textFake(t)
			f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
				if r.Method == "POST" {
					return tc.status, nil, tc.body, true
				}
				return 0, nil, "", false
			})
			a := posterAlert(textCh, 1, "Story")
			_, err := f.adapter(t, nil).PostTop(ctx, newThread(a), a)
			if c := wirewatch.Class(err); err == nil || c.Permanent != tc.permanent || c.Hold != tc.hold {
				t.Errorf("PostTop = %v (%+v), want permanent %v, hold %v", err, c, tc.permanent, tc.hold)
			}
		})
	}
}

func TestPosterNoPings(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "@everyone <@&123456> **breaking** [click](https://evil.example)")
	a.Summary = "@here <@987654> `code` > quote"
	a.Watches = []string{"@everyone"}
	th := newThread(a)
	th.Title = "@here **case** <@&1>"
	th, err := d.PostTop(ctx, th, a)
	if err != nil {
		t.Fatal(err)
	}
	if th, err = d.Open(ctx, th); err != nil {
		t.Fatal(err)
	}
	b := a
	b.ID = 2
	if _, err := d.Reply(ctx, th, b, true); err != nil {
		t.Fatal(err)
	}
	th.Count, th.Posted = 2, 2
	th.Recent = append(th.Recent, wirewatch.ThreadItem{Title: a.Title, Link: "https://evil.example/)](x", Source: "@everyone"})
	if err := d.EditTop(ctx, th); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Messages("")); n != 3 {
		t.Fatalf("%d messages, want the top, the reply and the broadcast", n)
	}
	for _, r := range f.requests("", "/api/v9/channels/") {
		if len(r.Body) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.Path, err)
		}
		// The stand-in already fails a message body without allowed_mentions.
		bads := []string{"@everyone", "@here", "<@&", "<@9", "](https", "**breaking**", "**case**"}
		if strings.HasSuffix(r.Path, "/threads") {
			bads = bads[:4] // a thread's name shows no markdown
		}
		for _, s := range jsonStrings(m) {
			for i, bad := range bads {
				text := s
				if i >= 4 {
					// Link text (a masked link's, a linked embed title)
					// shows no markdown and no escapes: only pings matter.
					text = maskedLink.ReplaceAllString(text, "")
					if linkedTitle(m, s) {
						text = ""
					}
				}
				if unescaped(text, bad) {
					t.Errorf("%s %s: text carries %q unescaped: %q", r.Method, r.Path, bad, s)
				}
			}
		}
	}
}

// maskedLink is a masked link as topContent writes it.
var maskedLink = regexp.MustCompile(`\[[^\n]*?\]\(<https?://[^>\s]*>\)`)

// linkedTitle tells whether s is the title of an embed with a URL in the
// message body m.
func linkedTitle(m map[string]any, s string) bool {
	embeds, _ := m["embeds"].([]any)
	if msg, ok := m["message"].(map[string]any); ok { // a forum post
		embeds, _ = msg["embeds"].([]any)
	}
	for _, e := range embeds {
		e, _ := e.(map[string]any)
		if e["title"] == s && e["url"] != nil && e["url"] != "" {
			return true
		}
	}
	return false
}

func TestPosterBadDestination(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, nil)
	for _, to := range []wirewatch.Destination{"slack:C123", "discord:", "discord:12ab", "stdout"} {
		a := posterAlert(textCh, 1, "x")
		a.To = to
		th := newThread(a)
		if _, err := d.PostTop(ctx, th, a); !wirewatch.Class(err).Permanent {
			t.Errorf("PostTop to %q = %v, want permanent", to, err)
		}
		th.Ref, th.TopRef = textCh, textCh+"/1"
		if _, err := d.Reply(ctx, th, a, false); !wirewatch.Class(err).Permanent {
			t.Errorf("Reply to %q = %v, want permanent", to, err)
		}
	}
	if n := len(f.Requests("", "")); n != 0 {
		t.Errorf("%d requests for bad destinations", n)
	}
}

func TestPostTopForumRequiringTags(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum, RequireTag: true, Tags: []discordgo.ForumTag{
		{ID: "501", Name: "Breaking", Moderated: true},
		{ID: "502", Name: "Court"},
		{ID: "503", Name: "News"},
	}})
	d := f.adapter(t, nil)
	a := posterAlert(forumCh, 1, "Story")
	news, err := d.PostTop(ctx, newThread(a), a)
	if err != nil {
		t.Fatal(err)
	}
	dk := posterAlert(forumCh, 2, "Order")
	dk.Thread = "case:mdd:8:25-cv-00951"
	dk.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951"}
	court, err := d.PostTop(ctx, newThread(dk), dk)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.thread(news.Ref).Tags; len(got) != 1 || got[0] != "503" {
		t.Errorf("news post tags = %v, want [503]", got)
	}
	if got := f.thread(court.Ref).Tags; len(got) != 1 || got[0] != "502" {
		t.Errorf("court post tags = %v, want [502]", got)
	}
}

// A process started right after another spent a channel's bucket (a crash
// mid-burst) meets no 429: message posts wait out the cold start, then
// follow the bucket Discord announces.
func TestRestartMeetsNoSpentBucket(t *testing.T) {
	const window = 300 * time.Millisecond
	f := textFake(t)
	f.SetMessageLimit(3, window)
	burst := func(d *Discord, from uint64) {
		for i := range uint64(3) { // the whole bucket
			a := posterAlert(textCh, from+i, "Story")
			if _, err := d.PostTop(ctx, newThread(a), a); err != nil {
				t.Fatalf("PostTop %d: %v", from+i, err)
			}
		}
	}
	burst(f.adapter(t, nil), 1) // spends the bucket, then the process dies
	if n := f.TooMany(); n != 0 {
		t.Fatalf("the first run met %d 429s, want 0", n)
	}
	burst(f.adapter(t, func(o *Options) { o.ColdStart = window }), 10)
	if n := f.TooMany(); n != 0 {
		t.Errorf("the restarted run met %d 429s, want 0", n)
	}
	if n := len(f.Messages(textCh)); n != 6 {
		t.Errorf("%d messages, want 6", n)
	}

}

// A 429 that says nothing about how long (a proxy's page) still pauses
// the route: the next post waits instead of knocking again at once.
func TestPosterBare429PausesRoute(t *testing.T) {
	f := textFake(t)
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "POST" && r.URL.Path == "/api/v9/channels/"+textCh+"/messages" {
			return 429, nil, `<html>slow down</html>`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "Story")
	_, err := d.PostTop(ctx, newThread(a), a)
	if c := wirewatch.Class(err); err == nil || c.After <= 0 || c.Permanent || c.Hold {
		t.Fatalf("PostTop = %v (%+v), want a retry after a pause", err, c)
	}
	rt, _ := routeOf("POST", "/api/v9/channels/"+textCh+"/messages")
	if wait, _, _ := d.tr.lim.reserve(rt, time.Now()); wait <= 0 {
		t.Errorf("the route is not paused after a bare 429 (wait %s)", wait)
	}
}

// FuzzTopContent: whatever feeds write, a top message and a broadcast line
// fit Discord's limits, are valid UTF-8 where the input was, and ping
// nobody; the first line stays one line.
func FuzzTopContent(f *testing.F) {
	f.Add("Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)", "ORDER granting motion", "https://example.org/a", "Court")
	f.Add("@everyone <@&1> **x**", "||spoiler|| `code` > quote [a](https://e.org)", "https://e.org/)>(<", "@here")
	f.Add(strings.Repeat("Ω", 300), strings.Repeat("é\n", 3000), "", strings.Repeat("𝄞", 500))
	f.Add(`\*\\`, "a\\", "javascript:alert(1)", "\x00")
	f.Fuzz(func(t *testing.T, title, headline, link, source string) {
		th := wirewatch.Thread{Title: title, Latest: headline, Count: 7, Posted: 4, Updated: time.Unix(1795300000, 0)}
		for range wirewatch.RecentItems {
			th.Recent = append(th.Recent, wirewatch.ThreadItem{Title: headline, Link: link, Source: source, Time: time.Unix(1795300000, 0)})
		}
		valid := utf8.ValidString(title + headline + link + source)
		for _, c := range []string{topContent(th, &wirewatch.Alert{Title: headline}), plainLine(title, 200) + " — " + plainLine(headline, 300)} {
			if n := utf8.RuneCountInString(c); n > maxContent {
				t.Fatalf("%d characters", n)
			}
			if valid && !utf8.ValidString(c) {
				t.Fatalf("not valid UTF-8: %q", c)
			}
			if unescaped(c, "@everyone") || unescaped(c, "@here") {
				t.Fatalf("%q can ping", c)
			}
		}
		first, _, _ := strings.Cut(topContent(th, nil), "\n")
		if !strings.HasPrefix(first, "📌 ") || strings.ContainsAny(first, "\r") {
			t.Fatalf("first line %q", first)
		}
	})
}

// Link text shows as written: no backslashes (Discord would show them);
// only what could end the link or form a token is replaced.
func TestLinkText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.): order *granted*", "Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.): order *granted*"},
		{"[VIDEO] Judge rules](https://evil.example)", "(VIDEO) Judge rules)(https://evil.example)"},
		{"<@&123> <t:1:R> a < b", "‹@&123> ‹t:1:R> a < b"},
		{"@everyone\nnow", "@\u200beveryone now"},
	} {
		if got := linkText(tc.in, 200); got != tc.want {
			t.Errorf("linkText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	d := testDiscord(t)
	a := testAlert(textCh, "Abrego Garcia v. Noem, 8:25-cv-00951: ORDER (ECF No. 12)")
	if e := d.alertEmbed(a); strings.Contains(e.Title, `\`) {
		t.Errorf("linked embed title %q carries escapes", e.Title)
	}
	a.Link = ""
	if e := d.alertEmbed(a); !strings.Contains(e.Title, `\`) {
		t.Errorf("unlinked embed title %q is not escaped (markdown applies there)", e.Title)
	}
}

// TestReplyAlsoIn: another outlet of the thread's story is one short
// line in the thread, linking the outlet, with no card and no preview.
func TestReplyAlsoIn(t *testing.T) {
	f := textFake(t)
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "Wire story")
	th := openThread(t, d, a)
	also := posterAlert(textCh, 2, "Wire story")
	also.AlsoIn = []wirewatch.Outlet{{Source: "The [Courier]", Link: "https://courier.example/wire (1)"}}
	if _, err := d.Reply(ctx, th, also, false); err != nil {
		t.Fatal(err)
	}
	in := f.Messages(th.Ref)
	if len(in) != 1 || len(in[0].Embeds) != 0 {
		t.Fatalf("messages in the thread = %+v, want one line without a card", in)
	}
	if want := "Also in [The (Courier)](https://courier.example/wire%20%281%29)"; in[0].Content != want {
		t.Errorf("line = %q, want %q", in[0].Content, want)
	}
}
