package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

// TestMain lets a test start the real wirewatch as a child process: with
// WIREWATCH_TEST_ARGS set, the test binary is wirewatch.
func TestMain(m *testing.M) {
	if raw := os.Getenv("WIREWATCH_TEST_ARGS"); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(runMain(args, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

// TestKillMidBurstLosesNothing kills the daemon with SIGKILL while it is
// delivering a burst: after a restart every alert has been delivered, and
// at most the one in flight at the kill twice (delivery is at least once).
func TestKillMidBurstLosesNothing(t *testing.T) {
	fs := newFeedServer(t)
	u := fs.feed("/burst", true)
	cfg := MustConfig(t, fmt.Sprintf("feeds:\n  - url: %s\n    interval: 1s\nwatches:\n  - query: Xinis\n    to: stdout\n", u))
	if r := runCLI(t, "", "run", "-once", "-config", cfg); r.code != 0 {
		t.Fatalf("seed: %s", r.stderr)
	}
	// 400 alerts of about 600 bytes overflow the 64 KiB pipe to the test:
	// the daemon blocks writing them until the test reads, so it is killed
	// with most of the burst still in its outbox.
	const burst = 400
	pad := strings.Repeat("The court heard arguments. ", 20)
	for i := range burst {
		fs.add("/burst", testItem{fmt.Sprint(i), fmt.Sprintf("Xinis item %03d", i), fmt.Sprintf("https://b.example/%d", i), pad, t0.Add(time.Duration(i) * time.Second)})
	}

	args, _ := json.Marshal([]string{"run", "-config", cfg})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WIREWATCH_TEST_ARGS="+string(args))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	var got []string
	for len(got) < 50 && lines.Scan() {
		got = append(got, lines.Text())
	}
	if len(got) < 50 {
		t.Fatalf("daemon printed %d alerts before ending; stderr:\n%s", len(got), stderr.String())
	}
	cmd.Process.Kill()
	// What it wrote before the kill is still in the pipe.
	for lines.Scan() {
		got = append(got, lines.Text())
	}
	cmd.Wait()
	before := len(got)
	if before >= burst {
		t.Fatalf("all %d alerts were out before the kill; the test did not interrupt the burst", before)
	}

	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("restart: code %d, %s", r.code, r.stderr)
	}
	count := map[string]int{}
	for _, a := range alertsOf(t, strings.Join(got, "\n")+"\n"+r.stdout) {
		count[a.Title]++
	}
	dups := 0
	for i := range burst {
		title := fmt.Sprintf("Xinis item %03d", i)
		switch n := count[title]; {
		case n == 0:
			t.Errorf("%s was lost", title)
		case n > 1:
			dups += n - 1
		}
	}
	if dups > 1 {
		t.Errorf("%d duplicates; at most the alert in flight at the kill may repeat", dups)
	}
	t.Logf("%d alerts out before the kill, %d after the restart, %d repeated", before, len(alertsOf(t, r.stdout)), dups)
}

// child is the real wirewatch, run by the test binary as a child process.
type child struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
}

func startChild(t *testing.T, vars map[string]string, args ...string) *child {
	t.Helper()
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WIREWATCH_TEST_ARGS="+string(raw))
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// itemNumber finds the burst item a message carries.
var itemNumber = regexp.MustCompile(`Xinis item (\d{3})`)

// TestKillMidBurstToChatChannels kills the daemon with SIGKILL ten times
// while it delivers a burst of over 1,000 alerts to three Slack and three
// Discord channels, whose stand-ins keep the platforms' limits (Slack's
// scaled down 20 times, so the test stays short): after the last restart
// every alert was posted exactly once, no post or chat.update went over
// Slack's limits and no message over Discord's (none after a restart
// either), and chat.update stayed within Tier 3 (50 a minute, scaled).
//
// WIREWATCH_CRASH_FULL=1 runs it at Slack's real limits (minutes).
func TestKillMidBurstToChatChannels(t *testing.T) {
	const (
		items    = 170
		kills    = 10
		slackTok = "xoxb-crash-test"
		discTok  = "discord-crash-test"
	)
	scale := time.Duration(20)
	if os.Getenv("WIREWATCH_CRASH_FULL") == "1" {
		scale = 1
	}
	// Tier 3 is counted per minute, so Slack takes a few chat.update calls
	// close together (a timer woken late on a busy machine sends two at
	// once); the per-minute count is checked below.
	postEvery, editEvery := time.Second/scale, 1200*time.Millisecond/scale
	sl := slacktest.New(slacktest.Options{PostEvery: postEvery, PostBurst: 3, UpdateEvery: editEvery, UpdateBurst: 3})
	sl.Token = slackTok
	slackChans := []string{"C0000000001", "C0000000002", "C0000000003"}
	for _, ch := range slackChans {
		sl.AddChannel(ch)
	}
	slackURL := sl.Start(t)
	dc := discordtest.New(t, discTok)
	// Discord: 5 messages per 5 s per channel (scaled).
	dc.SetMessageLimit(5, 5*time.Second/scale)
	discChans := []string{"200000000000000001", "200000000000000002", "200000000000000003"}
	for _, ch := range discChans {
		dc.AddChannel(discordtest.Channel{ID: ch, Type: discordgo.ChannelTypeGuildText, GuildID: "5"})
	}
	var to []string
	for _, ch := range slackChans {
		to = append(to, `"slack:`+ch+`"`)
	}
	for _, ch := range discChans {
		to = append(to, `"discord:`+ch+`"`)
	}
	fs := newFeedServer(t)
	u := fs.feed("/burst", true)
	cfg := MustConfig(t, fmt.Sprintf(`feeds:
  - url: %s
    interval: 1s
watches:
  - query: Xinis
    to: [%s]
slack:
  api_url: %s
  post_interval: %s
  edit_interval: %s
discord:
  api_url: %s
  application_id: "1"
  gateway: false
  cold_start: %s
http:
  listen: 127.0.0.1:0
`, u, strings.Join(to, ", "), slackURL, postEvery, editEvery, dc.URL, 5*time.Second/scale))
	vars := map[string]string{"SLACK_BOT_TOKEN": slackTok, "DISCORD_BOT_TOKEN": discTok}
	seed := startChild(t, vars, "run", "-once", "-config", cfg)
	if err := seed.cmd.Wait(); err != nil {
		t.Fatalf("seed: %v\n%s", err, seed.stderr)
	}
	pad := strings.Repeat("The court heard arguments. ", 5)
	for i := range items {
		fs.add("/burst", testItem{fmt.Sprint(i), fmt.Sprintf("Xinis item %03d", i), fmt.Sprintf("https://b.example/%d", i), pad, time.Now()})
	}
	total := items * (len(slackChans) + len(discChans))

	// posted counts the alerts the stand-ins hold, duplicates included
	// (a folded message lists several).
	posted := func() int {
		n := 0
		for _, ch := range slackChans {
			for _, m := range sl.Messages(ch) {
				n += len(itemNumber.FindAllString(m.Blocks, -1))
			}
		}
		for _, r := range dc.Match("POST", "channels/*/messages") {
			n += len(itemNumber.FindAll(r.Body, -1))
		}
		return n
	}
	start := time.Now()
	for k := 1; k <= kills; k++ {
		c := startChild(t, vars, "run", "-config", cfg)
		want := k * total / (kills + 2)
		deadline := time.Now().Add(2 * time.Minute)
		for posted() < want {
			if time.Now().After(deadline) {
				c.cmd.Process.Kill()
				c.cmd.Wait()
				t.Fatalf("run %d: %d of %d posts after 2 minutes; stderr:\n%s", k, posted(), want, c.stderr)
			}
			select {
			case <-sl.Notified:
			case <-time.After(5 * time.Millisecond):
			}
		}
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
	last := startChild(t, vars, "run", "-once", "-config", cfg)
	if err := last.cmd.Wait(); err != nil {
		t.Fatalf("last run: %v\n%s", err, last.stderr)
	}
	took := time.Since(start)

	lost, dups := 0, 0
	check := func(where string, got map[int]int) {
		for i := range items {
			switch n := got[i]; {
			case n == 0:
				lost++
				t.Errorf("%s: item %03d lost", where, i)
			case n > 1:
				dups += n - 1
				t.Errorf("%s: item %03d posted %d times", where, i, n)
			}
		}
	}
	for _, ch := range slackChans {
		got := map[int]int{}
		msgs := sl.Messages(ch)
		for _, m := range msgs {
			for _, sub := range itemNumber.FindAllStringSubmatch(m.Blocks, -1) {
				n, _ := strconv.Atoi(sub[1])
				got[n]++
			}
		}
		check("slack:"+ch, got)
		// One thread: one top message, every other post a reply in it.
		if r := len(roots(msgs)); r != 1 {
			t.Errorf("slack:%s: %d posts at the root, want 1", ch, r)
		}
	}
	seen := map[string]bool{}
	byChan := map[string]map[int]int{}
	for _, r := range dc.Match("POST", "channels/*/messages") {
		if seen[r.ID] {
			continue // a repeated nonce answered with the message it made
		}
		seen[r.ID] = true
		var body struct {
			Embeds []struct {
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"embeds"`
		}
		if json.Unmarshal(r.Body, &body) != nil || len(body.Embeds) == 0 {
			continue
		}
		// An alert's embed is titled by it; a folded message lists
		// several in its embeds' descriptions.
		var named []string
		if sub := itemNumber.FindStringSubmatch(body.Embeds[0].Title); sub != nil {
			named = append(named, sub[1])
		} else {
			for _, e := range body.Embeds {
				for _, sub := range itemNumber.FindAllStringSubmatch(e.Description, -1) {
					named = append(named, sub[1])
				}
			}
		}
		for _, num := range named {
			n, _ := strconv.Atoi(num)
			m, ok := dc.Message(r.ID)
			if !ok {
				continue
			}
			parent := m.Channel
			if th, ok := dc.Thread(m.Channel); ok {
				parent = th.Parent
			}
			if byChan[parent] == nil {
				byChan[parent] = map[int]int{}
			}
			byChan[parent][n]++
		}
	}
	for _, ch := range discChans {
		check("discord:"+ch, byChan[ch])
	}

	ups := sl.Calls("chat.update")
	post429, update429 := sl.RateLimited("chat.postMessage"), sl.RateLimited("chat.update")
	disc429 := dc.TooMany()
	if post429 != 0 || update429 != 0 {
		t.Errorf("Slack answered 429 to %d posts and %d chat.update calls; want none", post429, update429)
	}
	if disc429 != 0 {
		t.Errorf("Discord answered 429 to %d messages; want none", disc429)
	}
	// Tier 3: at most 50 chat.update calls in any minute (scaled).
	window, most := time.Minute/scale, 0
	for i := range ups {
		n := 0
		for j := i; j < len(ups) && ups[j].At.Sub(ups[i].At) < window; j++ {
			n++
		}
		most = max(most, n)
	}
	if most > 51 {
		t.Errorf("%d chat.update calls within %v, over Tier 3 (50 a minute)", most, window)
	}
	t.Logf("%d alerts to %d channels, %d kills, %v (time scale 1/%d): %d lost, %d duplicates; Slack 429s: %d posts, %d updates; Discord 429s: %d; %d chat.update calls, at most %d per %v",
		total, len(slackChans)+len(discChans), kills, took.Round(time.Millisecond), scale, lost, dups, post429, update429, disc429, len(ups), most, window)
}

// roots are the messages posted at the channel's root.
func roots(msgs []slacktest.Message) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range msgs {
		if m.ThreadTS == "" {
			out = append(out, m)
		}
	}
	return out
}
