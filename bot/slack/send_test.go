package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
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
		BotToken:      f.token,
		AppToken:      f.appToken,
		SigningSecret: "shh-signing-secret",
		TimeZone:      time.UTC,
		HTTPClient:    hc,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	// Pacing is tested on fake time (inBubble); here it only slows tests.
	s.pace = newPacer(time.Millisecond, 100)
	tb.Cleanup(func() {
		s.Close()
		for _, tok := range []string{f.token, f.appToken, "shh-signing-secret"} {
			if strings.Contains(logs.String(), tok) {
				tb.Errorf("log shows a secret:\n%s", logs.String())
			}
		}
	})
	return s
}

// dispatcher plays the lead's dispatcher: it keeps threads by key and
// passes them to Send.
type dispatcher struct {
	s       *Slack
	threads map[string]wirewatch.Thread
}

func (d *dispatcher) send(ctx context.Context, a wirewatch.Alert) error {
	k := string(a.To) + " " + a.Thread
	th, err := d.s.Send(ctx, a, d.threads[k])
	if err == nil {
		d.threads[k] = th
	}
	return err
}

func alert(ch, key, title string) wirewatch.Alert {
	return wirewatch.Alert{
		To:        wirewatch.Destination("slack:" + ch),
		Watches:   []string{"Abrego Garcia"},
		Thread:    key,
		Title:     title,
		Link:      "https://news.example/" + strings.ReplaceAll(title, " ", "-"),
		Source:    "Example News",
		Published: time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC),
		Summary:   "Judge Xinis ruled on Abrego García today.",
		Terms:     []string{"Abrego Garcia", "Xinis"},
	}
}

// inBubble runs f inside a synctest bubble with the fake served over
// in-memory connections, so that pacing runs on fake time.
func inBubble(t *testing.T, f func(t *testing.T, fk *fakeSlack, s *Slack, logs *syncBuffer)) {
	synctest.Test(t, func(t *testing.T) {
		fk := newFakeSlack(t)
		pn := newPipeNet(fk)
		logs := &syncBuffer{}
		s := New(Options{APIURL: "http://slack.test/api/", BotToken: fk.token, HTTPClient: pn.client,
			Logger: slog.New(slog.NewTextHandler(logs, nil))})
		t.Cleanup(func() {
			s.Close()
			pn.shutdown()
			if strings.Contains(logs.String(), fk.token) {
				t.Errorf("log shows the token:\n%s", logs.String())
			}
		})
		f(t, fk, s, logs)
	})
}

// unJSON undoes JSON's escapes of <, > and &.
var unJSON = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

func titles(t *testing.T, m fakeMsg) string {
	t.Helper()
	var bl slack.Blocks
	if err := json.Unmarshal([]byte(m.Blocks), &bl); err != nil {
		t.Fatalf("blocks of %s: %v", m.TS, err)
	}
	return unJSON.Replace(m.Blocks)
}

func TestSendBurstLandsInThreads(t *testing.T) {
	inBubble(t, func(t *testing.T, fk *fakeSlack, s *Slack, _ *syncBuffer) {
		fk.channel("C1")
		d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
		start := time.Now()
		var posted []time.Time
		for i := range 40 {
			key := "w1 2026-11-22"
			if i%10 == 9 {
				key = "w2 2026-11-22"
			}
			if err := d.send(t.Context(), alert("C1", key, fmt.Sprintf("Story %02d", i))); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			posted = append(posted, time.Now())
		}

		msgs := fk.Messages("C1")
		if len(msgs) != 40 {
			t.Fatalf("got %d messages, want 40", len(msgs))
		}
		var tops []fakeMsg
		for _, m := range msgs {
			if m.ThreadTS == "" {
				tops = append(tops, m)
			}
		}
		if len(tops) != 2 {
			t.Fatalf("got %d top-level posts, want 2 (one per thread key)", len(tops))
		}
		// Every item exactly once.
		for i := range 40 {
			title := fmt.Sprintf("Story %02d", i)
			n := 0
			for _, m := range msgs {
				n += strings.Count(titles(t, m), "|"+title+">*") // the title, bold, in its card
			}
			if n != 1 {
				t.Errorf("%s appears in %d posts, want 1", title, n)
			}
		}
		// Replies sit under the top of their key.
		th1 := d.threads["slack:C1 w1 2026-11-22"]
		th2 := d.threads["slack:C1 w2 2026-11-22"]
		if th1.Count != 36 || th1.Posted != 36 || th2.Count != 4 {
			t.Errorf("got counts %d/%d and %d, want 36/36 and 4", th1.Count, th1.Posted, th2.Count)
		}
		for _, m := range msgs {
			if m.ThreadTS != "" && m.ThreadTS != th1.Ref && m.ThreadTS != th2.Ref {
				t.Errorf("reply %s under %s, not a thread top", m.TS, m.ThreadTS)
			}
		}
		// The top message keeps its first card and a running summary.
		top := fk.msg(th1.Ref)
		if !strings.Contains(top.Blocks, "Story 00") {
			t.Errorf("top message lost its first card: %s", top.Blocks)
		}
		if !strings.Contains(top.Attachments, "36 items") || !strings.Contains(unJSON.Replace(top.Attachments), "latest: <https://news.example/Story-38|Story 38>") {
			t.Errorf("top summary = %s, want 36 items and latest Story 38", top.Attachments)
		}
		if n := len(fk.Calls("chat.update")); n != 38 {
			t.Errorf("got %d chat.update calls, want 38 (one per reply)", n)
		}
		// Pacing: a burst of 3, then one a second.
		for i := 3; i < len(posted); i++ {
			if gap := posted[i].Sub(posted[i-3]); gap < time.Second {
				t.Errorf("posts %d and %d are %v apart, want ≥ 1s", i-3, i, gap)
			}
		}
		if took := time.Since(start); took < 37*time.Second || took > 40*time.Second {
			t.Errorf("40 posts took %v of fake time, want about 37s", took)
		}
		for _, c := range fk.Calls("chat.postMessage") {
			if c.Form.Get("unfurl_links") != "false" || c.Form.Get("unfurl_media") != "false" {
				t.Errorf("post unfurls: unfurl_links=%q unfurl_media=%q", c.Form.Get("unfurl_links"), c.Form.Get("unfurl_media"))
			}
		}
	})
}

