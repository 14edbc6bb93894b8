package discord

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
)

// TestPostNotice: a notice goes in the thread named, or in the channel, as
// escaped text with no mentions allowed; a forum's root refuses it.
func TestPostNotice(t *testing.T) {
	f := textFake(t)
	f.AddChannel(discordtest.Channel{ID: forumCh, Type: discordgo.ChannelTypeGuildForum})
	d := f.adapter(t, nil)
	a := posterAlert(textCh, 1, "First story")
	th := openThread(t, d, a)
	if err := d.PostNotice(ctx, th, "⚠️ the feed “@everyone **loud**” is not working"); err != nil {
		t.Fatal(err)
	}
	if err := d.PostNotice(ctx, wirewatch.Thread{To: a.To}, "✅ works again"); err != nil {
		t.Fatal(err)
	}
	in, root := f.Messages(th.Ref), f.Messages(textCh)
	if len(in) != 1 || len(root) != 2 || !strings.Contains(root[1].Content, "works again") {
		t.Fatalf("%d in the thread, %d in the channel; want the notice in each", len(in), len(root))
	}
	if c := in[0].Content; strings.Contains(c, "@everyone") || strings.Contains(c, "**loud**") {
		t.Errorf("notice %q, want the feed's name escaped", c)
	}
	for _, r := range f.requests("POST", "/api/v9/channels/") {
		if strings.Contains(string(r.Body), "notice") || strings.Contains(string(r.Body), "works again") {
			if !strings.Contains(string(r.Body), `"allowed_mentions":{"parse":[]`) {
				t.Errorf("notice posted without empty allowed_mentions: %s", r.Body)
			}
		}
	}
	err := d.PostNotice(ctx, wirewatch.Thread{To: wirewatch.Destination("discord:" + forumCh)}, "⚠️")
	if c := wirewatch.Class(err); err == nil || !c.Permanent {
		t.Errorf("notice at a forum's root = %v, want a permanent refusal", err)
	}
}
