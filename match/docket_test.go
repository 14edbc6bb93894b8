package match

import "testing"

func TestParseDocket(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical form, "" for not a docket number
	}{
		{"8:25-cv-00951", "8:25-cv-951"},
		{"8:25-cv-00951-PX", "8:25-cv-951"},
		{"1:12-cv-04402-PKC-CLP", "1:12-cv-4402"},
		{"25-cv-951", "25-cv-951"},
		{"8:25cv951", "8:25-cv-951"},
		{"25-CV-00951", "25-cv-951"},
		{"1:2025-cv-00951", "1:25-cv-951"},
		{"25–cv–951", "25-cv-951"},
		{"18-22414", "18-22414"},
		{"22-3054", "22-3054"},
		{"08:25-cv-1", "8:25-cv-1"},
		{"25951", ""},
		{"2025", ""},
		{"8:25-cv-00000", ""},
		{"8:25-cv-", ""},
		{"8:25-cv-12345678", ""},
		{"8:25-abcdef-1", ""},
		{"8:25-cv-951x", ""},
		{"8:25-cv-951-", ""},
		{"8:25-cv-951-ABCDEFG", ""},
		{"123:25-cv-951", ""},
		{"", ""},
	}
	for _, tt := range tests {
		d, ok := parseDocket(tt.in)
		got := ""
		if ok {
			got = d.String()
		}
		if got != tt.want {
			t.Errorf("parseDocket(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDocketMatches(t *testing.T) {
	q, _ := parseDocket("8:25-cv-00951")
	for in, want := range map[string]bool{
		"8:25-cv-951": true, "25-cv-951": true, "1:25-cv-951": false,
		"8:25-cr-951": false, "8:24-cv-951": false, "8:25-cv-952": false,
	} {
		d, ok := parseDocket(in)
		if !ok {
			t.Fatalf("parseDocket(%q) failed", in)
		}
		if got := q.matches(d); got != want {
			t.Errorf("8:25-cv-00951 matches %s = %v, want %v", in, got, want)
		}
	}
}
