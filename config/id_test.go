package config

import (
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestConfigIDs: the ids the config file gives its feeds and watches are the
// ones wirewatch.ConfigID trusts, and the store's ids are not.
func TestConfigIDs(t *testing.T) {
	for i := range 12 {
		if id := FeedID(i); !wirewatch.ConfigID(id) {
			t.Errorf("FeedID(%d) = %q: not a config id", i, id)
		}
		if id := WatchID(i); !wirewatch.ConfigID(id) {
			t.Errorf("WatchID(%d) = %q: not a config id", i, id)
		}
	}
	for _, id := range []string{"f1", "w12", "", "cfg", "probe", " cfg-1"} {
		if wirewatch.ConfigID(id) {
			t.Errorf("ConfigID(%q): got true, want false", id)
		}
	}
}
