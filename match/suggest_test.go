package match

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	tests := []struct {
		name, query, text string
		want              string // suggestions joined by "|"
	}{
		{"phrase variant", `"Joseph Mazzara"`, "Joseph Mazarra testified on Tuesday", "Joseph Mazarra"},
		{"as written", `"Joseph Mazzara"`, "JOSEPH MAZÁRRA", "JOSEPH MAZÁRRA"},
		{"two edits", `"Joseph Mazzara"`, "Joseph Mazzora spoke", "Joseph Mazzora"},
		{"three edits", `"Joseph Mazzara"`, "Joseph Mozzoro spoke", ""},
		{"other first letter", `"Joseph Mazzara"`, "Joseph Lazzara spoke", ""},
		{"no context", `"Joseph Mazzara"`, "Mazarra spoke", ""},
		{"matched already", `"Joseph Mazzara" OR ICE`, "Joseph Mazarra and ICE", ""},
		{"variant matches already", `"Joseph Mazzara~"`, "Joseph Mazarra", ""},
		{"short word", `"Kristi Noem"`, "Kristi Neom said", ""},
		{"lone word with context", `Mazzara AND ICE`, "ICE agents and Mazarra", "Mazarra"},
		{"lone word without context", `Mazzara AND ICE`, "agents and Mazarra", ""},
		{"lone word alone", `Mazzara`, "Mazarra", ""},
		{"negated", `ICE -Mazzara`, "ICE and Mazarra", ""},
		{"each once", `"Joseph Mazzara"`, "Joseph Mazarra, then joseph mazarra and Joseph Mazara", "Joseph Mazarra|Joseph Mazara"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(MustParse(t, tt.query).Suggest(Doc{Text: tt.text}), "|")
			if got != tt.want {
				t.Errorf("Suggest(%q, %q) = %q, want %q", tt.query, tt.text, got, tt.want)
			}
		})
	}
	// A suggestion taken as an alias makes the item match.
	q := MustParse(t, `"Joseph Mazzara"`)
	d := Doc{Title: "Joseph Mazarra testified"}
	s := q.Suggest(d)
	qa, err := q.WithAliases(s...)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := qa.Match(d); !ok || len(s) != 1 {
		t.Errorf("with the suggested alias %q the item does not match", s)
	}
	if got := editDistance([]rune("mazara"), []rune("amzaar")); got != 2 {
		t.Errorf("editDistance = %d, want 2", got)
	}
}
