package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
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

func mustSend(t *testing.T, d *Discord, a wirewatch.Alert, th wirewatch.Thread) wirewatch.Thread {
	t.Helper()
	got, err := d.Send(context.Background(), a, th)
	if err != nil {
		t.Fatalf("Send(%q): %v", a.Title, err)
	}
	return got
}

func TestSendStartsThreadAndReplies(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	d := f.adapter(t, nil)

	th := mustSend(t, d, testAlert(textCh, "First story"), wirewatch.Thread{})
	posts := f.requests("POST", "/api/v9/channels/"+textCh+"/messages")
	if len(posts) != 2 { // the message, then the thread from it
		t.Fatalf("got %d POSTs under the channel, want 2 (message, thread)", len(posts))
	}
	if posts[0].Auth != "Bot test" {
		t.Errorf("Authorization = %q, want %q", posts[0].Auth, "Bot test")
	}
	var msgID string
	for _, m := range f.Messages("") {
		msgID = m.ID
		if m.Channel != textCh || len(m.Embeds) != 1 || m.Embeds[0].Title != "First story" {
			t.Errorf("top message = %+v, want one embed titled First story in the channel", m)
		}
		if m.Embeds[0].URL != "https://example.org/story" {
			t.Errorf("embed URL = %q", m.Embeds[0].URL)
		}
		if !strings.Contains(m.Embeds[0].Description, "**Abrego Garcia**") || !strings.Contains(m.Embeds[0].Description, "**Xinis**") {
			t.Errorf("description %q lacks the bold terms", m.Embeds[0].Description)
		}
	}
	thread := f.thread(msgID)
	if thread == nil || thread.Parent != textCh || thread.Archive != archiveDay {
		t.Fatalf("thread = %+v, want one from message %s with archive %d", thread, msgID, archiveDay)
	}
	if thread.Name != "Abrego Garcia · Nov 22" { // the dispatcher may give its own title
		t.Errorf("thread name = %q", thread.Name)
	}
	want := wirewatch.Thread{Key: "w1 2026-11-22", Ref: msgID, TopRef: textCh + "/" + msgID, Count: 1, Posted: 1, Latest: "First story", Title: "Abrego Garcia · Nov 22"}
	if th.Key != want.Key || th.Ref != want.Ref || th.TopRef != want.TopRef || th.Count != 1 || th.Posted != 1 || th.Latest != want.Latest || th.Title != want.Title {
		t.Fatalf("thread = %+v, want %+v", th, want)
	}

	th2 := mustSend(t, d, testAlert(textCh, "Second story"), th)
	if th2.Ref != th.Ref || th2.Count != 2 || th2.Posted != 2 || th2.Latest != "Second story" {
		t.Fatalf("second thread = %+v, want same Ref, Count 2, Latest Second story", th2)
	}
	inThread := f.requests("POST", "/api/v9/channels/"+msgID+"/messages")
	if len(inThread) != 1 {
		t.Fatalf("got %d posts in the thread, want 1", len(inThread))
	}
	top := f.content(msgID)
	if !strings.Contains(top, "2 items") || !strings.Contains(top, "Second story") {
		t.Errorf("top message = %q, want a summary with 2 items and the latest headline", top)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages")); n != 2 {
		t.Errorf("the second alert posted in the channel (%d POSTs); it belongs in the thread", n)
	}
}