func TestSend429DelaysOnlyItsChannel(t *testing.T) {
	inBubble(t, func(t *testing.T, fk *fakeSlack, s *Slack, _ *syncBuffer) {
		fk.channel("C1")
		fk.channel("C2")
		fk.inject("chat.postMessage", "C1", fault{Status: 429, RetryAfter: "30"})
		start := time.Now()

		_, err := s.Send(t.Context(), alert("C1", "k", "One"), wirewatch.Thread{})
		perm, after := wirewatch.Classify(err)
		if err == nil || perm || after != 30*time.Second {
			t.Fatalf("got err %v (permanent %v, after %v), want retry after 30s", err, perm, after)
		}
		if time.Since(start) != 0 {
			t.Errorf("Send waited %v on a 429; the dispatcher does the waiting", time.Since(start))
		}

		// C1 is held for 30 s; C2 goes on meanwhile.
		c1 := make(chan time.Time)
		go func() {
			if _, err := s.Send(context.Background(), alert("C1", "k", "One"), wirewatch.Thread{}); err != nil {
				t.Errorf("C1 retry: %v", err)
			}
			c1 <- time.Now()
		}()
		for i := range 3 {
			if _, err := s.Send(t.Context(), alert("C2", fmt.Sprint(i), "Two"), wirewatch.Thread{}); err != nil {
				t.Fatalf("C2: %v", err)
			}
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("C2 posts took %v, want no wait behind C1's 429", d)
		}
		if d := (<-c1).Sub(start); d < 30*time.Second {
			t.Errorf("C1 posted again after %v, want ≥ 30s", d)
		}
		if n := len(fk.Messages("C1")); n != 1 {
			t.Errorf("C1 has %d messages, want 1", n)
		}
	})
}

func TestSendRetryableErrors(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
	for _, ft := range []fault{
		{Status: 500},
		{Status: 503},
		{Status: 429}, // no Retry-After
		{Code: "internal_error"},
		{Code: "ratelimited"},
	} {
		fk.inject("chat.postMessage", "C1", ft)
		err := d.send(t.Context(), alert("C1", "k", "Retry me"))
		if perm, _ := wirewatch.Classify(err); err == nil || perm {
			t.Errorf("%+v: got %v, want a retryable error", ft, err)
		}
	}
	if err := d.send(t.Context(), alert("C1", "k", "Retry me")); err != nil {
		t.Fatalf("after faults: %v", err)
	}
	if n := len(fk.Messages("C1")); n != 1 {
		t.Errorf("got %d messages, want the item exactly once", n)
	}
}

