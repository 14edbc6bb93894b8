package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// damagedStore writes a store at path with enough watches to need a branch
// page, then zeroes every branch page (a bad disk block, a torn copy).
func damagedStore(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		if _, err := db.AddWatch(wirewatch.Watch{Query: fmt.Sprintf("term%d", i), To: []wirewatch.Destination{wirewatch.Stdout}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt's page header is id (8 bytes), flags (2)…; the first meta page
	// holds the page size after its header, magic and version.
	size := int(binary.LittleEndian.Uint32(data[16+8:]))
	zeroed := 0
	for off := 2 * size; off+size <= len(data); off += size {
		if binary.LittleEndian.Uint16(data[off+8:])&0x01 != 0 {
			clear(data[off : off+size])
			zeroed++
		}
	}
	if zeroed == 0 {
		t.Fatal("no branch page to damage")
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedStoreRunAndStatus: run and status on a store with damaged pages
// exit 1 with a message naming the file and what to do, instead of a bbolt
// panic's stack trace.
func TestDamagedStoreRunAndStatus(t *testing.T) {
	for _, cmd := range [][]string{{"status"}, {"run", "-once"}} {
		t.Run(cmd[0], func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ww.db")
			damagedStore(t, db)
			cfg := MustConfig(t, fmt.Sprintf("store: %s\nwatches:\n  - query: Xinis\n    to: [stdout]\n", db))
			r := runCLI(t, "", append(cmd, "-config", cfg)...)
			if r.code != exitFailure {
				t.Errorf("exit: got %d, want %d (stderr %q)", r.code, exitFailure, r.stderr)
			}
			for _, want := range []string{db, "damaged", "bbolt", "check", "backup"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q lacks %q", r.stderr, want)
				}
			}
		})
	}
}

// TestDamagedWhileRunning: when the store file is damaged under a running
// daemon, the first transaction that meets it stops the daemon with the
// damage named, instead of every poll and delivery failing alike forever.
func TestDamagedWhileRunning(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ww.db")
	cfg := MustConfig(t, fmt.Sprintf("store: %s\n", db))
	c, err := loadConfig(cfg, env{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: c, Env: env{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, getenv: func(string) string { return "" }}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	// Zero every page but the two meta pages: the root bucket's page no
	// longer says what it is.
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	size := int(binary.LittleEndian.Uint32(data[16+8:]))
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, len(data)-2*size), int64(2*size)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// A status request reads the store.
	r := runCLI(t, "", "status", "-config", cfg)
	if r.code == 0 {
		t.Errorf("status on a damaged store: exit 0, stdout %q", r.stdout)
	}
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), "bbolt") {
			t.Errorf("Run: got %v, want ErrDamaged with what to do", err)
		}
	case <-time.After(20 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("the daemon kept running on a damaged store")
	}
}
