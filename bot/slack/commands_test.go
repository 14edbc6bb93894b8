package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// fakeCommander records the commands it is given and answers with reply;
// with gate set, it waits for the gate before answering.
type fakeCommander struct {
	mu    sync.Mutex
	cmds  []wirewatch.Command
	reply string
	gate  chan struct{}
	got   chan struct{}
}

func newFakeCommander(reply string) *fakeCommander {
	return &fakeCommander{reply: reply, got: make(chan struct{}, 100)}
}

func (c *fakeCommander) Command(ctx context.Context, cmd wirewatch.Command) wirewatch.Reply {
	c.mu.Lock()
	c.cmds = append(c.cmds, cmd)
	c.mu.Unlock()
	c.got <- struct{}{}
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return wirewatch.Reply{Text: "cancelled"}
		}
	}
	return wirewatch.Reply{Text: c.reply + " (" + cmd.Verb + " " + cmd.Arg + ")"}
}

func (c *fakeCommander) Watches(context.Context, wirewatch.Destination) []wirewatch.Watch { return nil }

func (c *fakeCommander) commands() []wirewatch.Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]wirewatch.Command(nil), c.cmds...)
}

// Slack's published example (docs.slack.dev/authentication/verifying-requests-from-slack).
func TestSignSlackExample(t *testing.T) {
	const (
		secret = "8f742231b10e8888abcd99yyyzzz85a5"
		ts     = "1531420618"
		body   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
		want   = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	)
	if got := sign(secret, ts, []byte(body)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", want)
	if err := verify(secret, h, []byte(body), time.Unix(1531420618+60, 0)); err != nil {
		t.Errorf("verify at the example's time + 1 min: %v", err)
	}
	if err := verify(secret, h, []byte(body), time.Now()); !errors.Is(err, ErrStaleTimestamp) {
		t.Errorf("verify now: got %v, want %v", err, ErrStaleTimestamp)
	}
}

const testSecret = "shh-signing-secret"

// signed builds a slash-command request signed at ts.
func signed(t *testing.T, form url.Values, ts time.Time) *http.Request {
	t.Helper()
	body := form.Encode()
	r := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sec := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set("X-Slack-Request-Timestamp", sec)
	r.Header.Set("X-Slack-Signature", sign(testSecret, sec, []byte(body)))
	return r
}

func commandForm(text, responseURL string) url.Values {
	return url.Values{
		"token": {"deprecated"}, "team_id": {"T1"}, "channel_id": {"C0123456789"}, "channel_name": {"news"},
		"user_id": {"U42"}, "user_name": {"reporter"}, "command": {"/watch"}, "text": {text},
		"response_url": {responseURL}, "trigger_id": {"1.2.3"},
	}
}

type ephemeral struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

func decodeReply(t *testing.T, w *httptest.ResponseRecorder) ephemeral {
	t.Helper()
	if w.Code != 200 {
		t.Fatalf("got status %d, want 200: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("got Content-Type %q, want application/json", ct)
	}
	var e ephemeral
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	if e.ResponseType != "ephemeral" {
		t.Errorf("got response_type %q, want ephemeral", e.ResponseType)
	}
	return e
}

func TestCommandsHandler(t *testing.T) {
	fk := newFakeSlack(t)
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	c := newFakeCommander("<!channel> Added watch w1 & co")
	h := s.CommandsHandler(c)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, commandForm(`add "Abrego Garcia" OR Xinis`, "https://hooks.slack.com/commands/T1/1/x"), time.Now()))
	e := decodeReply(t, w)
	if want := "&lt;!channel&gt; Added watch w1 &amp; co (add \"Abrego Garcia\" OR Xinis)"; e.Text != want {
		t.Errorf("got text %q, want %q", e.Text, want)
	}
	cmds := c.commands()
	if len(cmds) != 1 {
		t.Fatalf("got %d commands, want 1", len(cmds))
	}
	want := wirewatch.Command{Verb: "add", Arg: `"Abrego Garcia" OR Xinis`, Channel: "slack:C0123456789",
		User: "reporter (U42)", MayManageFeeds: true}
	if cmds[0] != want {
		t.Errorf("got %+v, want %+v", cmds[0], want)
	}
}

