package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/config"
)

// docketHost serves fixed documents from testdata at paths that can be
// switched to another file between runs.
type docketHost struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string]string // path → testdata file
}

func newDocketHost(t *testing.T) *docketHost {
	t.Helper()
	h := &docketHost{files: map[string]string{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		name := h.files[r.URL.Path]
		h.mu.Unlock()
		if name == "" {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile("testdata/" + name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write(body)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *docketHost) serve(path, file string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.files[path] = file
	return h.URL + path
}

// docketSlackCall is one chat.postMessage or chat.update the stand-in received.
type docketSlackCall struct {
	method string
	form   string // every form value, joined
}

// docketSlack answers the Web API calls the Slack adapter makes, echoing
// thread_ts so replies land in their thread, and records them.
type docketSlack struct {
	*httptest.Server
	mu    sync.Mutex
	calls []docketSlackCall
	ts    int
}

func newDocketSlack(t *testing.T) *docketSlack {
	t.Helper()
	s := &docketSlack{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		method := strings.TrimPrefix(r.URL.Path, "/api/")
		var all []string
		for k, vs := range r.PostForm {
			if k != "token" {
				all = append(all, vs...)
			}
		}
		s.mu.Lock()
		s.calls = append(s.calls, docketSlackCall{method, strings.Join(all, "\n")})
		s.ts++
		ts := fmt.Sprintf("1700000000.%06d", s.ts)
		s.mu.Unlock()
		ch := r.PostForm.Get("channel")
		resp := map[string]any{"ok": true, "channel": ch, "ts": ts}
		switch method {
		case "chat.postMessage":
			resp["message"] = map[string]any{"ts": ts, "thread_ts": r.PostForm.Get("thread_ts"), "text": r.PostForm.Get("text")}
		case "chat.update":
			resp["ts"] = r.PostForm.Get("ts")
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *docketSlack) posts() []docketSlackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []docketSlackCall
	for _, c := range s.calls {
		if c.method == "chat.postMessage" {
			out = append(out, c)
		}
	}
	return out
}

// runDocketCLI runs the real command line with these environment variables.
func runDocketCLI(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	code := cli(ctx, args, env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	})
	return result{code, out.String(), errb.String()}
}

// docketEntryOf returns the docket entry number of a stdout alert ("" for news).
func docketEntryOf(t *testing.T, a alertLine) string {
	t.Helper()
	if len(a.Docket) == 0 {
		return ""
	}
	var d struct {
		EntryNumber string `json:"entry_number"`
	}
	if err := json.Unmarshal(a.Docket, &d); err != nil {
		t.Fatalf("docket of %q: %v", a.Title, err)
	}
	return d.EntryNumber
}

// TestDocketOneThreadAcrossSources follows case 8:25-cv-00951 in a PACER
// feed and a CourtListener docket feed at once, with a news feed beside
// them: after seeding, new entries from both sources make one thread; an
// entry both sources carry alerts once; a routine entry is not posted to
// Slack (stdout, for scripts, prints it); the case: watch matches the
// docket entries and a news story naming "25-cv-951".
func TestDocketOneThreadAcrossSources(t *testing.T) {
	host := newDocketHost(t)
	pacerURL := host.serve("/cgi-bin/rss_outside.pl", "mdd_seed.xml")
	clURL := host.serve("/docket/69777799/feed/", "cl_docket_seed.xml")
	news := newFeedServer(t)
	newsURL := news.feed("/news", true)
	news.add("/news", testItem{"n1", "Judge Xinis hears arguments", "https://news.example/old", "Earlier coverage.", t0})
	slackAPI := newDocketSlack(t)
	cfg := MustConfig(t, fmt.Sprintf(`
timezone: America/New_York
feeds:
  - url: %s
    name: PACER D. Md.
    type: pacer
    court: mdd
  - url: %s
    name: CourtListener docket
    type: courtlistener
  - url: %s
    name: News
watches:
  - name: Abrego Garcia
    query: '"Abrego Garcia" OR Xinis'
    to: [stdout, "slack:C0ABREGO1"]
  - query: case:8:25-cv-00951
    to: [stdout]
slack:
  api_url: %s/api/
courtlistener:
  api_url: %s/
`, pacerURL, clURL, newsURL, slackAPI.URL, host.URL))
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test"}

	r := runDocketCLI(t, vars, "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("seeding run: code %d, stdout %q, stderr %s; want 0 and nothing", r.code, r.stdout, r.stderr)
	}
	if p := slackAPI.posts(); len(p) != 0 {
		t.Fatalf("seeding run posted to Slack: %+v", p)
	}

	// A day later: PACER has entries 61 and 62 (a notice of appearance),
	// CourtListener has 61 too and 63, which PACER's feed does not carry.
	host.serve("/cgi-bin/rss_outside.pl", "mdd_new.xml")
	host.serve("/docket/69777799/feed/", "cl_docket_new.xml")
	news.add("/news",
		testItem{"n2", "Deadline set in 25-cv-951", "https://news.example/deadline",
			"The Maryland court set a deadline in case No. 25-cv-951 on Friday.", t0.Add(time.Hour)},
		testItem{"n3", "Weather for the weekend", "https://news.example/weather", "Rain.", t0.Add(2 * time.Hour)})

	r = runDocketCLI(t, vars, "run", "-once", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("second run: code %d, stderr %s", r.code, r.stderr)
	}
	as := alertsOf(t, r.stdout)
	byEntry := map[string][]alertLine{}
	var newsAlerts []alertLine
	for _, a := range as {
		if e := docketEntryOf(t, a); e != "" {
			byEntry[e] = append(byEntry[e], a)
		} else {
			newsAlerts = append(newsAlerts, a)
		}
	}
	// 61 from either source, once; 62 only in PACER; 63 only in CourtListener.
	for _, e := range []string{"61", "62", "63"} {
		if len(byEntry[e]) != 1 {
			t.Errorf("entry %s: got %d stdout alerts, want 1 (stdout: %q)", e, len(byEntry[e]), titles(as))
		}
	}
	if len(byEntry) != 3 {
		t.Errorf("docket alerts: got entries %v, want 61, 62, 63 (51 was seeded)", docketKeys(byEntry))
	}
	sources := map[string]bool{}
	for e, list := range byEntry {
		for _, a := range list {
			sources[a.Source] = true
			if a.Thread != "case:mdd:8:25-cv-00951" {
				t.Errorf("entry %s (from %s): thread %q, want case:mdd:8:25-cv-00951", e, a.Source, a.Thread)
			}
			if !reflect.DeepEqual(a.Watches, []string{"Abrego Garcia", "case:8:25-cv-00951"}) {
				t.Errorf("entry %s: watches %q, want both (the case name and the docket number match)", e, a.Watches)
			}
		}
	}
	if len(byEntry["62"]) == 1 && byEntry["62"][0].Source != "PACER D. Md." {
		t.Errorf("entry 62 source: got %q, want PACER D. Md.", byEntry["62"][0].Source)
	}
	if len(byEntry["63"]) == 1 && byEntry["63"][0].Source != "CourtListener docket" {
		t.Errorf("entry 63 source: got %q, want CourtListener docket", byEntry["63"][0].Source)
	}
	if !sources["PACER D. Md."] || !sources["CourtListener docket"] {
		t.Errorf("sources in the case thread: got %v, want both feeds", sources)
	}

	// The case: watch finds the docket number as a reporter writes it.
	if len(newsAlerts) != 1 {
		t.Fatalf("news alerts: got %q, want only the 25-cv-951 story", titles(newsAlerts))
	}
	n := newsAlerts[0]
	if n.Title != "Deadline set in 25-cv-951" || !reflect.DeepEqual(n.Watches, []string{"case:8:25-cv-00951"}) ||
		len(n.Terms) != 1 || n.Terms[0] != "25-cv-951" || !strings.HasPrefix(n.Thread, "watch:cfg-2:") {
		t.Errorf("news alert: got %+v; want the case: watch, term 25-cv-951, a watch thread", n)
	}

	// Slack: the Abrego Garcia watch's alerts, minus the routine entry.
	posts := slackAPI.posts()
	var posted61, posted63 bool
	for _, p := range posts {
		if strings.Contains(p.form, "Appearance") {
			t.Errorf("the notice of appearance was posted to Slack: %q", p.form)
		}
		posted61 = posted61 || strings.Contains(p.form, "Doc 61")
		posted63 = posted63 || strings.Contains(p.form, "Doc 63")
		if strings.Contains(p.form, "25-cv-951") {
			t.Errorf("the news story went to Slack, whose watch does not match it: %q", p.form)
		}
	}
	if !posted61 || !posted63 {
		t.Errorf("Slack posts: want entries 61 and 63 posted, got %d posts:\n%+v", len(posts), posts)
	}
	if len(posts) != 2 {
		t.Errorf("Slack posts: got %d, want 2 (61 once, 63; 62 only counted)", len(posts))
	}

	// A third run finds nothing new.
	r = runDocketCLI(t, vars, "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Errorf("third run: code %d, stdout %q; want nothing new", r.code, r.stdout)
	}
}

func docketKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestInspectPACERDocketFields: inspect prints one JSON object per item, each
// with the docket fields CONTRACT.md names.
func TestInspectPACERDocketFields(t *testing.T) {
	r := runCLI(t, "", "inspect", "-type", "pacer", "-court", "nysd", "testdata/pacer-sdny_1.xml")
	if r.code != 0 {
		t.Fatalf("inspect: code %d, stderr %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 2 {
		t.Fatalf("inspect: got %d lines, want one per item of the feed:\n%s", len(lines), r.stdout)
	}
	want := []string{"court", "number", "case_name", "entry_number", "short_description", "document_url", "pacer_case_id"}
	for i, line := range lines {
		var item struct {
			ID     string                     `json:"id"`
			Docket map[string]json.RawMessage `json:"docket"`
		}
		if err := json.Unmarshal([]byte(line), &item); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		if item.ID == "" || item.Docket == nil {
			t.Errorf("line %d: no id or no docket object: %s", i+1, line)
			continue
		}
		for _, k := range want {
			var s string
			if err := json.Unmarshal(item.Docket[k], &s); err != nil {
				t.Errorf("line %d: docket.%s is not a string: %s", i+1, k, line)
			}
		}
		var court string
		json.Unmarshal(item.Docket["court"], &court)
		if court != "nysd" {
			t.Errorf("line %d: court %q, want nysd", i+1, court)
		}
	}
	// The first item of the fixture, as the court wrote it.
	var first struct {
		Docket map[string]string `json:"docket"`
	}
	json.Unmarshal([]byte(lines[0]), &first)
	if d := first.Docket; d["number"] != "1:18-cv-03365" || d["case_name"] != "Chau v. Donovan et al" ||
		d["entry_number"] != "3" || d["short_description"] != "Notice of Appearance" || d["pacer_case_id"] != "492165" ||
		!strings.Contains(d["document_url"], "127122264358") {
		t.Errorf("first item's docket: got %v", d)
	}
}

// TestExampleConfigChecks: the example config a newcomer starts from is valid.
func TestExampleConfigChecks(t *testing.T) {
	r := runCLI(t, "", "check", "-config", "../../wirewatch.example.yaml")
	if r.code != 0 {
		t.Fatalf("check: code %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"feeds: 2", "watches: 2", "destinations: 1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check summary lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestExampleConfigDefaults: every commented "# key: value" line of the
// example shows the default, so uncommenting them all changes nothing but
// the court and http.listen, which the example shows as examples.
func TestExampleConfigDefaults(t *testing.T) {
	data, err := os.ReadFile("../../wirewatch.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := config.Parse(data)
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	commented := regexp.MustCompile(`(?m)^(\s*)# ([a-z_]+: .*)$`)
	open := commented.ReplaceAll(data, []byte("$1$2"))
	if bytes.Equal(open, data) {
		t.Fatal("no commented keys found")
	}
	all, err := config.Parse(open)
	if err != nil {
		t.Fatalf("example with every commented key set: %v\n%s", err, open)
	}
	if all.Feeds[1].Court != "mdd" {
		t.Errorf("uncommented court: got %q", all.Feeds[1].Court)
	}
	if all.HTTP.Listen != "127.0.0.1:8080" {
		t.Errorf("uncommented http.listen: got %q", all.HTTP.Listen)
	}
	all.Feeds[1].Court, all.HTTP.Listen = "", ""
	if g := all.Discord.Gateway; g == nil || !*g {
		t.Errorf("uncommented discord.gateway: got %v, want true", g)
	}
	all.Discord.Gateway = nil // gateway: true is the default
	for i := range all.Feeds {
		if all.Feeds[i].Type == "auto" {
			all.Feeds[i].Type = "" // type: auto is what an absent type means
		}
		if all.Feeds[i].Fulltext == "auto" {
			all.Feeds[i].Fulltext = "" // so is fulltext: auto on a news feed
		}
	}
	if len(all.Slack.Admins) == 0 {
		all.Slack.Admins = nil // admins: [] is the empty default
	}
	if !reflect.DeepEqual(plain, all) {
		t.Errorf("commented values are not the defaults:\nplain: %+v\nall:   %+v", plain, all)
	}
	for _, key := range []string{"store:", "timezone:", "interval:", "timeout:", "workers:", "per_host:",
		"allow_private_feeds:", "retention:", "level:", "format:", "url:", "name:", "type:", "backfill:", "court:",
		"query:", "to:", "procedural:", "api_url:", "admins:", "application_id:", "guild_id:", "gateway:", "listen:",
		"slack:", "discord:"} {
		if !bytes.Contains(data, []byte(key)) {
			t.Errorf("example does not show %s", key)
		}
	}
}
