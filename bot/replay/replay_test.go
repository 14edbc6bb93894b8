package replay

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestFirstThenReplayThenExpired(t *testing.T) {
	var g Guard
	t0 := time.Unix(1_700_000_000, 0)
	exp := t0.Add(5 * time.Minute)
	if !g.First("a", t0, exp) {
		t.Fatal("first delivery of a: got replay")
	}
	if g.First("a", t0.Add(4*time.Minute), exp) {
		t.Error("a again within its window: got first, want replay")
	}
	if !g.First("b", t0.Add(time.Minute), exp) {
		t.Error("b: got replay, want first")
	}
	// Past its expiry the signature check refuses it anyway: forgotten.
	if !g.First("a", exp, exp.Add(5*time.Minute)) {
		t.Error("a after its expiry: got replay, want first")
	}
	if g.First("a", exp.Add(time.Minute), exp.Add(5*time.Minute)) {
		t.Error("a remembered again: got first, want replay")
	}
	// b expired too and went with the prune.
	if n := g.Len(); n != 1 {
		t.Errorf("Len: got %d, want 1", n)
	}
}

func TestBounded(t *testing.T) {
	var g Guard
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 3 * Max {
		if !g.First(fmt.Sprint(i), t0, t0.Add(time.Hour)) {
			t.Fatalf("key %d: got replay", i)
		}
	}
	if n := g.Len(); n != Max {
		t.Errorf("Len: got %d, want %d", n, Max)
	}
	// The newest are kept, the oldest went first.
	if g.First(fmt.Sprint(3*Max-1), t0, t0.Add(time.Hour)) {
		t.Error("newest key: got first, want replay")
	}
	if !g.First("0", t0, t0.Add(time.Hour)) {
		t.Error("oldest key: got replay, want first (evicted)")
	}
}

// TestConcurrentFirst: of many goroutines delivering the same key at once,
// exactly one is first.
func TestConcurrentFirst(t *testing.T) {
	var g Guard
	t0 := time.Unix(1_700_000_000, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for range 32 {
		wg.Go(func() {
			if g.First("same", t0, t0.Add(time.Minute)) {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("got %d first deliveries, want 1", firsts)
	}
}

// brokenStore fails every call, as a damaged store file would.
type brokenStore struct{ calls int }

func (b *brokenStore) Seen(string, time.Time) (bool, error) {
	b.calls++
	return false, fmt.Errorf("store broken")
}

func (b *brokenStore) Put(string, time.Time) error {
	b.calls++
	return fmt.Errorf("store broken")
}

// TestStoreErrorFallsBackToMemory: a store that fails neither blocks a
// command nor lets its copy through: memory decides.
func TestStoreErrorFallsBackToMemory(t *testing.T) {
	bs := &brokenStore{}
	g := Guard{Store: bs}
	t0 := time.Unix(1_700_000_000, 0)
	exp := t0.Add(5 * time.Minute)
	if !g.First("a", t0, exp) {
		t.Fatal("first delivery with a failing store: got replay, want it run")
	}
	if g.First("a", t0.Add(time.Minute), exp) {
		t.Error("a again with a failing store: got first, want replay (from memory)")
	}
	if bs.calls != 2 {
		t.Errorf("store calls = %d, want 2 (Seen and Put for the first delivery only)", bs.calls)
	}
}