func TestCommandsHandlerRejects(t *testing.T) {
	fk := newFakeSlack(t)
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	c := newFakeCommander("ok")
	h := s.CommandsHandler(c)
	form := commandForm("add acme", "https://hooks.slack.com/x")

	cases := []struct {
		name string
		req  func() *http.Request
		code int
	}{
		{"tampered body", func() *http.Request {
			r := signed(t, form, time.Now())
			r2 := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(strings.Replace(form.Encode(), "acme", "evil", 1)))
			r2.Header = r.Header
			return r2
		}, 401},
		{"stale timestamp", func() *http.Request { return signed(t, form, time.Now().Add(-6*time.Minute)) }, 401},
		{"future timestamp", func() *http.Request { return signed(t, form, time.Now().Add(6*time.Minute)) }, 401},
		{"missing signature", func() *http.Request {
			r := signed(t, form, time.Now())
			r.Header.Del("X-Slack-Signature")
			return r
		}, 401},
		{"missing timestamp", func() *http.Request {
			r := signed(t, form, time.Now())
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, 401},
		{"signature without v0=", func() *http.Request {
			r := signed(t, form, time.Now())
			r.Header.Set("X-Slack-Signature", strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
			return r
		}, 401},
		{"non-numeric timestamp", func() *http.Request {
			r := signed(t, form, time.Now())
			r.Header.Set("X-Slack-Request-Timestamp", "soon")
			return r
		}, 401},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/slack/commands", nil) }, 405},
		{"huge body", func() *http.Request {
			return signed(t, url.Values{"text": {strings.Repeat("a", maxCommandBody)}}, time.Now())
		}, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, tc.req())
			if w.Code != tc.code {
				t.Errorf("got %d, want %d", w.Code, tc.code)
			}
		})
	}
	if n := len(c.commands()); n != 0 {
		t.Errorf("refused requests ran %d commands, want 0", n)
	}

	// Without a signing secret nothing is accepted.
	s2 := New(Options{})
	w := httptest.NewRecorder()
	s2.CommandsHandler(c).ServeHTTP(w, signed(t, form, time.Now()))
	if w.Code != 401 || len(c.commands()) != 0 {
		t.Errorf("no secret: got %d and %d commands, want 401 and none", w.Code, len(c.commands()))
	}
}

func TestCommandsHandlerParseErrorAndAdmins(t *testing.T) {
	fk := newFakeSlack(t)
	s := New(Options{SigningSecret: testSecret, Admins: []string{"U1"}, APIURL: fk.startHTTP(t)})
	t.Cleanup(func() { s.Close() })
	c := newFakeCommander("ok")
	h := s.CommandsHandler(c)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, commandForm("frobnicate <!here>", ""), time.Now()))
	if e := decodeReply(t, w); !strings.Contains(e.Text, `unknown command "frobnicate"`) {
		t.Errorf("got %q, want the parser's message", e.Text)
	}
	if n := len(c.commands()); n != 0 {
		t.Errorf("parse error ran %d commands", n)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, commandForm("feed add https://example.org/rss Example", ""), time.Now()))
	decodeReply(t, w)
	cmds := c.commands()
	if len(cmds) != 1 || cmds[0].MayManageFeeds || cmds[0].Verb != wirewatch.CmdFeedAdd || cmds[0].Name != "Example" {
		t.Errorf("got %+v, want feed add by a non-admin", cmds)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, url.Values{"ssl_check": {"1"}, "token": {"x"}}, time.Now()))
	if w.Code != 200 || len(c.commands()) != 1 {
		t.Errorf("ssl_check: got %d, want 200 and no command", w.Code)
	}
}

// TestCommandsHandlerSlow: a command still running at the ack budget is
// acknowledged at once and answered later through response_url.
func TestCommandsHandlerSlow(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	s := mustSlack(t, fk, apiURL, nil, nil)
	s.ackBudget = 10 * time.Millisecond
	c := newFakeCommander("Added feed f1")
	c.gate = make(chan struct{})
	h := s.CommandsHandler(c)

	respURL := strings.TrimSuffix(apiURL, "/") + "/respond/T1/1/abc"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, commandForm("feed add https://example.org/rss", respURL), time.Now()))
	if e := decodeReply(t, w); !strings.HasPrefix(e.Text, "Working on it") {
		t.Fatalf("got %q, want a working-on-it ack", e.Text)
	}
	close(c.gate)
	<-fk.Notified
	replies := fk.Replies()
	if len(replies) != 1 || replies[0]["response_type"] != "ephemeral" ||
		replies[0]["text"] != "Added feed f1 (feed add https://example.org/rss)" {
		t.Errorf("got response_url posts %v, want the command's reply, ephemeral", replies)
	}
}

func TestCommandsHandlerForgedResponseURL(t *testing.T) {
	fk := newFakeSlack(t)
	s := mustSlack(t, fk, fk.startHTTP(t), nil, nil)
	s.ackBudget = 10 * time.Millisecond
	other := newFakeSlack(t)
	otherURL := other.startHTTP(t)

	c := newFakeCommander("done")
	c.gate = make(chan struct{})
	w := httptest.NewRecorder()
	s.CommandsHandler(c).ServeHTTP(w, signed(t, commandForm("list", otherURL+"respond/x"), time.Now()))
	if e := decodeReply(t, w); !strings.Contains(e.Text, "no usable response_url") {
		t.Errorf("got %q, want a note that the answer cannot follow", e.Text)
	}
	close(c.gate)
	s.Close() // waits for the command
	if len(other.Replies()) != 0 {
		t.Errorf("posted to a forged response_url: %v", other.Replies())
	}
}

func TestReplyURL(t *testing.T) {
	s := New(Options{APIURL: "http://127.0.0.1:8999/api/"})
	for u, ok := range map[string]bool{
		"https://hooks.slack.com/commands/T1/2/x": true,
		"http://hooks.slack.com/commands/T1/2/x":  false,
		"https://hooks.slack.com.evil/x":          false,
		"http://127.0.0.1:8999/respond/x":         true,
		"http://127.0.0.1:9000/respond/x":         false,
		"/relative":                               false,
		"":                                        false,
	} {
		if got := s.replyURL(u) != ""; got != ok {
			t.Errorf("replyURL(%q) allowed = %v, want %v", u, got, ok)
		}
	}
}
