package discord

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch/bot"
)

// TestHelpShownWhole: /watch help is longer than Discord's 2,000 characters
// once escaped; the reply must show all of it (the query syntax is at its
// end), within the limits, instead of being cut off.
func TestHelpShownWhole(t *testing.T) {
	d := ephemeral(bot.Help).Data
	if n := utf8.RuneCountInString(d.Content); n > maxContent {
		t.Errorf("content has %d characters, over %d", n, maxContent)
	}
	shown := d.Content
	for _, e := range d.Embeds {
		if n := utf8.RuneCountInString(e.Description); n > maxDescription {
			t.Errorf("embed description has %d characters, over %d", n, maxDescription)
		}
		shown += "\n" + e.Description
	}
	if want := escape(strings.TrimSpace(bot.Help)); shown != want {
		t.Errorf("help reply is not the whole help: shown %d characters of %d, ending %q", len(shown), len(want), shown[max(0, len(shown)-60):])
	}
}

// TestLongReplyWithoutLines: a reply too long for one message and with no
// line to cut at is cut with an ellipsis, within the limit.
func TestLongReplyWithoutLines(t *testing.T) {
	d := ephemeral(strings.Repeat("x", 3*maxContent)).Data
	if n := utf8.RuneCountInString(d.Content); n != maxContent || !strings.HasSuffix(d.Content, "…") || d.Embeds != nil {
		t.Errorf("got %d characters, embeds %v", n, d.Embeds)
	}
}
