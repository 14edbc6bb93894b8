package bot_test

import (
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// BenchmarkAlertsLinkedDockets measures what looking up a docket's family
// adds to matching one docket item: the baseline is the same watch list
// without a store of linked dockets.
func BenchmarkAlertsLinkedDockets(b *testing.B) {
	db := openStore(b)
	// A store with 1,000 linked pairs, the item's docket among them.
	for i := range 1000 {
		a := store.CaseRef{Court: "mdd", Number: "8:25-cv-" + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))}
		c := store.CaseRef{Court: "ca4", Number: "25-1" + string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))}
		if err := db.LinkCases(a, c, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	it := docketItem("e1", "mdd", "8:25-cv-951", "Abrego Garcia v. Noem", "61", "ORDER granting motion", time.Now())
	w := wirewatch.Watch{ID: "w1", Query: "case:8:25-cv-00951 OR Xinis", To: []wirewatch.Destination{"stdout"}}
	now := time.Now()
	b.Run("baseline-no-links", func(b *testing.B) {
		wl := mustWatchlist(b, w)
		for b.Loop() {
			_ = wl.Alerts(it, now, time.UTC)
		}
	})
	b.Run("with-links-unlinked-docket", func(b *testing.B) {
		wl := mustWatchlist(b, w)
		wl.SetCases(db, quietLog())
		other := docketItem("e2", "nysd", "8:25-cv-951", "Other v. Case", "3", "ORDER granting motion", now)
		for b.Loop() {
			_ = wl.Alerts(other, now, time.UTC)
		}
	})
	b.Run("with-links", func(b *testing.B) {
		wl := mustWatchlist(b, w)
		wl.SetCases(db, quietLog())
		for b.Loop() {
			if len(wl.Alerts(it, now, time.UTC)) != 1 {
				b.Fatal("no alert")
			}
		}
	})
}
