package config

import (
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

func TestWatchBroadcast(t *testing.T) {
	c, err := Parse([]byte("watches:\n  - query: x\n    to: stdout\n    broadcast: never\n  - query: y\n    to: stdout\n"))
	if err != nil {
		t.Fatal(err)
	}
	ws := c.DomainWatches()
	if ws[0].Broadcast != wirewatch.BroadcastNever || ws[1].Broadcast != "" {
		t.Errorf("broadcast %q, %q; want never and unset (auto)", ws[0].Broadcast, ws[1].Broadcast)
	}
	_, err = Parse([]byte("watches:\n  - query: x\n    to: stdout\n    broadcast: loud\n"))
	if err == nil || !strings.Contains(err.Error(), "watches[0] (line 2).broadcast") || !strings.Contains(err.Error(), "auto, always or never") {
		t.Errorf("err = %v, want one naming watches[0].broadcast and the choices", err)
	}
}
