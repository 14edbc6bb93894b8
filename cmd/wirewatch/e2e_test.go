package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/store"
)

// MustConfig writes a config file in a temporary folder and returns its path.
func MustConfig(tb testing.TB, body string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "wirewatch.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the real command line in-process.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli(context.Background(), args, env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" },
	})
	return result{code, out.String(), errb.String()}
}

type alertLine struct {
	To        string          `json:"to"`
	Watches   []string        `json:"watches"`
	Thread    string          `json:"thread"`
	Title     string          `json:"title"`
	Link      string          `json:"link"`
	Source    string          `json:"source"`
	Published string          `json:"published"`
	Summary   string          `json:"summary"`
	Terms     []string        `json:"terms"`
	MatchedIn []string        `json:"matched_in"`
	Docket    json.RawMessage `json:"docket"`
	AlsoIn    []struct {
		Source string `json:"source"`
		Link   string `json:"link"`
	} `json:"also_in"`
}

func alertsOf(t *testing.T, stdout string) []alertLine {
	t.Helper()
	var out []alertLine
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		var a alertLine
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("stdout line %q is not an alert: %v", line, err)
		}
		out = append(out, a)
	}
	return out
}

func titles(as []alertLine) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// TestRunOnceAsANewcomer does what the README's quick start does: run -once
// against feeds that gain items between runs.
func TestRunOnceAsANewcomer(t *testing.T) {
	fs := newFeedServer(t)
	news := fs.feed("/news", true)
	wire := fs.feed("/wire", false) // sends no validators: the body hash skips it
	fs.add("/news", testItem{"n1", "Old news about Abrego Garcia", "https://news.example/old", "Already out before we started.", t0})
	fs.add("/wire", testItem{"w1", "Xinis schedules hearing", "https://wire.example/1", "Old too.", t0})
	cfg := MustConfig(t, fmt.Sprintf(`
timezone: America/New_York
feeds:
  - url: %s
    name: News
  - url: %s
watches:
  - name: Abrego Garcia
    query: '"Abrego Garcia" OR Xinis'
    to: [stdout]
`, news, wire))

	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("first run: got code %d, stdout %q, stderr %s; want 0 and nothing (the first poll seeds)", r.code, r.stdout, r.stderr)
	}

	fs.add("/news",
		testItem{"n2", "Judge Xinis orders the government to explain", "https://news.example/a?utm_source=rss&id=7",
			"<p>The court met on Friday. Judge <b>Xinis</b> ordered a sworn declaration by Monday. Lawyers declined to comment.</p>", t0.Add(time.Hour)},
		testItem{"n3", "Weather for the weekend", "https://news.example/weather", "Rain.", t0.Add(2 * time.Hour)},
		testItem{"n4", "Hearing on ÁBREGO GARCÍA case", "https://news.example/same-story", "A hearing was held.", t0.Add(3 * time.Hour)})
	// The same story in the other feed, with tracking parameters: one alert.
	fs.add("/wire",
		testItem{"w2", "Abrego Garcia hearing held", "https://news.example/same-story?utm_medium=wire&fbclid=abc", "Same story.", t0.Add(4 * time.Hour)})

	ny, _ := time.LoadLocation("America/New_York")
	dayBefore := time.Now().In(ny).Format(time.DateOnly)
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	dayAfter := time.Now().In(ny).Format(time.DateOnly)
	if r.code != 0 {
		t.Fatalf("second run: code %d, stderr %s", r.code, r.stderr)
	}
	// Feeds are polled in parallel: which of the two feeds carrying the
	// same story is read first decides whose title the one alert has.
	as := alertsOf(t, r.stdout)
	if len(as) != 2 {
		t.Fatalf("second run alerts: got %q, want the Xinis item and the one same story", titles(as))
	}
	if as[0].Source != "News" {
		as[0], as[1] = as[1], as[0]
	}
	if as[0].Title != "Judge Xinis orders the government to explain" {
		as[0], as[1] = as[1], as[0]
	}
	if as[0].Title != "Judge Xinis orders the government to explain" || as[1].Link != "https://news.example/same-story" {
		t.Fatalf("second run alerts: got %+v", as)
	}
	a := as[0]
	if a.To != "stdout" || a.Source != "News" || a.Link != "https://news.example/a?id=7" ||
		a.Published != "2026-11-21T13:00:00Z" || len(a.Terms) != 1 || a.Terms[0] != "Xinis" ||
		len(a.Watches) != 1 || a.Watches[0] != "Abrego Garcia" {
		t.Errorf("alert fields: got %+v", a)
	}
	if !strings.Contains(a.Summary, "Judge Xinis ordered a sworn declaration by Monday.") || strings.Contains(a.Summary, "<b>") {
		t.Errorf("summary: got %q, want the sentence with the term, without HTML", a.Summary)
	}
	// News threads are per watch and the calendar day, in the configured
	// zone, on which the item was first seen.
	if (a.Thread != "watch:cfg-1:"+dayBefore && a.Thread != "watch:cfg-1:"+dayAfter) || as[1].Thread != a.Thread {
		t.Errorf("threads: got %q and %q", a.Thread, as[1].Thread)
	}
	if len(as[1].Terms) != 1 || (as[1].Terms[0] != "ÁBREGO GARCÍA" && as[1].Terms[0] != "Abrego Garcia") {
		t.Errorf("terms as written in the text: got %q", as[1].Terms)
	}

	okBefore, _ := fs.counts("/news")
	wireBefore, _ := fs.counts("/wire")
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("third run: got code %d, stdout %q; want nothing new", r.code, r.stdout)
	}
	ok, notModified := fs.counts("/news")
	if ok != okBefore || notModified < 1 {
		t.Errorf("conditional GET: got %d more 200s and %d 304s, want none and at least one", ok-okBefore, notModified)
	}
	if wireOK, _ := fs.counts("/wire"); wireOK != wireBefore+1 {
		t.Errorf("feed without validators: got %d more fetches, want 1 (skipped by its hash)", wireOK-wireBefore)
	}

	// status reads the store and says what happened.
	r = runCLI(t, "", "status", "-config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "cfg-1") || !strings.Contains(r.stdout, "not modified") {
		t.Errorf("status: code %d, stdout:\n%s", r.code, r.stdout)
	}
}

