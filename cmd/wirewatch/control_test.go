package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// lockedBuffer is a log destination the daemon's goroutines write while
// the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startControlDaemon opens a Main on cfg (allow: the control socket's peer rule,
// nil for the default) and closes it at cleanup.
func startControlDaemon(t *testing.T, cfg string, allow func(uint32) bool, log *lockedBuffer) *Main {
	t.Helper()
	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: c, Env: env{stdout: &lockedBuffer{}, stderr: log, getenv: func(string) string { return "" }}, allowPeer: allow}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		m.Close()
	})
	return m
}

// TestControlSocketFolder: the control socket is created inside a folder
// of mode 0700 of its own, even under umask 0 and when the store's folder,
// or a control folder left from before, is open to everyone. Before, it was
// created beside the store with the umask's mode and only then set to 0600,
// so another local user could connect while it started.
func TestControlSocketFolder(t *testing.T) {
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(shared, "ww.db")
	// A folder left open by an older run is tightened.
	if err := os.Mkdir(controlDir(store), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(controlDir(store), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := MustConfig(t, fmt.Sprintf("store: %s\n", store))

	// umask is the process's: set it only while the daemon binds.
	old := syscall.Umask(0)
	startControlDaemon(t, cfg, nil, &lockedBuffer{})
	syscall.Umask(old)

	sock := socketPath(store)
	fi, err := os.Lstat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("%s: mode %s, want a socket", sock, fi.Mode())
	}
	dir := filepath.Dir(sock)
	if dir == shared {
		t.Fatalf("socket %s is in the store's folder, not in one of its own", sock)
	}
	di, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); !di.IsDir() || got != 0o700 {
		t.Errorf("%s: mode %s, want a folder with 0700", dir, di.Mode())
	}

	// The shell commands find the daemon there.
	r := runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", "Xinis")
	if r.code != 0 || !strings.Contains(r.stdout, "Added watch w1") {
		t.Fatalf("watch add through the daemon: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if st := status(t, cfg); !st.Daemon || len(st.Watches) != 1 {
		t.Errorf("status through the daemon: %+v", st)
	}
}

// TestControlSocketRefusesOtherUsers: the daemon reads each peer's uid from
// the kernel (SO_PEERCRED) and refuses one its rule rejects, with the reason
// in its log and in the command's error; the store is not touched. Before,
// anyone who reached the socket was served.
func TestControlSocketRefusesOtherUsers(t *testing.T) {
	store := filepath.Join(t.TempDir(), "ww.db")
	cfg := MustConfig(t, fmt.Sprintf("store: %s\n", store))
	var mu sync.Mutex
	var asked []uint32
	log := &lockedBuffer{}
	startControlDaemon(t, cfg, func(uid uint32) bool {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, uid)
		return false
	}, log)

	r := runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", "Xinis")
	if r.code == 0 || !strings.Contains(r.stderr, "control socket refused") || !strings.Contains(r.stderr, "neither the daemon's user nor root") {
		t.Errorf("watch add from a refused peer: exit %d, stderr %q; want an error saying why", r.code, r.stderr)
	}
	mu.Lock()
	if len(asked) == 0 || asked[len(asked)-1] != uint32(os.Getuid()) {
		t.Errorf("peer uids asked about: %v, want this process's %d", asked, os.Getuid())
	}
	mu.Unlock()
	if !strings.Contains(log.String(), "control socket: connection refused") || !strings.Contains(log.String(), "peer_uid=") {
		t.Errorf("daemon log lacks the refusal:\n%s", log.String())
	}
}

func TestSameUserOrRoot(t *testing.T) {
	allow := sameUserOrRoot(1000)
	for uid, want := range map[uint32]bool{1000: true, 0: true, 1001: false, 65534: false} {
		if got := allow(uid); got != want {
			t.Errorf("daemon uid 1000, peer uid %d: allowed %v, want %v", uid, got, want)
		}
	}
}
