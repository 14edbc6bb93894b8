package config

import (
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch"
)

func TestChannelsDigest(t *testing.T) {
	c, err := Parse([]byte("channels:\n  \"slack:C1\":\n    digest: daily 08:00\n  \"discord:12\":\n    digest: hourly\n  \"slack:C2\":\n    digest: \"off\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Digests()
	if len(got) != 2 || got["slack:C1"] != (wirewatch.Digest{At: 8 * 60}) || !got["discord:12"].Hourly {
		t.Errorf("digests %+v", got)
	}
	c, err = Parse([]byte("channels:\n  \"slack:C1\":\n    quiet: \"22:00-07:00\"\n  \"discord:12\":\n    quiet: \"off\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if q := c.Quiet(); len(q) != 1 || q["slack:C1"] != (wirewatch.Quiet{From: 22 * 60, To: 7 * 60}) {
		t.Errorf("quiet %+v", q)
	}
	for doc, want := range map[string]string{
		"channels:\n  \"slack:C1\":\n    digest: weekly\n":      `channels["slack:C1"].digest "weekly": want off, hourly or daily HH:MM`,
		"channels:\n  \"slack:general\":\n    digest: hourly\n": `channels["slack:general"]`,
		"channels:\n  stdout:\n    digest: hourly\n":            "digests are for chat channels",
		"channels:\n  \"slack:C1\":\n    quiet: 22:00\n":        `channels["slack:C1"].quiet "22:00": want off or HH:MM-HH:MM`,
		"channels:\n  stdout:\n    quiet: 22:00-07:00\n":        "quiet hours are for chat channels",
		"channels:\n  \"slack:C1\":\n    loud: 22:00-07:00\n":   "unknown key",
	} {
		if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", doc, err, want)
		}
	}
}
