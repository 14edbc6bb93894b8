package feeds

import (
	"runtime/debug"
	"testing"
)

// TestSetGC: GCPercent unless GOGC is set, which is left to the runtime.
func TestSetGC(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	SetGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Fatalf("GOGC unset: GC percent %d, want %d", got, GCPercent)
	}
	SetGC(func(k string) string {
		if k == "GOGC" {
			return "100"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC=100: GC percent %d, want the runtime's 100", got)
	}
}
