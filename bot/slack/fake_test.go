package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// fakeSlack stands in for Slack's Web API: it keeps channels and messages,
// threads replies as Slack does (a reply to an unknown or deleted parent
// lands at the channel root), records every call, and injects faults.
type fakeSlack struct {
	t     testing.TB
	token string

	mu       sync.Mutex
	seq      int
	calls    []call
	msgs     map[string]*fakeMsg   // by ts
	chans    map[string]*fakeChan  // by id; unknown ids are channel_not_found
	faults   map[string][]fault    // by "method channel"
	replies  []map[string]any      // JSON posted to response URLs
	sock     func(*websocket.Conn) // Socket Mode session, if any
	notified chan struct{}         // a call or reply arrived
	appToken string
}

type call struct {
	Method string
	Form   url.Values
}

type fakeMsg struct {
	Channel     string
	TS          string
	ThreadTS    string
	Text        string
	Blocks      string
	Attachments string
	Deleted     bool
}

type fakeChan struct {
	Member   bool
	Private  bool
	Archived bool
}

// fault is one injected failure: an HTTP status (with Retry-After) or an
// ok:false code.
type fault struct {
	Status     int
	RetryAfter string
	Code       string
}

func newFakeSlack(t testing.TB) *fakeSlack {
	return &fakeSlack{
		t:        t,
		token:    "xoxb-test-1234-secret",
		appToken: "xapp-1-test-secret",
		msgs:     map[string]*fakeMsg{},
		chans:    map[string]*fakeChan{},
		faults:   map[string][]fault{},
		notified: make(chan struct{}, 1000),
	}
}

// channel adds a channel the bot is a member of.
func (f *fakeSlack) channel(id string) *fakeChan {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fakeChan{Member: true}
	f.chans[id] = c
	return c
}

func (f *fakeSlack) inject(method, ch string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method+" "+ch] = append(f.faults[method+" "+ch], fs...)
}

func (f *fakeSlack) delete(ts string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs[ts].Deleted = true
}

// Calls returns the recorded calls of one method.
func (f *fakeSlack) Calls(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) msg(ts string) fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.msgs[ts]
	if !ok {
		f.t.Fatalf("no message %s", ts)
	}
	return *m
}

// Messages returns the channel's live messages in order.
func (f *fakeSlack) Messages(ch string) []fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeMsg
	for i := 1; i <= f.seq; i++ {
		if m, ok := f.msgs[tsOf(i)]; ok && m.Channel == ch && !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

func tsOf(n int) string { return fmt.Sprintf("1700000000.%06d", n) }

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch {
	case strings.Contains(r.URL.Path, "/respond/"):
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, "bad json", 400)
			return
		}
		f.mu.Lock()
		f.replies = append(f.replies, m)
		f.mu.Unlock()
		f.notified <- struct{}{}
		w.Write([]byte("ok"))
		return
	case method == "apps.connections.open":
		if r.Header.Get("Authorization") != "Bearer "+f.appToken {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "url": "ws://" + r.Host + "/link"})
		return
	case method == "link":
		up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		f.sock(conn)
		return
	}

	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	form := r.PostForm
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{method, form})
	defer func() { f.notified <- struct{}{} }()
	if form.Get("token") != f.token {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	ch := form.Get("channel")
	if q := f.faults[method+" "+ch]; len(q) > 0 {
		ft := q[0]
		f.faults[method+" "+ch] = q[1:]
		if ft.Status != 0 {
			if ft.RetryAfter != "" {
				w.Header().Set("Retry-After", ft.RetryAfter)
			}
			w.WriteHeader(ft.Status)
			w.Write([]byte("<html>error</html>"))
			return
		}
		writeJSON(w, map[string]any{"ok": false, "error": ft.Code})
		return
	}
	c, ok := f.chans[ch]
	if !ok {
		writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	switch method {
	case "conversations.join":
		if c.Private {
			writeJSON(w, map[string]any{"ok": false, "error": "method_not_supported_for_channel_type"})
			return
		}
		c.Member = true
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": ch}})
	case "chat.postMessage":
		switch {
		case c.Archived:
			writeJSON(w, map[string]any{"ok": false, "error": "is_archived"})
			return
		case !c.Member:
			writeJSON(w, map[string]any{"ok": false, "error": "not_in_channel"})
			return
		}
		if form.Get("link_names") != "" || form.Get("parse") == "full" {
			f.t.Errorf("chat.postMessage with link_names=%q parse=%q", form.Get("link_names"), form.Get("parse"))
		}
		f.seq++
		m := &fakeMsg{Channel: ch, TS: tsOf(f.seq), Text: form.Get("text"), Blocks: form.Get("blocks"), Attachments: form.Get("attachments")}
		// Slack posts a reply whose parent is unknown or deleted at the
		// channel root, with ok:true.
		if p, ok := f.msgs[form.Get("thread_ts")]; ok && !p.Deleted && p.Channel == ch && p.ThreadTS == "" {
			m.ThreadTS = p.TS
		}
		f.msgs[m.TS] = m
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if m.ThreadTS != "" {
			msg["thread_ts"] = m.ThreadTS
		}
		writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": m.TS, "message": msg})
	case "chat.update":
		m, ok := f.msgs[form.Get("ts")]
		if !ok || m.Deleted || m.Channel != ch {
			writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		// Fields left out keep their old value (chat.update's documented
		// behaviour for blocks and attachments).
		m.Text = form.Get("text")
		if form.Has("blocks") {
			m.Blocks = form.Get("blocks")
		}
		if form.Has("attachments") {
			m.Attachments = form.Get("attachments")
		}
		writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": m.TS, "text": m.Text})
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// startHTTP serves the fake on a loopback httptest server and returns its
// API URL.
func (f *fakeSlack) startHTTP(t testing.TB) string {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// pipeNet serves the fake over in-memory connections, so that a test can
// run inside a synctest bubble with fake time.
type pipeNet struct {
	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once
	server *http.Server
	client *http.Client
}

func newPipeNet(h http.Handler) *pipeNet {
	p := &pipeNet{conns: make(chan net.Conn), done: make(chan struct{})}
	p.server = &http.Server{Handler: h}
	go p.server.Serve(p)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, s := net.Pipe()
		select {
		case p.conns <- s:
			return c, nil
		case <-p.done:
			return nil, net.ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	p.client = &http.Client{Transport: tr}
	return p
}

func (p *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}

func (p *pipeNet) Addr() net.Addr { return pipeAddr{} }

// shutdown stops the server and the client's connections.
func (p *pipeNet) shutdown() {
	p.client.Transport.(*http.Transport).CloseIdleConnections()
	p.server.Close()
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
