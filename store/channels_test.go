package store

import (
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// The channel settings are served from memory; every change made through
// the store must show in the next read, and a reopened file must hold it.
func TestChannelSettingsSeenAfterChange(t *testing.T) {
	db := MustOpen(t, nil)
	const a, b = wirewatch.Destination("slack:C1"), wirewatch.Destination("discord:9")
	check := func(dest wirewatch.Destination, wantDigest, wantQuiet string) {
		t.Helper()
		if got, err := db.ChannelDigestOf(dest); err != nil || got != wantDigest {
			t.Errorf("ChannelDigestOf(%s) = %q, %v; want %q", dest, got, err, wantDigest)
		}
		if got, err := db.ChannelQuietOf(dest); err != nil || got != wantQuiet {
			t.Errorf("ChannelQuietOf(%s) = %q, %v; want %q", dest, got, err, wantQuiet)
		}
	}
	check(a, "", "") // read once: the (empty) settings are now in memory
	if err := db.SetChannelDigest(a, "daily 08:00", "ann"); err != nil {
		t.Fatal(err)
	}
	check(a, "daily 08:00", "")
	if err := db.SetChannelQuiet(a, "22:00-06:00", "ann"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetChannelQuiet(b, "00:00-07:00", "bo"); err != nil {
		t.Fatal(err)
	}
	check(a, "daily 08:00", "22:00-06:00")
	check(b, "", "00:00-07:00")
	if err := db.SetChannelDigest(a, "off", "ann"); err != nil {
		t.Fatal(err)
	}
	check(a, "", "22:00-06:00")
	if set, err := db.ChannelQuiet(); err != nil || len(set) != 2 || set[b] != "00:00-07:00" {
		t.Errorf("ChannelQuiet() = %v, %v; want both channels", set, err)
	}
	db = reopen(t, db)
	check(a, "", "22:00-06:00")
	check(b, "", "00:00-07:00")
}

// Reads racing with changes: once a change has returned, no read may give
// the value from before it (a read begun earlier must not put its older
// copy back in memory).
func TestChannelSettingsNoStaleReadAfterChange(t *testing.T) {
	db := MustOpen(t, time.Now)
	const dest = wirewatch.Destination("slack:C1")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_, _ = db.ChannelQuietOf(dest)
				}
			}
		})
	}
	specs := []string{"22:00-06:00", "23:00-05:00"}
	for i := range 40 {
		want := specs[i%2]
		if err := db.SetChannelQuiet(dest, want, "ann"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.ChannelQuietOf(dest); err != nil || got != want {
			close(stop)
			wg.Wait()
			t.Fatalf("change %d: ChannelQuietOf = %q, %v; want %q", i, got, err, want)
		}
	}
	close(stop)
	wg.Wait()
}
