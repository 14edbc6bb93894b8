package match

import "testing"

func TestFirstDocketNumber(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"district", "Judge Xinis, in case 8:25-cv-00951-PX, ordered", "8:25-cv-951"},
		{"no office", "The suit (No. 25-cv-951) was filed", "25-cv-951"},
		{"supreme court application", "application 24A949 was granted", "24-a-949"},
		{"typographic dash", "case 1:25–cr–00115 in Tennessee", "1:25-cr-115"},
		{"first of two", "25-cv-1 and 25-cv-2", "25-cv-1"},
		{"no case type", "ages 18-24 and the 2025-11-22 hearing", ""},
		{"inside a word", "ref X8:25-cv-951", ""},
		{"none", "no numbers here", ""},
		{"range then number", "pages 10-12 of 8:25-cv-00951", "8:25-cv-951"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FirstDocketNumber(tt.text); got != tt.want {
				t.Errorf("FirstDocketNumber(%q) = %q, want %q", tt.text, got, tt.want)
			}
			if tt.want != "" {
				if _, err := Parse("case:" + tt.want); err != nil {
					t.Errorf("case:%s does not parse: %v", tt.want, err)
				}
			}
		})
	}
}
