package wirewatch

import (
	"strings"
	"testing"
)

func TestAlertControls(t *testing.T) {
	ids := func(cs []Control) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID())
		}
		return strings.Join(out, " ")
	}
	news := Alert{Thread: "watch:w1:2026-11-22", Watches: []string{"Abrego Garcia"}, WatchIDs: []string{"w1"}, Mentions: "8:25-cv-951"}
	if got, want := ids(news.Controls()), "mute:watch:w1:2026-11-22 stop:w1 follow:8:25-cv-951"; got != want {
		t.Errorf("news alert: got %s, want %s", got, want)
	}
	if l := news.Controls()[1].Label; l != "Stop this watch" {
		t.Errorf("one watch: stop label %q", l)
	}
	docket := Alert{Thread: "case:mdd:8:25-cv-00951", Watches: []string{"Xinis", "file", "a", "b", "c"},
		WatchIDs: []string{"cfg-1", "w2", "w3", "w4", "w5"}, Docket: &Docket{Number: "8:25-cv-00951"}, Mentions: "1:25-cv-1"}
	cs := docket.Controls()
	// No stop for the config file's watch, at most three, no follow on a
	// docket entry.
	if got, want := ids(cs), "mute:case:mdd:8:25-cv-00951 stop:w2 stop:w3 stop:w4"; got != want {
		t.Errorf("docket alert: got %s, want %s", got, want)
	}
	if cs[1].Label != "Stop watch w2" {
		t.Errorf("several watches: stop label %q", cs[1].Label)
	}
	long := Alert{Thread: "case:x:" + strings.Repeat("9", MaxControlArg)}
	if cs := long.Controls(); len(cs) != 0 {
		t.Errorf("thread key over %d: got %s, want no button", MaxControlArg, ids(cs))
	}
	for _, c := range append(news.Controls(), cs...) {
		if got, ok := ParseControlID(c.ID()); !ok || got.Action != c.Action || got.Arg != c.Arg {
			t.Errorf("ParseControlID(%q) = %+v, %v", c.ID(), got, ok)
		}
	}
	for _, bad := range []string{"", "mute", "mute:", "drop:w1", "stop:" + strings.Repeat("w", MaxControlArg+1)} {
		if _, ok := ParseControlID(bad); ok {
			t.Errorf("ParseControlID(%q): accepted", bad)
		}
	}
}
