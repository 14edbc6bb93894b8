package config

import (
	"strings"
	"testing"
)

func TestFeedFulltext(t *testing.T) {
	c, err := Parse([]byte("feeds:\n  - url: https://a.example/rss\n    fulltext: always\n  - url: https://b.example/rss\n"))
	if err != nil {
		t.Fatal(err)
	}
	fs := c.DomainFeeds()
	if fs[0].Fulltext != "always" || fs[1].Fulltext != "" {
		t.Errorf("fulltext = %q, %q; want always and unset", fs[0].Fulltext, fs[1].Fulltext)
	}
	for doc, want := range map[string]string{
		"feeds:\n  - url: https://a.example/rss\n    fulltext: yes\n":                     `feeds[0] (line 2).fulltext: "yes": want auto, always or never`,
		"feeds:\n  - url: https://a.example/rss\n    fulltext: Always\n":                  `"Always": want auto, always or never`,
		"feeds:\n  - url: https://a.example/rss\n    type: pacer\n    fulltext: always\n": "pacer feeds are docket feeds, whose links are never read",
	} {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to say %q", doc, err, want)
		}
	}
	if _, err := Parse([]byte("feeds:\n  - url: https://a.example/rss\n    type: pacer\n    fulltext: never\n")); err != nil {
		t.Errorf("fulltext: never on a docket feed: %v", err)
	}
}