func TestSendPermanentErrors(t *testing.T) {
	cases := []struct {
		name  string
		setup func(fk *fakeSlack)
		code  string
	}{
		{"unknown channel", func(fk *fakeSlack) {}, "channel_not_found"},
		{"archived", func(fk *fakeSlack) { fk.channel("C1").Archived = true }, "is_archived"},
		{"bad token", func(fk *fakeSlack) { fk.channel("C1"); fk.token = "xoxb-other" }, "invalid_auth"},
		{"private, not a member", func(fk *fakeSlack) {
			c := fk.channel("C1")
			c.Member, c.Private = false, true
		}, "not_in_channel"},
	}
	for _, code := range []string{"account_inactive", "token_revoked", "missing_scope", "restricted_action", "invalid_blocks"} {
		cases = append(cases, struct {
			name  string
			setup func(fk *fakeSlack)
			code  string
		}{code, func(fk *fakeSlack) {
			fk.channel("C1")
			fk.inject("chat.postMessage", "C1", fault{Code: code}, fault{Code: code})
		}, code})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fk := newFakeSlack(t)
			apiURL := fk.startHTTP(t)
			logs := &syncBuffer{}
			s := mustSlack(t, fk, apiURL, nil, logs)
			tc.setup(fk)
			for range 2 {
				_, err := s.Send(t.Context(), alert("C1", "k", "Parked"), wirewatch.Thread{})
				perm, _ := wirewatch.Classify(err)
				if !perm || codeOf(err) != tc.code {
					t.Fatalf("got %v (permanent %v, code %q), want permanent %s", err, perm, codeOf(err), tc.code)
				}
			}
			if n := strings.Count(logs.String(), "refuses alerts"); n != 1 {
				t.Errorf("failure logged %d times, want once:\n%s", n, logs)
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

func TestSendJoinsPublicChannel(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1").Member = false
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	if _, err := s.Send(t.Context(), alert("C1", "k", "Hello"), wirewatch.Thread{}); err != nil {
		t.Fatalf("send: %v", err)
	}
	if n := len(fk.Calls("conversations.join")); n != 1 {
		t.Errorf("got %d joins, want 1", n)
	}
	if n := len(fk.Messages("C1")); n != 1 {
		t.Errorf("got %d messages, want 1", n)
	}
}

func TestSendTopMessageGone(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
	const key = "slack:C1 k"
	for _, title := range []string{"First", "Second"} {
		if err := d.send(t.Context(), alert("C1", "k", title)); err != nil {
			t.Fatal(err)
		}
	}
	old := d.threads[key].Ref
	fk.delete(old)

	// Slack posts the reply at the root: it becomes the new top.
	if err := d.send(t.Context(), alert("C1", "k", "Third")); err != nil {
		t.Fatal(err)
	}
	th := d.threads[key]
	if th.Ref == old || th.Ref == "" || th.Count != 1 {
		t.Fatalf("got thread %+v, want a new thread of 1 item", th)
	}
	top := fk.msg(th.Ref)
	if top.ThreadTS != "" || !strings.Contains(top.Attachments, "1 item") || !strings.Contains(top.Blocks, "🧵") {
		t.Errorf("new top = %+v, want a top message with subject and summary", top)
	}
	if err := d.send(t.Context(), alert("C1", "k", "Fourth")); err != nil {
		t.Fatal(err)
	}
	var loose int
	for _, m := range fk.Messages("C1") {
		if m.ThreadTS == "" {
			loose++
		}
	}
	if loose != 1 || fk.Messages("C1")[len(fk.Messages("C1"))-1].ThreadTS != th.Ref {
		t.Errorf("got %d root posts and the last reply outside the new thread; want 1 and inside", loose)
	}

	// chat.update answering message_not_found: the next alert starts anew.
	fk.inject("chat.update", "C1", fault{Code: "message_not_found"})
	if err := d.send(t.Context(), alert("C1", "k", "Fifth")); err != nil {
		t.Fatal(err)
	}
	if d.threads[key].Ref != "" {
		t.Fatalf("got Ref %q after the top vanished, want empty", d.threads[key].Ref)
	}
	if err := d.send(t.Context(), alert("C1", "k", "Sixth")); err != nil {
		t.Fatal(err)
	}
	if last := fk.Messages("C1")[len(fk.Messages("C1"))-1]; last.ThreadTS != "" || last.TS != d.threads[key].Ref {
		t.Errorf("Sixth = %+v, want the top of a new thread", last)
	}
}

func TestSendUpdateFailureKeepsReply(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
	if err := d.send(t.Context(), alert("C1", "k", "First")); err != nil {
		t.Fatal(err)
	}
	fk.inject("chat.update", "C1", fault{Status: 500})
	if err := d.send(t.Context(), alert("C1", "k", "Second")); err != nil {
		t.Fatalf("got %v, want success: the reply was posted", err)
	}
	if th := d.threads["slack:C1 k"]; th.Count != 2 || th.Ref == "" {
		t.Errorf("got %+v, want 2 items in the same thread", th)
	}
	if n := len(fk.Messages("C1")); n != 2 {
		t.Errorf("got %d messages, want 2", n)
	}
}

func TestSendQuiet(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
	q := alert("C1", "k", "Notice of appearance")
	q.Quiet = true
	if err := d.send(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	if n := len(fk.Calls("chat.postMessage")) + len(fk.Calls("chat.update")); n != 0 {
		t.Fatalf("quiet alert without a thread made %d calls, want 0", n)
	}
	if th := d.threads["slack:C1 k"]; th.Count != 1 || th.Posted != 0 || th.Ref != "" {
		t.Fatalf("got %+v, want Count 1, nothing posted", th)
	}
	if err := d.send(t.Context(), alert("C1", "k", "Order granting motion")); err != nil {
		t.Fatal(err)
	}
	if err := d.send(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	th := d.threads["slack:C1 k"]
	if th.Count != 3 || th.Posted != 1 {
		t.Errorf("got Count %d Posted %d, want 3 and 1", th.Count, th.Posted)
	}
	if n := len(fk.Messages("C1")); n != 1 {
		t.Errorf("got %d messages, want 1", n)
	}
	if top := fk.msg(th.Ref); !strings.Contains(top.Attachments, "3 items (2 routine, not posted)") {
		t.Errorf("summary = %s, want 3 items with 2 routine", top.Attachments)
	}
}

// TestSendMentionInjection sends hostile feed text and checks that nothing
// Slack would turn into a mention or a forged link reaches it.
func TestSendMentionInjection(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
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
	for range 2 { // a top message and a reply with its update
		if err := d.send(t.Context(), hostile); err != nil {
			t.Fatal(err)
		}
	}
	var fields []string
	for _, c := range fk.calls {
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

func TestSendLimits(t *testing.T) {
	fk := newFakeSlack(t)
	fk.channel("C1")
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	d := &dispatcher{s: s, threads: map[string]wirewatch.Thread{}}
	a := alert("C1", "k", strings.Repeat("Très long titre & <b> ", 5000))
	a.Summary = strings.Repeat("日本語の長い要約 & more <text> ", 50000)
	a.Source = strings.Repeat("S", 10000)
	for i := range 300 {
		a.Watches = append(a.Watches, fmt.Sprintf("watch %d %s", i, strings.Repeat("&", 50)))
	}
	a.Terms = []string{"more"}
	a.Docket = &wirewatch.Docket{Court: "mdd", Number: "8:25-cv-00951", CaseName: strings.Repeat("Abrego Garcia v. Noem ", 1000),
		ShortDescription: strings.Repeat("ORDER ", 5000), DocumentURL: "https://ecf.example/doc/" + strings.Repeat("x", 5000)}
	for range 2 {
		if err := d.send(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range append(fk.Calls("chat.postMessage"), fk.Calls("chat.update")...) {
		if n := utf8.RuneCountInString(c.Form.Get("text")); n > maxMessageText || n == 0 {
			t.Errorf("text has %d runes, want 1..%d", n, maxMessageText)
		}
		if !utf8.ValidString(c.Form.Get("text")) {
			t.Errorf("text is not valid UTF-8")
		}
		if b := c.Form.Get("blocks"); b != "" {
			var bl slack.Blocks
			if err := json.Unmarshal([]byte(b), &bl); err != nil {
				t.Fatal(err)
			}
			if len(bl.BlockSet) > maxBlocks {
				t.Errorf("got %d blocks, want ≤ %d", len(bl.BlockSet), maxBlocks)
			}
			for _, blk := range bl.BlockSet {
				for _, txt := range blockTexts(blk) {
					if n := utf8.RuneCountInString(txt); n > maxTextObject || n == 0 {
						t.Errorf("text object has %d runes, want 1..%d", n, maxTextObject)
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

func TestSendNetworkErrorHidesToken(t *testing.T) {
	fk := newFakeSlack(t)
	// Nothing listens there.
	s := mustSlack(t, fk, "http://127.0.0.1:1/api/", nil, nil)
	_, err := s.Send(t.Context(), alert("C1", "k", "x"), wirewatch.Thread{})
	if perm, _ := wirewatch.Classify(err); err == nil || perm {
		t.Fatalf("got %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), fk.token) {
		t.Errorf("error shows the token: %v", err)
	}
	if got := s.scrub("token=xoxb-123-456-abc and xapp-1-A1-xyz"); strings.Contains(got, "xoxb-123") || strings.Contains(got, "xapp-1-A1") {
		t.Errorf("scrub left a token: %s", got)
	}
}

func TestSendWrongDestination(t *testing.T) {
	s := New(Options{})
	_, err := s.Send(t.Context(), wirewatch.Alert{To: "discord:1"}, wirewatch.Thread{})
	if perm, _ := wirewatch.Classify(err); !perm {
		t.Errorf("got %v, want permanent", err)
	}
}
