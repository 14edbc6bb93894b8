package match

import (
	"fmt"
	"testing"
)

func TestSpans(t *testing.T) {
	tests := []struct {
		text  string
		terms []string
		want  string
	}{
		{"Police said ICE agents came.", []string{"ICE"}, "[[12 15]]"},
		{"Judge Xinis's order on ÁBREGO-GARCÍA", []string{"Xinis", "Abrego Garcia"}, "[[6 11] [23 38]]"},
		{"policeman", []string{"ice"}, "[]"},
		{"Abrego Garcia and Garcia", []string{"Abrego Garcia", "Garcia"}, "[[0 13] [18 24]]"},
		{"a \"quoted\" or AND", []string{`"or"`, "AND"}, "[[11 13] [14 17]]"},
		{"İstanbul court", []string{"istanbul"}, "[[0 9]]"},
		{"nothing", nil, "[]"},
		{"Abrego~Garcia and Maz*ara", []string{"Abrego~Garcia", "Maz*ara"}, "[[0 13] [18 25]]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(Spans(tt.text, tt.terms)); got != tt.want {
			t.Errorf("Spans(%q, %q): got %s, want %s", tt.text, tt.terms, got, tt.want)
		}
	}
}
