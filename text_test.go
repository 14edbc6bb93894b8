package wirewatch

import (
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipAndEllipsize(t *testing.T) {
	tests := []struct {
		s          string
		n          int
		clip, ellp string
	}{
		{"abc", 5, "abc", "abc"},
		{"abcdef", 5, "abcde", "ab…"},
		{"ÁÁÁ", 3, "Á", "…"},
		{"ÁÁÁ", 5, "ÁÁ", "Á…"},
		{"", 0, "", ""},
	}
	for _, tt := range tests {
		if got := Clip(tt.s, tt.n); got != tt.clip {
			t.Errorf("Clip(%q, %d): got %q, want %q", tt.s, tt.n, got, tt.clip)
		}
		if got := Ellipsize(tt.s, tt.n); got != tt.ellp || len(got) > max(tt.n, len("…")) || !utf8.ValidString(got) {
			t.Errorf("Ellipsize(%q, %d): got %q, want %q", tt.s, tt.n, got, tt.ellp)
		}
	}
}

func TestIDLess(t *testing.T) {
	ids := []string{"w10", "cfg-10", "w2", "f1", "cfg-2", "w1"}
	sort.Slice(ids, func(i, j int) bool { return IDLess(ids[i], ids[j]) })
	if got, want := strings.Join(ids, " "), "cfg-2 cfg-10 f1 w1 w2 w10"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