func TestSendThreadAlreadyExists(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	// The first thread start succeeds at Discord but the answer is lost.
	lost := true
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if lost && strings.HasSuffix(r.URL.Path, "/threads") {
			lost = false
			seg := strings.Split(r.URL.Path, "/")
			f.AddThread(discordtest.Thread{ID: seg[6], Parent: textCh})
			return 503, nil, `{"message":"upstream","code":0}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	a := testAlert(textCh, "Story")
	_, err := d.Send(context.Background(), a, wirewatch.Thread{})
	if err == nil {
		t.Fatal("Send succeeded; want the 503 reported")
	}
	if perm, _ := wirewatch.Classify(err); perm {
		t.Fatalf("503 classified permanent: %v", err)
	}
	// The dispatcher retries with the same (empty) thread.
	th := mustSend(t, d, a, wirewatch.Thread{})
	if n := len(f.Messages("")); n != 1 {
		t.Errorf("got %d messages, want 1: the retry must not post the top message again", n)
	}
	if f.thread(th.Ref) == nil {
		t.Errorf("Ref %q is not the thread", th.Ref)
	}
	if starts := f.requests("POST", "/api/v9/channels/"+textCh+"/messages/"+th.Ref+"/threads"); len(starts) != 2 {
		t.Errorf("got %d thread starts, want 2 (lost, then 160004)", len(starts))
	}
}

func TestSendForumPosts(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum})
	d := f.adapter(t, nil)
	a := testAlert(forumCh, "Forum story")
	a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: "Abrego Garcia v. Noem", EntryNumber: "12", ShortDescription: "ORDER"}
	a.Thread = "mdd 8:25-cv-00951"
	th := mustSend(t, d, a, wirewatch.Thread{})
	posts := f.requests("POST", "/api/v9/channels/"+forumCh+"/threads")
	if len(posts) != 1 {
		t.Fatalf("got %d forum posts, want 1", len(posts))
	}
	post := f.thread(th.Ref)
	if post == nil || post.Parent != forumCh || post.Archive != archiveWeek {
		t.Fatalf("forum post = %+v, want a thread of %s archived after a week", post, forumCh)
	}
	if post.Name != "Abrego Garcia v. Noem, 8:25-cv-00951" {
		t.Errorf("post name = %q", post.Name)
	}
	if th.TopRef != th.Ref+"/"+th.Ref {
		t.Errorf("TopRef = %q, want the starter message inside the post", th.TopRef)
	}
	a.Title = "Second entry"
	th2 := mustSend(t, d, a, th)
	if th2.Ref != th.Ref || th2.Count != 2 {
		t.Fatalf("second = %+v", th2)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+th.Ref+"/messages")); n != 1 {
		t.Errorf("got %d replies in the post, want 1", n)
	}
	if c := f.content(th.Ref); !strings.Contains(c, "2 items") {
		t.Errorf("starter message = %q, want the running summary", c)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+forumCh+"/threads")); n != 1 {
		t.Errorf("got %d forum posts after the reply, want 1", n)
	}
}

func TestSendRateLimited(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
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
	a := testAlert(textCh, "Story")
	_, err := d.Send(context.Background(), a, wirewatch.Thread{})
	perm, after := wirewatch.Classify(err)
	if err == nil || perm || after != 7250*time.Millisecond {
		t.Fatalf("Send = %v (permanent %v, after %s), want retry after 7.25s", err, perm, after)
	}
	before := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages"))
	// Asked again at once, we do not knock on the limited route.
	_, err = d.Send(context.Background(), a, wirewatch.Thread{})
	perm, after = wirewatch.Classify(err)
	if err == nil || perm || after <= 5*time.Second || after > 7250*time.Millisecond {
		t.Fatalf("second Send = %v (after %s), want an immediate retry-after of about 7s", err, after)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+textCh+"/messages")); n != before {
		t.Errorf("the limited route got %d more requests while limited, want none", n-before)
	}
	// Other channels carry on.
	mustSend(t, d, testAlert(otherCh, "Elsewhere"), wirewatch.Thread{})
}

func TestSendGlobalRateLimit(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	f.AddChannel(discordtest.Channel{ID: otherCh, Type: discordgo.ChannelTypeGuildText})
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/messages") {
			return 429, map[string]string{"Retry-After": "30", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"},
				`{"message":"You are being rate limited.","retry_after":30,"global":true}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	if _, err := d.Send(context.Background(), testAlert(textCh, "A"), wirewatch.Thread{}); err == nil {
		t.Fatal("Send succeeded through a global 429")
	}
	n := len(f.Requests("", ""))
	_, err := d.Send(context.Background(), testAlert(otherCh, "B"), wirewatch.Thread{})
	if _, after := wirewatch.Classify(err); err == nil || after < 29*time.Second {
		t.Fatalf("Send to another channel = %v, want held back by the global limit", err)
	}
	if len(f.Requests("", "")) != n {
		t.Errorf("%d requests sent during a global limit, want 0", len(f.Requests("", ""))-n)
	}
}

func TestSendMissingPermissionsHeld(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	f.AddChannel(discordtest.Channel{ID: otherCh, Type: discordgo.ChannelTypeGuildText})
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if r.Method == "POST" && r.URL.Path == "/api/v9/channels/"+textCh+"/messages" {
			return 403, nil, `{"message":"Missing Permissions","code":50013}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	_, err := d.Send(context.Background(), testAlert(textCh, "Story"), wirewatch.Thread{})
	if c := wirewatch.Class(err); !c.Hold || c.Permanent {
		t.Fatalf("Send = %v, want held, not permanent (people fix permissions)", err)
	}
	if !strings.Contains(err.Error(), "Missing Permissions") || !strings.Contains(err.Error(), "50013") || !strings.Contains(err.Error(), textCh) {
		t.Errorf("error %q should name the reason, code and channel", err)
	}
	n := len(f.requests("POST", "/api/v9/channels/"+textCh))
	_, err = d.Send(context.Background(), testAlert(textCh, "Another"), wirewatch.Thread{})
	if c := wirewatch.Class(err); !c.Hold {
		t.Fatalf("second Send = %v, want held", err)
	}
	if m := len(f.requests("POST", "/api/v9/channels/"+textCh)); m != n {
		t.Errorf("a refused channel got %d more requests, want none until the pause ends", m-n)
	}
	mustSend(t, d, testAlert(otherCh, "Elsewhere"), wirewatch.Thread{})
}

func TestSendPermanentErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		permanent bool
		hold      bool
	}{
		{"unknown channel", 404, `{"message":"Unknown Channel","code":10003}`, true, false},
		{"missing access", 403, `{"message":"Missing Access","code":50001}`, false, true},
		{"invalid form", 400, `{"message":"Invalid Form Body","code":50035}`, true, false},
		{"server error", 500, `{"message":"Internal Server Error","code":0}`, false, false},
		{"bad gateway", 502, `<html>bad gateway</html>`, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
			f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
				if r.Method == "POST" {
					return tc.status, nil, tc.body, true
				}
				return 0, nil, "", false
			})
			d := f.adapter(t, nil)
			_, err := d.Send(context.Background(), testAlert(textCh, "Story"), wirewatch.Thread{})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if c := wirewatch.Class(err); c.Permanent != tc.permanent || c.Hold != tc.hold {
				t.Errorf("permanent, hold = %v, %v, want %v, %v (%v)", c.Permanent, c.Hold, tc.permanent, tc.hold, err)
			}
		})
	}
}

func TestSendBadTokenStops(t *testing.T) {
	f := newFake(t)
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		return 401, nil, `{"message":"401: Unauthorized","code":0}`, true
	})
	d := f.adapter(t, nil)
	for range 3 {
		_, err := d.Send(context.Background(), testAlert(textCh, "Story"), wirewatch.Thread{})
		if c := wirewatch.Class(err); !c.Auth || c.Permanent {
			t.Fatalf("Send = %v, want Auth (all Discord alerts held), not permanent", err)
		}
		if strings.Contains(err.Error(), "test") && strings.Contains(err.Error(), "Bot") {
			t.Errorf("error %q shows the token", err)
		}
	}
	if len(f.Requests("", "")) != 1 {
		t.Errorf("got %d requests with a refused token, want 1", len(f.Requests("", "")))
	}
}

func TestSendQuiet(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	d := f.adapter(t, nil)
	q := testAlert(textCh, "Notice of appearance")
	q.Quiet = true
	th, err := d.Send(context.Background(), q, wirewatch.Thread{})
	if err != nil || th.Count != 1 || th.Posted != 0 || th.Ref != "" {
		t.Fatalf("quiet without thread = %+v, %v; want Count 1, nothing posted", th, err)
	}
	if len(f.Requests("", "")) != 0 {
		t.Fatalf("a quiet alert without a thread made %d requests, want 0", len(f.Requests("", "")))
	}
	th = mustSend(t, d, testAlert(textCh, "Order"), th)
	if th.Count != 2 || th.Posted != 1 {
		t.Fatalf("after a posted alert: %+v, want Count 2, Posted 1", th)
	}
	n := len(f.requests("POST", ""))
	th = mustSend(t, d, q, th)
	if m := len(f.requests("POST", "")); m != n {
		t.Errorf("a quiet alert posted %d messages, want 0", m-n)
	}
	top := f.content(th.Ref)
	if th.Count != 3 || !strings.Contains(top, "3 items") || !strings.Contains(top, "2 routine") {
		t.Errorf("top = %q (Count %d), want 3 items, 2 routine", top, th.Count)
	}
}

func TestSendReplacesDeletedThread(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	d := f.adapter(t, nil)
	th := mustSend(t, d, testAlert(textCh, "One"), wirewatch.Thread{})
	th = mustSend(t, d, testAlert(textCh, "Two"), th)
	f.setThread(th.Ref, func(th *discordtest.Thread) { th.Deleted = true })

	th2 := mustSend(t, d, testAlert(textCh, "Three"), th)
	if th2.Ref == th.Ref || th2.Ref == "" || f.thread(th2.Ref) == nil {
		t.Fatalf("Ref = %q, want a new thread in place of deleted %q", th2.Ref, th.Ref)
	}
	if th2.Count != 1 || th2.Posted != 1 {
		t.Errorf("new thread counts %d/%d, want 1/1", th2.Count, th2.Posted)
	}
	if m := f.message(th2.Ref); m == nil || m.Channel != textCh || m.Embeds[0].Title != "Three" {
		t.Errorf("new top message = %+v, want alert Three in the channel", m)
	}

	// A deleted top message also gets a new thread, not a loose post.
	f.DeleteMessage(th2.Ref)
	th3 := mustSend(t, d, testAlert(textCh, "Four"), th2)
	if th3.Ref == th2.Ref || f.thread(th3.Ref) == nil {
		t.Errorf("Ref = %q after the top message was deleted, want a new thread", th3.Ref)
	}
}

func TestSendReopensArchivedThread(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	d := f.adapter(t, nil)
	th := mustSend(t, d, testAlert(textCh, "One"), wirewatch.Thread{})
	f.setThread(th.Ref, func(th *discordtest.Thread) { th.Archived = true })
	th2 := mustSend(t, d, testAlert(textCh, "Two"), th)
	if th2.Ref != th.Ref || f.thread(th.Ref).Archived {
		t.Fatalf("Ref %q → %q, archived %v; want the same thread reopened", th.Ref, th2.Ref, f.thread(th.Ref).Archived)
	}
	if n := len(f.requests("POST", "/api/v9/channels/"+th.Ref+"/messages")); n != 1 {
		t.Errorf("got %d posts in the thread, want 1 (posting reopens it)", n)
	}
}

func TestSendNoPings(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	d := f.adapter(t, nil)
	a := testAlert(textCh, "@everyone <@&123456> **breaking** [click](https://evil.example)")
	a.Summary = "@here <@987654> `code` > quote"
	a.Watches = []string{"@everyone"}
	th := mustSend(t, d, a, wirewatch.Thread{})
	th = mustSend(t, d, a, th)
	for _, r := range f.requests("", "/api/v9/channels/") {
		if len(r.Body) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.Path, err)
		}
		if !strings.HasSuffix(r.Path, "/threads") || strings.HasSuffix(r.Path, "/"+forumCh+"/threads") {
			// Every message body (not a thread start from a message).
			am, ok := m["allowed_mentions"].(map[string]any)
			if p, isList := am["parse"].([]any); !ok || !isList || len(p) != 0 {
				t.Errorf("%s %s: allowed_mentions = %v, want parse []", r.Method, r.Path, m["allowed_mentions"])
			}
		}
		for _, s := range jsonStrings(m) {
			for _, bad := range []string{"@everyone", "@here", "<@&", "<@9", "](https", "**breaking**"} {
				if unescaped(s, bad) {
					t.Errorf("%s %s: text carries %q unescaped: %q", r.Method, r.Path, bad, s)
				}
			}
		}
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

func TestSendIntoThreadChannel(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	f.AddThread(discordtest.Thread{ID: "700", Parent: textCh})
	d := f.adapter(t, nil)
	// A watch added inside a thread delivers to the thread: no nesting.
	th := mustSend(t, d, testAlert("700", "One"), wirewatch.Thread{})
	if th.Ref != "700" || !strings.HasPrefix(th.TopRef, "700/") {
		t.Fatalf("thread = %+v, want the thread channel itself", th)
	}
	th = mustSend(t, d, testAlert("700", "Two"), th)
	if n := len(f.requests("POST", "/api/v9/channels/700/messages")); n != 2 {
		t.Errorf("got %d posts in the thread, want 2", n)
	}
	if n := len(f.requests("POST", "/api/v9/channels/700/messages/")); n != 0 {
		t.Errorf("tried to start %d threads inside a thread", n)
	}
}

func TestSendWithoutThreadPermission(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: textCh, Type: discordgo.ChannelTypeGuildText})
	f.SetFail(func(r *http.Request, body []byte) (int, map[string]string, string, bool) {
		if strings.HasSuffix(r.URL.Path, "/threads") {
			return 403, nil, `{"message":"Missing Permissions","code":50013}`, true
		}
		return 0, nil, "", false
	})
	d := f.adapter(t, nil)
	// The top message is out; without thread rights the alert counts as
	// delivered and later alerts go to the channel, not to the parking lot.
	th := mustSend(t, d, testAlert(textCh, "One"), wirewatch.Thread{})
	if th.Ref != textCh {
		t.Fatalf("Ref = %q, want the channel itself", th.Ref)
	}
	th = mustSend(t, d, testAlert(textCh, "Two"), th)
	if n := len(f.Messages("")); n != 2 || th.Count != 2 {
		t.Errorf("got %d messages, count %d; want 2, 2", n, th.Count)
	}
}

func TestSendBadDestination(t *testing.T) {
	f := newFake(t)
	d := f.adapter(t, nil)
	for _, to := range []wirewatch.Destination{"slack:C123", "discord:", "discord:12ab", "stdout"} {
		a := testAlert(textCh, "x")
		a.To = to
		_, err := d.Send(context.Background(), a, wirewatch.Thread{})
		if perm, _ := wirewatch.Classify(err); !perm {
			t.Errorf("Send to %q = %v, want permanent", to, err)
		}
	}
	if len(f.Requests("", "")) != 0 {
		t.Errorf("%d requests for bad destinations", len(f.Requests("", "")))
	}
}

func TestSendQuietInArchivedForumPost(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum})
	d := f.adapter(t, nil)
	th := mustSend(t, d, testAlert(forumCh, "One"), wirewatch.Thread{})
	// Discord (and the stand-in) refuse edits inside an archived thread.
	f.setThread(th.Ref, func(th *discordtest.Thread) { th.Archived = true })
	q := testAlert(forumCh, "Notice")
	q.Quiet = true
	th2, err := d.Send(context.Background(), q, th)
	if err != nil || th2.Count != 2 || th2.Ref != th.Ref {
		t.Fatalf("quiet alert in an archived post = %+v, %v; want counted, no error", th2, err)
	}
	th3 := mustSend(t, d, testAlert(forumCh, "Two"), th2)
	if th3.Ref != th.Ref || f.thread(th.Ref).Archived {
		t.Errorf("post not reopened: Ref %q, archived %v", th3.Ref, f.thread(th.Ref).Archived)
	}
	if c := f.content(th.Ref); !strings.Contains(c, "3 items") {
		t.Errorf("starter message = %q, want the summary refreshed after reopening", c)
	}
}

func TestSendForumRequiringTags(t *testing.T) {
	f := newFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum, RequireTag: true, Tags: []discordgo.ForumTag{
		{ID: "501", Name: "Breaking", Moderated: true},
		{ID: "502", Name: "Court"},
		{ID: "503", Name: "News"},
	}})
	d := f.adapter(t, nil)
	news := mustSend(t, d, testAlert(forumCh, "Story"), wirewatch.Thread{})
	dk := testAlert(forumCh, "Order")
	dk.Thread = "mdd 8:25-cv-00951"
	dk.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951"}
	court := mustSend(t, d, dk, wirewatch.Thread{})
	if got := f.thread(news.Ref).Tags; len(got) != 1 || got[0] != "503" {
		t.Errorf("news post tags = %v, want [503]", got)
	}
	if got := f.thread(court.Ref).Tags; len(got) != 1 || got[0] != "502" {
		t.Errorf("court post tags = %v, want [502]", got)
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
