package slacktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Slack's message limits, as the stand-in enforces them
// (https://docs.slack.dev/reference/block-kit/blocks).
const (
	MaxBlocks     = 50
	MaxBlockText  = 3000 // a text object (section, context element)
	MaxElements   = 25   // an actions block's elements
	MaxContext    = 10   // a context block's elements
	MaxButtonText = 75
	MaxButtonVal  = 2000
	MaxActionID   = 255
	MaxText       = 40000 // a message's text
)

// check reads a message's text, blocks and attachments as Slack would and
// says what is wrong with them: a limit broken (Slack answers
// invalid_blocks or msg_too_long) or a mention that would ping (<!channel>,
// <!here>, <!subteam^…>, <@U…>) or link a channel (<#C…>) in text Slack
// parses, which wirewatch never sends: its own text is escaped, and
// nothing else it posts may mention anyone. Date tokens (<!date^…>) are
// wirewatch's own.
func check(text, blocks, attachments string) (code, why string) {
	if utf8.RuneCountInString(text) > MaxText {
		return "msg_too_long", fmt.Sprintf("text has %d characters", utf8.RuneCountInString(text))
	}
	if m := ping(text); m != "" {
		return "test_mention", "text mentions " + m
	}
	if blocks != "" {
		var bl []map[string]any
		if err := json.Unmarshal([]byte(blocks), &bl); err != nil {
			return "invalid_blocks_format", err.Error()
		}
		if len(bl) > MaxBlocks {
			return "invalid_blocks", fmt.Sprintf("%d blocks", len(bl))
		}
		for _, b := range bl {
			if code, why := checkBlock(b); code != "" {
				return code, why
			}
		}
	}
	if attachments != "" {
		var as []map[string]any
		if err := json.Unmarshal([]byte(attachments), &as); err != nil {
			return "invalid_attachments", err.Error()
		}
		for _, a := range as {
			for _, k := range []string{"text", "fallback", "pretext", "title", "footer"} {
				if s, _ := a[k].(string); ping(s) != "" {
					return "test_mention", "attachment " + k + " mentions " + ping(s)
				}
			}
			if bl, ok := a["blocks"].([]any); ok {
				if len(bl) > MaxBlocks {
					return "invalid_attachments", fmt.Sprintf("attachment has %d blocks", len(bl))
				}
				for _, b := range bl {
					if m, ok := b.(map[string]any); ok {
						if code, why := checkBlock(m); code != "" {
							return code, why
						}
					}
				}
			}
		}
	}
	return "", ""
}

func checkBlock(b map[string]any) (code, why string) {
	typ, _ := b["type"].(string)
	if id, _ := b["block_id"].(string); len(id) > 255 {
		return "invalid_blocks", "block_id over 255"
	}
	switch typ {
	case "section":
		if code, why := checkText(b["text"], MaxBlockText); code != "" {
			return code, why
		}
	case "context":
		els, _ := b["elements"].([]any)
		if len(els) > MaxContext {
			return "invalid_blocks", fmt.Sprintf("context block with %d elements", len(els))
		}
		for _, e := range els {
			if code, why := checkText(e, MaxBlockText); code != "" {
				return code, why
			}
		}
	case "actions":
		els, _ := b["elements"].([]any)
		if len(els) > MaxElements {
			return "invalid_blocks", fmt.Sprintf("actions block with %d elements", len(els))
		}
		ids := map[string]bool{}
		for _, e := range els {
			m, _ := e.(map[string]any)
			id, _ := m["action_id"].(string)
			val, _ := m["value"].(string)
			if len(id) > MaxActionID || ids[id] {
				return "invalid_blocks", fmt.Sprintf("action_id %q too long or used twice", id)
			}
			ids[id] = true
			if utf8.RuneCountInString(val) > MaxButtonVal {
				return "invalid_blocks", "button value over 2000"
			}
			if code, why := checkText(m["text"], MaxButtonText); code != "" {
				return code, why
			}
		}
	}
	return "", ""
}

// checkText checks a text object: its length, and a mrkdwn one's mentions.
func checkText(o any, max int) (code, why string) {
	m, ok := o.(map[string]any)
	if !ok {
		return "", ""
	}
	s, _ := m["text"].(string)
	if n := utf8.RuneCountInString(s); n > max {
		return "invalid_blocks", fmt.Sprintf("%s text of %d characters, over %d", m["type"], n, max)
	}
	if m["type"] == "mrkdwn" && ping(s) != "" {
		return "test_mention", "block text mentions " + ping(s)
	}
	return "", ""
}

// ping returns the first mention in s that Slack would act on, or "".
func ping(s string) string {
	for i := 0; ; {
		j := strings.Index(s[i:], "<")
		if j < 0 {
			return ""
		}
		i += j + 1
		rest := s[i:]
		if strings.HasPrefix(rest, "@") || strings.HasPrefix(rest, "#") ||
			strings.HasPrefix(rest, "!") && !strings.HasPrefix(rest, "!date^") {
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				end = min(len(rest), 20)
			}
			return "<" + rest[:end+1]
		}
	}
}
