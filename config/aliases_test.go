package config

import (
	"slices"
	"strings"
	"testing"
)

func TestWatchAliases(t *testing.T) {
	c, err := Parse([]byte("watches:\n  - query: '\"Joseph Mazzara~\"'\n    aliases: [Mazarra, \"Joe Mazzara\"]\n    to: stdout\n"))
	if err != nil {
		t.Fatal(err)
	}
	ws := c.DomainWatches()
	if got := ws[0].Aliases; !slices.Equal(got, []string{"Mazarra", "Joe Mazzara"}) {
		t.Errorf("aliases: got %q, want [Mazarra Joe Mazzara]", got)
	}
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"no letters", "watches:\n  - query: x\n    aliases: [ok, '—']\n    to: stdout\n",
			[]string{"watches[0] (line 2).aliases[1]", "has no letters or digits"}},
		{"too long", "watches:\n  - query: x\n    aliases: ['" + strings.Repeat("a", 101) + "']\n    to: stdout\n",
			[]string{"watches[0] (line 2).aliases[0]", "longer than 100 characters"}},
		{"too many", "watches:\n  - query: x\n    aliases: [a, b, c, d, e, f, g, h, i, j, k]\n    to: stdout\n",
			[]string{"watches[0] (line 2).aliases", "at most 10 aliases"}},
		{"not a list", "watches:\n  - query: x\n    aliases: {a: b}\n    to: stdout\n", []string{"line 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("got no error, want one with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}
