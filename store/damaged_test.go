package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// bbolt's page header: id (8 bytes), flags (2), count (2), overflow (4).
const (
	pageHeader   = 16
	pageBranch   = 0x01
	pageLeaf     = 0x02
	pageFreelist = 0x10
)

// filledStore writes a store with enough in it to have branch pages (many
// seen items, two outboxes, parked alerts, watches, feeds) and returns its
// path, closed.
func filledStore(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "ww.db")
	db, err := Open(path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	to := []wirewatch.Destination{"slack:C1", "discord:2"}
	alerts := func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{{To: to[len(it.ID)%2], Title: it.Title, Thread: "t", Summary: strings.Repeat("x", 200)}}
	}
	for batch := range 10 {
		items := make([]wirewatch.Item, 300)
		for i := range items {
			items[i] = item(batch*300 + i)
		}
		if _, err := db.Ingest("cfg-1", &wirewatch.FeedState{Seeded: true}, items, alerts); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range 40 {
		if _, err := db.AddWatch(wirewatch.Watch{Query: fmt.Sprintf("term%d", i), To: to[:1], AddedBy: "u"}); err != nil {
			tb.Fatal(err)
		}
		if _, err := db.AddFeed(wirewatch.Feed{URL: fmt.Sprintf("https://news.example/%d.xml", i)}); err != nil {
			tb.Fatal(err)
		}
	}
	pending, err := db.Pending(to[1], 50)
	if err != nil {
		tb.Fatal(err)
	}
	for _, a := range pending {
		if err := db.Park(a, "refused"); err != nil {
			tb.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// corrupt rewrites every page of the file whose type is in types with what
// spoil makes of it.
func corrupt(tb testing.TB, path string, types uint16, spoil func(page []byte)) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	// The page size is in the first meta page, after its header, magic and
	// version.
	size := int(binary.LittleEndian.Uint32(data[pageHeader+8:]))
	n := 0
	for off := 2 * size; off+size <= len(data); off += size {
		if binary.LittleEndian.Uint16(data[off+8:])&types != 0 {
			spoil(data[off : off+size])
			n++
		}
	}
	if n == 0 {
		tb.Fatalf("no page of type %#x in %d bytes", types, len(data))
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// TestDamagedStoreNeverPanics damages a real store file in several ways and
// calls every public function that reads or writes it: each returns (an error
// naming the damage, or a result), none panics. Before view/update recovered
// bbolt's panics, zeroed branch pages and garbage leaves panicked in Depths,
// Watches and Ingest.
func TestDamagedStoreNeverPanics(t *testing.T) {
	garbage := func(seed uint64, from int) func([]byte) {
		r := rand.New(rand.NewPCG(seed, seed))
		return func(p []byte) {
			for i := from; i < len(p); i++ {
				p[i] = byte(r.Uint32())
			}
		}
	}
	zero := func(p []byte) { clear(p) }
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		// want says whether the damage must be detected: some leave bbolt
		// able to read what the calls below ask for.
		wantDamaged bool
	}{
		{"zeroed branch pages", func(t *testing.T, path string) { corrupt(t, path, pageBranch, zero) }, true},
		{"garbage leaf bodies", func(t *testing.T, path string) { corrupt(t, path, pageLeaf, garbage(1, pageHeader)) }, true},
		{"garbage leaf pages", func(t *testing.T, path string) { corrupt(t, path, pageLeaf, garbage(2, 0)) }, true},
		{"garbage branch bodies", func(t *testing.T, path string) { corrupt(t, path, pageBranch, garbage(3, pageHeader)) }, true},
		{"garbage freelist", func(t *testing.T, path string) { corrupt(t, path, pageFreelist, garbage(4, 8)) }, true},
		{"zeroed meta pages", func(t *testing.T, path string) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			size := int(binary.LittleEndian.Uint32(data[pageHeader+8:]))
			clear(data[:2*size])
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"truncated to a third", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()/3); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	// One store, filled once, copied for each kind of damage.
	filled, err := os.ReadFile(filledStore(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ww.db")
			if err := os.WriteFile(path, filled, 0o600); err != nil {
				t.Fatal(err)
			}
			c.damage(t, path)
			errs := useAll(t, path)
			damaged := 0
			for call, err := range errs {
				if errors.Is(err, ErrDamaged) {
					damaged++
					if msg := err.Error(); !strings.Contains(msg, "copy.db: ") || !strings.Contains(msg, "bbolt@v1.5.0 check") || !strings.Contains(msg, "copy.db`") || !strings.Contains(msg, "backup") {
						t.Errorf("%s: got %q, want the file, bbolt's check command and a backup named", call, msg)
					}
				}
			}
			t.Logf("%d calls failed, %d said damaged", len(errs), damaged)
			if c.wantDamaged && damaged == 0 {
				t.Errorf("no call said the store is damaged; errors: %v", errs)
			}
		})
	}
}

// useAll calls each public function of the store on its own copy of the
// file at path (so each meets the damage first), and returns their errors
// by name. A panic fails the test, naming the call; so does a damage
// reported without Damaged being closed, or a Close that does not return.
func useAll(t *testing.T, path string) map[string]error {
	t.Helper()
	to := wirewatch.Destination("slack:C1")
	now := time.Now()
	calls := []struct {
		name string
		fn   func(db *DB) error
	}{
		{"Watches", func(db *DB) error { _, err := db.Watches(); return err }},
		{"Feeds", func(db *DB) error { _, err := db.Feeds(); return err }},
		{"FeedStates", func(db *DB) error { _, err := db.FeedStates(); return err }},
		{"Depths", func(db *DB) error { _, err := db.Depths(); return err }},
		{"ParkedAlerts", func(db *DB) error { _, err := db.ParkedAlerts(); return err }},
		{"Audit", func(db *DB) error { _, err := db.Audit(20); return err }},
		{"Pending", func(db *DB) error { _, err := db.Pending(to, 100); return err }},
		{"Recent", func(db *DB) error { _, err := db.Recent(100); return err }},
		{"Thread", func(db *DB) error { _, err := db.Thread(to, "t"); return err }},
		{"SeenCount", func(db *DB) error { db.SeenCount(); return nil }},
		{"Unseen", func(db *DB) error { _, err := db.Unseen([]wirewatch.Item{item(1), item(2999)}); return err }},
		{"Ingest", func(db *DB) error {
			_, err := db.Ingest("cfg-1", &wirewatch.FeedState{}, []wirewatch.Item{item(1), item(5000)},
				func(it wirewatch.Item) []wirewatch.Alert { return []wirewatch.Alert{{To: to, Title: it.Title}} })
			return err
		}},
		{"AddWatch", func(db *DB) error { _, err := db.AddWatch(wirewatch.Watch{Query: "new"}); return err }},
		{"AddFeed", func(db *DB) error {
			_, err := db.AddFeed(wirewatch.Feed{URL: "https://other.example/feed"})
			return err
		}},
		{"DropWatch", func(db *DB) error { _, err := db.DropWatch("w1", "u", nil); return err }},
		{"Requeue", func(db *DB) error { _, err := db.Requeue("discord:2"); return err }},
		{"Prune", func(db *DB) error { _, err := db.Prune(now.Add(time.Hour)); return err }},
		{"PruneThreads", func(db *DB) error { _, err := db.PruneThreads(now.Add(time.Hour)); return err }},
		{"SeenHookKey", func(db *DB) error { _, err := db.SeenHookKey("k", now.Add(-time.Hour)); return err }},
		{"PutHookKey", func(db *DB) error { return db.PutHookKey("k", now, now.Add(-time.Hour)) }},
	}
	catch := func(name string, fn func() error) (err error) {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s panicked: %v", name, p)
			}
		}()
		return fn()
	}
	damaged, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]error{}
	for _, c := range calls {
		cp := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(cp, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		var db *DB
		if err := catch("Open", func() (err error) { db, err = Open(cp, Options{Timeout: time.Second}); return err }); err != nil || db == nil {
			errs["Open"] = err
			return errs // every call would stop there alike
		}
		if err := catch(c.name, func() error { return c.fn(db) }); err != nil {
			errs[c.name] = err
			if errors.Is(err, ErrDamaged) && !errors.Is(db.Err(), ErrDamaged) {
				t.Errorf("%s said damaged, but Err() = %v", c.name, db.Err())
			}
		}
		// Close returns, even when the panic left bbolt's locks held.
		catch("Close", db.Close)
	}
	return errs
}
