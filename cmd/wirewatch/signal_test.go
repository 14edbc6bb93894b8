package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalStopsCleanly starts the real wirewatch (this test binary, through
// TestMain, with main's signal handling) as a child process, stops it with
// SIGINT (Ctrl-C) or SIGTERM (docker stop, systemd) once it runs, and wants
// exit status 0 and a line saying it stopped.
func TestSignalStopsCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cfg := MustConfig(t, "store: "+filepath.Join(dir, "ww.db")+"\nwatches:\n  - query: Xinis\n    to: stdout\n")
			args, _ := json.Marshal([]string{"run", "-config", cfg})
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "WIREWATCH_TEST_ARGS="+string(args))
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill() })

			lines := make(chan string)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			var log []string
			// The daemon says when it runs; only then are its signal
			// handlers surely installed.
			running := false
			for line := range lines {
				log = append(log, line)
				if strings.Contains(line, "wirewatch running") {
					running = true
					break
				}
			}
			if !running {
				cmd.Wait()
				t.Fatalf("the daemon ended before it ran:\n%s", strings.Join(log, "\n"))
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for line := range lines {
				log = append(log, line)
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				t.Errorf("after %s: %v; want exit status 0", sig, err)
			} else if err != nil {
				t.Fatal(err)
			}
			out := strings.Join(log, "\n")
			if !strings.Contains(out, "msg=stopped") || !strings.Contains(out, "exit_status=0") || !strings.Contains(out, "signal received") {
				t.Errorf("after %s: want a line saying it stopped, with the signal, got:\n%s", sig, out)
			}
		})
	}
}

// TestRunOnceSaysWhatItDid: the first run -once, which alerts nothing since
// a feed's first poll only records, says so on stderr with the counts; a
// later run counts the new items and alerts.
func TestRunOnceSaysWhatItDid(t *testing.T) {
	fs := newFeedServer(t)
	news := fs.feed("/news", true)
	wire := fs.feed("/wire", true)
	fs.add("/news", testItem{"n1", "Old news about Xinis", "https://news.example/old", "Before we started.", t0},
		testItem{"n2", "Weather", "https://news.example/weather", "Rain.", t0})
	fs.add("/wire", testItem{"w1", "Wire story", "https://wire.example/1", "Old too.", t0})
	cfg := MustConfig(t, "feeds:\n  - url: "+news+"\n  - url: "+wire+"\nwatches:\n  - query: Xinis\n    to: stdout\n")

	r := runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("first run: code %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"first poll of a feed: its items are recorded as seen, not alerted", "feeds_seeded=2", "feeds_polled=2", "new_items=3", "alerts=0"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("first run: stderr lacks %q:\n%s", w, r.stderr)
		}
	}

	fs.add("/news", testItem{"n3", "Judge Xinis rules", "https://news.example/ruling", "Today.", t0.Add(time.Hour)},
		testItem{"n4", "Traffic", "https://news.example/traffic", "Jams.", t0.Add(time.Hour)})
	r = runCLI(t, "", "run", "-once", "-config", cfg)
	if r.code != 0 || len(alertsOf(t, r.stdout)) != 1 {
		t.Fatalf("second run: code %d, stdout %q, stderr %s; want one alert", r.code, r.stdout, r.stderr)
	}
	for _, w := range []string{"msg=\"poll done\"", "feeds_failed=0", "new_items=2", "alerts=1", "delivered=1", "parked=0"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("second run: stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "feeds_seeded") {
		t.Errorf("second run: speaks of seeding:\n%s", r.stderr)
	}
}
