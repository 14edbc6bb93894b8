package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorsNameTheSourceOnce: an error names the file or URL once, not once
// per layer ("parse x: parse x: …").
func TestErrorsNameTheSourceOnce(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.xml")
	if err := os.WriteFile(truncated, []byte("<rss><channel><item><title>Xinis"), 0o600); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "page.html")
	if err := os.WriteFile(page, []byte("<!doctype html><html><body>Not a feed</body></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		file string
		want string
	}{
		{[]string{"inspect", truncated}, truncated, "truncated"},
		{[]string{"inspect", page}, page, "HTML page"},
	} {
		r := runCLI(t, "", tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: code %d, stderr %q; want 1 and the cause (%s)", tc.args, r.code, r.stderr, tc.want)
		}
		if n := strings.Count(r.stderr, tc.file); n != 1 {
			t.Errorf("%q: stderr names the file %d times, want once: %s", tc.args, n, r.stderr)
		}
	}
}
