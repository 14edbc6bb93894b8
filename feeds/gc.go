package feeds

import "runtime/debug"

// GCPercent is the garbage collector's target (debug.SetGCPercent) the
// daemon runs with unless the environment sets GOGC: the heap may grow to
// three times what is live between collections instead of twice. Parsing
// a feed allocates about 30 times the bytes of its body (gofeed and
// encoding/xml) against a live heap of some 20 MB at 10,000 feeds, so at
// Go's default of 100 the collector ran every few MB allocated: during
// seeding, 200 takes 7–13% off the CPU (BENCHMARKS.md, "Seeding CPU")
// for about 20 MB more heap at 10,000 feeds. GOMEMLIMIT still bounds it.
const GCPercent = 200

// SetGC sets GCPercent unless getenv("GOGC") chose a setting.
func SetGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
