package wirewatch

import "testing"

func TestAlertHeadline(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Alert
		want string
	}{
		{"title", Alert{Title: "  Judge orders return  ", Docket: &Docket{ShortDescription: "Order"}}, "Judge orders return"},
		{"docket entry without a title", Alert{Title: " ", Docket: &Docket{ShortDescription: " Order "}}, "Order"},
		{"nothing", Alert{Docket: &Docket{}}, "(untitled)"},
		{"no docket", Alert{}, "(untitled)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Headline(); got != tc.want {
				t.Errorf("Headline: got %q, want %q", got, tc.want)
			}
		})
	}
}
