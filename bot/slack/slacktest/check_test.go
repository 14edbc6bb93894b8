package slacktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestCheck: the stand-in's message check finds what Slack would act on
// or refuse, and lets escaped text, links and date tokens through.
func TestCheck(t *testing.T) {
	section := func(s string) string {
		b, _ := json.Marshal([]map[string]any{{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": s}}})
		return string(b)
	}
	button := func(id, val, label string) string {
		b, _ := json.Marshal([]map[string]any{{"type": "actions", "elements": []any{
			map[string]any{"type": "button", "action_id": id, "value": val, "text": map[string]any{"type": "plain_text", "text": label}}}}})
		return string(b)
	}
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"type":"divider"},`, MaxBlocks+1), ",") + "]"
	for _, tc := range []struct {
		name, text, blocks, attachments, code string
	}{
		{"escaped", "&lt;!channel&gt; &lt;@U1&gt; @here", section("&lt;!here&gt; <https://x.example/a|a &lt;@U1&gt;>"), "", ""},
		{"date token", "<!date^1700000000^{date_short}|Nov 14>", "", "", ""},
		{"channel in text", "news <!channel>", "", "", "test_mention"},
		{"user in a block", "", section("hi <@U123>"), "", "test_mention"},
		{"channel link", "", section("see <#C1>"), "", "test_mention"},
		{"subteam in an attachment", "", "", `[{"fallback":"<!subteam^S1>"}]`, "test_mention"},
		{"plain_text is not parsed", "", button("a", "v", "<!channel>"), "", ""},
		{"51 blocks", "", many, "", "invalid_blocks"},
		{"long section", "", section(strings.Repeat("x", MaxBlockText+1)), "", "invalid_blocks"},
		{"long button value", "", button("a", strings.Repeat("v", MaxButtonVal+1), "l"), "", "invalid_blocks"},
		{"long button label", "", button("a", "v", strings.Repeat("l", MaxButtonText+1)), "", "invalid_blocks"},
		{"long text", strings.Repeat("x", MaxText+1), "", "", "msg_too_long"},
	} {
		if code, why := check(tc.text, tc.blocks, tc.attachments); code != tc.code {
			t.Errorf("%s: got %q (%s), want %q", tc.name, code, why, tc.code)
		}
	}
	if code, _ := check("", fmt.Sprintf(`[{"type":"actions","elements":[%s,%s]}]`,
		`{"type":"button","action_id":"a","value":"1","text":{"type":"plain_text","text":"x"}}`,
		`{"type":"button","action_id":"a","value":"2","text":{"type":"plain_text","text":"y"}}`), ""); code != "invalid_blocks" {
		t.Errorf("two buttons with one action_id: got %q", code)
	}
}
