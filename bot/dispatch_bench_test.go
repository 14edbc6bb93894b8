package bot

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// BenchmarkDispatch delivers a burst of 200 alerts in one thread through
// the dispatcher and a real bbolt store, to a Poster that answers at once,
// so what is measured is the dispatcher's own work: for a chat Poster the
// in-flight mark, the delivery record and the coalesced top edits; for
// stdout (flat) the delivery record alone. Baseline: store.Delivered of
// each alert with its thread, one transaction an alert, which is the least
// any delivery that survives a crash costs.
func BenchmarkDispatch(b *testing.B) {
	const burst = 200
	to := wirewatch.Destination("slack:C1")
	// fill returns a fresh store with the burst queued, outside the timer.
	fill := func(b *testing.B) *store.DB {
		b.StopTimer()
		defer b.StartTimer()
		db, err := store.Open(filepath.Join(b.TempDir(), "wirewatch.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var as []wirewatch.Alert
		for i := range burst {
			as = append(as, alert(to, "k", fmt.Sprint("item ", i)))
		}
		queue(b, db, as...)
		return db
	}
	closeDB := func(b *testing.B, db *store.DB) {
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			db := fill(b)
			pending, err := db.Pending(to, burst)
			if err != nil || len(pending) != burst {
				b.Fatalf("pending %d, %v", len(pending), err)
			}
			th := wirewatch.Thread{Key: "k", To: to}
			for _, a := range pending {
				th = advance(th, a, time.Now(), true)
				if err := db.Delivered(a, th); err != nil {
					b.Fatal(err)
				}
			}
			closeDB(b, db)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*burst), "ns/alert")
	})
	for _, c := range []struct {
		name string
		p    wirewatch.Poster
	}{
		{"chat", &fakePoster{}},
		{"stdout", NewWriter(io.Discard)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				db := fill(b)
				d := NewDispatcher(db, DispatcherOptions{Posters: map[string]wirewatch.Poster{"slack": c.p}})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- d.Run(ctx) }()
				if err := d.WaitEmpty(ctx); err != nil {
					b.Fatal(err)
				}
				cancel()
				<-done
				closeDB(b, db)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*burst), "ns/alert")
		})
	}
}
