package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
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
