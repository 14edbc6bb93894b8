package config

import (
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	c, err := Parse([]byte("links:\n  - mdd:8:25-cv-00951 tnmd:3:25-cr-00115\n  - ca4:25-1345 scotus:24A949\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Links) != 2 {
		t.Fatalf("links %q", c.Links)
	}
	a, b, err := ParseLink(c.Links[1])
	if err != nil || a != (CaseID{"ca4", "25-1345"}) || b != (CaseID{"scotus", "24A949"}) {
		t.Errorf("ParseLink = %+v %+v %v", a, b, err)
	}
	for in, want := range map[string]string{
		"links:\n  - mdd:8:25-cv-00951\n":                         "links[0]",
		"links:\n  - zz:1-2 mdd:8:25-cv-00951\n":                  "not a case",
		"links:\n  - mdd:8:25-cv-00951 mdd:8:25-cv-951\n":         "the same",
		"links:\n  - mdd:8:25-cv-00951 ca4:hello\n":               "not a docket number",
		"links:\n  - mdd:8:25-cv-00951 ca4:25-1345 ca4:25-1346\n": "two cases",
	} {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", in, err, want)
		}
	}
}
