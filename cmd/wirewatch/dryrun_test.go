package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDryRunRecordsNothing: -dry-run prints what would be alerted, even for
// chat destinations with no token, and leaves the store as it was.
func TestDryRunRecordsNothing(t *testing.T) {
	fs := newFeedServer(t)
	u := fs.feed("/f", true)
	cfg := MustConfig(t, fmt.Sprintf("feeds:\n  - url: %s\n    backfill: 1\nwatches:\n  - query: Xinis\n    to: [stdout, \"slack:C42\"]\n", u))
	fs.add("/f", testItem{"1", "Xinis one", "https://d.example/1", "", t0}, testItem{"2", "Xinis two", "https://d.example/2", "", t0.Add(time.Hour)})

	for range 2 {
		r := runCLI(t, "", "run", "-once", "-dry-run", "-config", cfg)
		as := alertsOf(t, r.stdout)
		// backfill: 1 alerts on the newest item at the first poll, for
		// both destinations.
		if r.code != 0 || len(as) != 2 || as[0].Title != "Xinis two" || as[1].Title != "Xinis two" {
			t.Fatalf("dry run: code %d, alerts %+v, stderr %s", r.code, as, r.stderr)
		}
		// The log says what it did: printed, not delivered.
		if strings.Contains(r.stderr, "alert delivered") || strings.Count(r.stderr, "not delivered") != 2 {
			t.Errorf("dry-run log:\n%s", r.stderr)
		}
	}
	st := status(t, cfg)
	if st.Feeds[0].Result != "not polled yet" {
		t.Errorf("after dry runs the feed is %q, want not polled yet", st.Feeds[0].Result)
	}
}