// TestFailingFeedsRecover: broken feeds do not disturb the good one, their
// failures show in status, and they come back when fixed.
func TestFailingFeedsRecover(t *testing.T) {
	fs := newFeedServer(t)
	good := fs.feed("/good", true)
	bad := map[string]string{"/500": "500", "/malformed": "malformed", "/huge": "huge", "/hang": "hang"}
	var feedsYAML strings.Builder
	fmt.Fprintf(&feedsYAML, "  - url: %s\n", good)
	for _, p := range []string{"/500", "/malformed", "/huge", "/hang"} {
		fmt.Fprintf(&feedsYAML, "  - url: %s\n", fs.feed(p, true))
		fs.setMode(p, bad[p])
	}
	cfg := MustConfig(t, fmt.Sprintf(`
poll:
  timeout: 3s
feeds:
%swatches:
  - query: Xinis
    to: stdout
`, feedsYAML.String()))

	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("first run: code %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	// Each failure is logged when it starts.
	for _, want := range []string{"HTTP 500", "too large", "timed out", "poll failed"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("log: want %q in\n%s", want, r.stderr)
		}
	}
	fs.add("/good", testItem{"g1", "Xinis rules", "https://good.example/1", "", t0})
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if got := titles(alertsOf(t, r.stdout)); len(got) != 1 || got[0] != "Xinis rules" {
		t.Fatalf("good feed beside broken ones: got %q, stderr %s", got, r.stderr)
	}
	st := status(t, cfg)
	for _, f := range st.Feeds[1:] {
		if f.Errors != 2 || f.Result != "error" || f.LastError == "" {
			t.Errorf("feed %s after two failed polls: got %+v", f.URL, f)
		}
		// Refused for its size, not timed out before the cap was reached.
		if strings.HasSuffix(f.URL, "/huge") && !strings.Contains(f.LastError, "too large") {
			t.Errorf("feed %s: last error %q, want too large", f.URL, f.LastError)
		}
		// Backoff: the next poll is later than the interval would put it.
		if !f.NextPoll.After(f.LastPoll.Add(5 * time.Minute)) {
			t.Errorf("feed %s: next poll %s is not backed off from %s", f.URL, f.NextPoll, f.LastPoll)
		}
	}

	// Fixed: each recovers (its first good poll seeds it), and new items
	// after that alert.
	for p := range bad {
		fs.setMode(p, "")
		fs.add(p, testItem{p + "-old", "Xinis old " + p, "https://x.example" + p + "/old", "", t0})
	}
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("recovery run: code %d, stdout %q (the first good poll seeds), stderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "feed recovered") {
		t.Errorf("log: want 'feed recovered' in\n%s", r.stderr)
	}
	for _, f := range status(t, cfg).Feeds {
		if f.Errors != 0 || f.Result == "error" {
			t.Errorf("feed %s after recovery: got %+v", f.URL, f)
		}
	}
	fs.add("/500", testItem{"new", "Xinis new", "https://x.example/500/new", "", t0.Add(time.Hour)})
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if got := titles(alertsOf(t, r.stdout)); len(got) != 1 || got[0] != "Xinis new" {
		t.Errorf("recovered feed's new item: got %q", got)
	}
}

