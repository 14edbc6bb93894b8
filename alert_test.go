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

// An "also in" alert repeats its story's first alert: a list shows the
// outlets it adds, not the story's own link and source again.
func TestAlertListed(t *testing.T) {
	story := Alert{Title: "Judge orders return", Link: "https://first.example/a", Source: "First Wire"}
	if title, link, source := story.Listed(); title != "Judge orders return" || link != story.Link || source != "First Wire" {
		t.Errorf("plain alert listed as %q, %q, %q", title, link, source)
	}
	also := story
	also.AlsoIn = []Outlet{{Source: "Second Daily", Link: "https://second.example/b"}, {Link: "https://third.example/c"}, {Source: "Fourth Post"}}
	title, link, source := also.Listed()
	if title != "Also in: Judge orders return" || link != "https://second.example/b" || source != "Second Daily, Fourth Post" {
		t.Errorf("also-in alert listed as %q, %q, %q; want the outlets it adds", title, link, source)
	}
}
