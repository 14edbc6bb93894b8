package slack

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch/bot"
)

// TestHelpFits: /watch help is one reply, and replyText cuts what is over
// maxReply: a line added to the help must not push its end (the query
// syntax) out of sight.
func TestHelpFits(t *testing.T) {
	got := replyText(bot.Help)
	if n := utf8.RuneCountInString(esc(bot.Help, 1<<20)); n > maxReply {
		t.Errorf("help is %d characters once escaped, over the %d of a reply: shorten it", n, maxReply)
	}
	lines := strings.Split(bot.Help, "\n")
	if last := esc(lines[len(lines)-1], 1<<20); !strings.HasSuffix(got, last) {
		t.Errorf("help reply lost its end: ends %q, want %q", got[max(0, len(got)-80):], last)
	}
}