func status(t *testing.T, cfg string) Status {
	t.Helper()
	r := runCLI(t, "", "status", "-json", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("status: code %d, %s", r.code, r.stderr)
	}
	var st Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status -json: %v\n%s", err, r.stdout)
	}
	return st
}

// failingWriter fails every write after the first n, and says when it
// started to fail.
type failingWriter struct {
	mu     sync.Mutex
	n      int
	buf    bytes.Buffer
	failed chan struct{}
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		select {
		case <-w.failed:
		default:
			close(w.failed)
		}
		return 0, errors.New("broken pipe")
	}
	w.n--
	return w.buf.Write(p)
}

// TestRestartInBurstLosesNothing: the destination fails in the middle of a
// burst and the daemon is stopped; after a restart every alert arrives, each
// once.
func TestRestartInBurstLosesNothing(t *testing.T) {
	fs := newFeedServer(t)
	u := fs.feed("/burst", true)
	// The daemon polls when the feed is due: at once, with a 1 s interval.
	// The items are headlines only, so fulltext auto would read their
	// pages first and queue each alert when its page is done; this test is
	// about the order and count of what one poll queued, so it reads none.
	cfg := MustConfig(t, fmt.Sprintf("feeds:\n  - url: %s\n    interval: 1s\n    fulltext: never\nwatches:\n  - query: Xinis\n    to: stdout\n", u))
	if r := runCLI(t, "", "run", "-once", "-config", cfg); r.code != 0 {
		t.Fatalf("seed: %s", r.stderr)
	}
	const burst = 30
	for i := range burst {
		fs.add("/burst", testItem{fmt.Sprint(i), fmt.Sprintf("Xinis item %02d", i), fmt.Sprintf("https://b.example/%d", i), "", t0.Add(time.Duration(i) * time.Minute)})
	}

	w := &failingWriter{n: 10, failed: make(chan struct{})}
	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m := &Main{Config: c, Env: env{stdout: w, stderr: &logs, getenv: func(string) string { return "" }}}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	<-w.failed // ten delivered, then the destination broke
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	first := alertsOf(t, w.buf.String())
	if len(first) != 10 {
		t.Fatalf("before the stop: got %d alerts, want 10", len(first))
	}

	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("restart: code %d, %s", r.code, r.stderr)
	}
	seen := map[string]int{}
	for _, a := range append(first, alertsOf(t, r.stdout)...) {
		seen[a.Title]++
	}
	for i := range burst {
		title := fmt.Sprintf("Xinis item %02d", i)
		if seen[title] != 1 {
			t.Errorf("%s delivered %d times, want once", title, seen[title])
		}
	}
	// In order, oldest first.
	if got := titles(first); got[0] != "Xinis item 00" || got[9] != "Xinis item 09" {
		t.Errorf("order: got %q", got)
	}
	db, err := store.Open(c.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if d, _ := db.Depths(); len(d) != 0 {
		t.Errorf("outbox after the restart: got %v, want empty", d)
	}
}
