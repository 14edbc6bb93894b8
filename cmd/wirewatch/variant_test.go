package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMatchVariantsAndQueryEcho: wirewatch match reports a spelling variant
// as written in the text and refuses "~" where the rule does, with the
// position; check and watch add show each query as read.
func TestMatchVariantsAndQueryEcho(t *testing.T) {
	r := runCLI(t, "", "match", `"Joseph Mazzara~"`, "Joseph", "Mazarra", "testified")
	var out struct {
		Match bool     `json:"match"`
		Terms []string `json:"terms"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("match variant: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !out.Match || strings.Join(out.Terms, "|") != "Joseph Mazarra" {
		t.Errorf("match variant: got %+v, want the term Joseph Mazarra", out)
	}
	for _, tt := range []struct{ query, inErr string }{
		{"Noem~", "at least 5 letters"},
		{"deport*~", `"~" does not go with a prefix`},
	} {
		if r := runCLI(t, "", "match", tt.query, "text"); r.code != 2 || !strings.Contains(r.stderr, tt.inErr) {
			t.Errorf("match %s: code %d, stderr %q; want 2 and %q", tt.query, r.code, r.stderr, tt.inErr)
		}
	}

	cfg := MustConfig(t, "watches:\n  - query: '\"Abrego Garcia\" Xinis'\n    aliases: [Ábrego-García]\n    to: stdout\n")
	r = runCLI(t, "", "check", "-config", cfg)
	if want := `cfg-1  "Abrego Garcia" AND Xinis OR "Ábrego-García" → stdout`; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("check: code %d, stdout:\n%s\nwant a line with %q", r.code, r.stdout, want)
	}
	bad := MustConfig(t, "watches:\n  - query: Xinis\n    aliases: ['—']\n    to: stdout\n")
	if r := runCLI(t, "", "check", "-config", bad); r.code != 2 || !strings.Contains(r.stderr, "watches[0] (line 2).aliases[0]") {
		t.Errorf("check bad alias: code %d, stderr %q", r.code, r.stderr)
	}
	r = runCLI(t, "", "watch", "add", "-config", cfg, "-to", "stdout", `"Abrego Garcia" Xinis`)
	if want := `Added watch w1: "Abrego Garcia" AND Xinis`; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("watch add: code %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	r = runCLI(t, "", "watch", "alias", "-config", cfg, "w1", "Abrego", "Garcia-Xinis")
	if want := `Watch w1 now also matches Abrego Garcia-Xinis: "Abrego Garcia" AND Xinis OR "Abrego Garcia-Xinis".`; r.code != 0 || strings.TrimSpace(r.stdout) != want {
		t.Errorf("watch alias: code %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	if r := runCLI(t, "", "watch", "alias", "-config", cfg, "cfg-1", "Xinnis"); r.code != 2 || !strings.Contains(r.stderr, "config file") {
		t.Errorf("watch alias of a config watch: code %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI(t, "", "watch", "list", "-config", cfg); !strings.Contains(r.stdout, "also: Abrego Garcia-Xinis") {
		t.Errorf("watch list: %q, want the alias shown", r.stdout)
	}
}
