package slack

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
	"github.com/wirewatch/wirewatch/match"
)

// Slack's limits (https://docs.slack.dev/reference/block-kit/blocks,
// https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
// We stay well inside them, so that escaping and markup never push a field
// over.
const (
	maxBlocks      = 50    // blocks per message
	maxTextObject  = 3000  // characters in a section or context text object
	maxMessageText = 40000 // top-level text, truncated by Slack beyond it
	// maxListText bounds a list message's blocks in all: Slack refuses
	// blocks of about 13,200 characters together (msg_blocks_too_long,
	// slackapi/bolt-js#2509), a limit it does not document.
	maxListText = 12000

	// What we show, for readability: all well below the limits above.
	maxTitle    = 300
	maxSummary  = 1200
	maxLine     = 600 // the watches line
	maxFallback = 600 // the notification text
	maxURL      = 2000
	// Command replies: at most 4 bytes per rune (a non-BMP rune, or "&"
	// as JSON's \u0026 inside "&amp;"), so a reply stays under 16 KB and
	// fits a Socket Mode ack.
	maxReply = 4000
)

// escRune escapes r if it is one of Slack's three control characters (&, <,
// >) and blanks other control characters; Slack decodes only those three
// entities, so nothing else may be HTML-escaped.
func escRune(r rune) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	if r == '\t' || r == '\n' {
		return string(r)
	}
	if unicode.IsControl(r) || r == utf8.RuneError {
		return " "
	}
	return string(r)
}

// piece is a run of untrusted text, bold or not.
type piece struct {
	s    string
	bold bool
}

// mrkdwn escapes pieces of untrusted text into mrkdwn, bolding the marked
// ones, within max characters, the ellipsis included. It never cuts inside
// an entity and always closes a bold run it opened.
func mrkdwn(ps []piece, max int) string {
	if full := render(ps, 1<<62); utf8.RuneCountInString(full) <= max {
		return full
	}
	return render(ps, max)
}

func render(ps []piece, max int) string {
	var b strings.Builder
	n := 0 // runes written
	full := true
	for _, p := range ps {
		if p.s == "" {
			continue
		}
		if p.bold {
			// Room for "*", one rune, "*" and a possible ellipsis.
			if n+4 > max {
				full = false
				break
			}
			b.WriteByte('*')
			n++
		}
		cut := false
		for _, r := range p.s {
			e := escRune(r)
			w := utf8.RuneCountInString(e)
			reserve := 1 // ellipsis
			if p.bold {
				reserve++
			}
			if n+w+reserve > max {
				cut = true
				break
			}
			b.WriteString(e)
			n += w
		}
		if p.bold {
			b.WriteByte('*')
			n++
		}
		if cut {
			full = false
			break
		}
	}
	if !full {
		b.WriteString("…")
	}
	return b.String()
}

// esc escapes untrusted text within max characters.
func esc(s string, max int) string { return mrkdwn([]piece{{s: s}}, max) }

// linkURL returns u escaped for use inside <…|…>, or "" when u is not a
// plain http(s) URL that can be linked safely.
func linkURL(u string) string {
	if u == "" || len(u) > maxURL {
		return ""
	}
	for _, r := range u {
		if r == '<' || r == '>' || r == '|' || r <= ' ' || r == 0x7f || unicode.IsSpace(r) {
			return ""
		}
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	// The limit holds for the escaped form, which is what Slack counts:
	// a URL of many "&" grows by four characters for each.
	if e := strings.ReplaceAll(u, "&", "&amp;"); len(e) <= maxURL {
		return e
	}
	return ""
}

// link renders label as a link to u when u is safe, else as plain text.
func link(u, label string, max int) string {
	lu := linkURL(u)
	if lu == "" {
		return esc(label, max)
	}
	return "<" + lu + "|" + esc(label, max) + ">"
}

func (s *Slack) when(a *wirewatch.Alert) string {
	if a.Published.IsZero() {
		return ""
	}
	return a.Published.In(s.tz).Format("Jan 2, 2006 15:04 MST")
}

func mdText(t string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, t, false, true)
}

// card renders one alert as blocks: title link, source and time, the
// summary with the matched terms in bold, the docket entry, the watches.
func (s *Slack) card(a *wirewatch.Alert) []slack.Block {
	var bl []slack.Block
	title := "*" + link(a.Link, a.Headline(), maxTitle) + "*"
	bl = append(bl, slack.NewSectionBlock(mdText(title), nil, nil))

	var meta []string
	if a.Source != "" {
		meta = append(meta, esc(a.Source, 150))
	}
	if w := s.when(a); w != "" {
		meta = append(meta, w)
	}
	if len(meta) > 0 {
		bl = append(bl, slack.NewContextBlock("", mdText(strings.Join(meta, " · "))))
	}

	if d := a.Docket; d != nil {
		var ps []string
		if c := strings.TrimSpace(d.CaseName); c != "" {
			ps = append(ps, "*"+esc(c, 200)+"*")
		}
		ps = append(ps, esc(court.Cite(*d), 80))
		if d.EntryNumber != "" {
			ps = append(ps, "entry "+esc(d.EntryNumber, 20))
		}
		if d.ShortDescription != "" && d.ShortDescription != a.Title {
			ps = append(ps, esc(d.ShortDescription, 300))
		}
		if label, u := court.Document(*d); label != "" {
			ps = append(ps, link(u, label, 60)) // sealed/minute entries: the label, no link
		}
		bl = append(bl, slack.NewSectionBlock(mdText(strings.Join(ps, " · ")), nil, nil))
	}

	if sum := strings.TrimSpace(a.Summary); sum != "" {
		bl = append(bl, slack.NewSectionBlock(mdText(mrkdwn(boldTerms(sum, a.Terms), maxSummary)), nil, nil))
	}

	if len(a.Watches) > 0 {
		ws := make([]piece, 0, 2*len(a.Watches))
		label := "Watch: "
		if len(a.Watches) > 1 {
			label = "Watches: "
		}
		ws = append(ws, piece{s: label})
		for i, w := range a.Watches {
			if i > 0 {
				ws = append(ws, piece{s: ", "})
			}
			ws = append(ws, piece{s: w, bold: true})
		}
		bl = append(bl, slack.NewContextBlock("", mdText(mrkdwn(ws, maxLine))))
	}
	if b := controlsBlock(a.Controls()); b != nil {
		bl = append(bl, b) // interactions.go
	}
	return bl
}

// fallback is the notification text of an alert.
func fallback(prefix string, a *wirewatch.Alert) string {
	t := a.Headline()
	if a.Source != "" {
		t += " (" + a.Source + ")"
	}
	if prefix != "" {
		t = prefix + ": " + t
	}
	return esc(t, maxFallback)
}

// maxRecentLine bounds one headline in the top message's digest.
const (
	maxRecentLine = 200
	maxDigestURL  = 300 // longer links show as text in the digest
)

// slackDate renders t as Slack's date token, shown in each reader's own
// time zone, with fallback text in ours.
func (s *Slack) slackDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.In(s.tz).Format("Jan 2 15:04 MST"))
}

// count is "1 item" or "N items", with the routine ones not posted.
func count(th *wirewatch.Thread) string {
	n := "1 item"
	if th.Count != 1 {
		n = fmt.Sprintf("%d items", th.Count)
	}
	if q := th.Routine(); q > 0 {
		n += fmt.Sprintf(" (%d routine, not posted)", q)
	}
	return n
}

// summary is the top message's digest of its thread: the count, when it
// was updated, and the latest headlines with links, sources and times.
func (s *Slack) summary(th *wirewatch.Thread) string {
	var b strings.Builder
	b.WriteString("*" + count(th) + "*")
	if d := s.slackDate(th.Updated); d != "" {
		b.WriteString(" · updated " + d)
	}
	n := utf8.RuneCountInString(b.String())
	if th.Count <= 1 {
		// The one item is the card above: listing it again says nothing.
		return b.String()
	}
	for _, it := range th.Recent {
		line := "\n• " + s.listLine(it.Title, it.Link, it.Source, it.Time, maxRecentLine, maxDigestURL, 80)
		// The whole digest stays within one text object.
		if w := utf8.RuneCountInString(line); n+w <= maxTextObject-100 {
			b.WriteString(line)
			n += w
		}
	}
	return b.String()
}

// summaryAttachment carries the running summary under the top message, so
// that chat.update can replace it and leave the first alert's blocks.
func (s *Slack) summaryAttachment(th *wirewatch.Thread) slack.Attachment {
	// Blocks, not Text: an attachment without blocks is sent as
	// "blocks":null, which Slack need not accept.
	return slack.Attachment{
		Color:    "#4a7bd0",
		Fallback: esc(count(th)+" · latest: "+th.Latest, maxFallback),
		Blocks:   slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mdText(s.summary(th)), nil, nil)}},
	}
}

// foldedBlocks renders a burst of alerts as one message: how many, then a
// section per alert with its headline linked, its source and time.
func (s *Slack) foldedBlocks(as []wirewatch.Alert) []slack.Block {
	return s.listBlocks(fmt.Sprintf("*%d more items*", len(as)), as)
}

// listBlocks is a header (mrkdwn, ours) and a section per alert.
func (s *Slack) listBlocks(header string, as []wirewatch.Alert) []slack.Block {
	bl := []slack.Block{slack.NewContextBlock("", mdText(header))}
	// Each line as long as the budget allows: linked at full length, else
	// shorter, else unlinked; the smallest is about 100 characters.
	lines := wirewatch.FitLines(len(as), 4, maxListText-utf8.RuneCountInString(header), func(i, level int) string {
		a := &as[i]
		when := a.Published
		if when.IsZero() {
			when = a.Queued
		}
		headline, u, name := a.Listed()
		title, source := maxTitle, 150
		switch level {
		case 1:
			title, source = 120, 40
		case 2:
			u, title, source = "", 120, 40
		case 3:
			u, title, source = "", 20, 10
		}
		return "• " + s.listLine(headline, u, name, when, title, 0, source)
	})
	for _, line := range lines {
		bl = append(bl, slack.NewSectionBlock(mdText(line), nil, nil))
	}
	return capBlocks(bl)
}

// listLine is one headline of a list (a thread's digest, a folded burst,
// a channel's digest): linked (unless urlMax > 0 and the link is longer
// than titleMax+urlMax characters), with its source and time.
func (s *Slack) listLine(title, u, source string, when time.Time, titleMax, urlMax, sourceMax int) string {
	line := link(u, title, titleMax)
	if urlMax > 0 && utf8.RuneCountInString(line) > titleMax+urlMax {
		line = esc(title, titleMax) // a link too long for a list
	}
	if source != "" {
		line += " — " + esc(source, sourceMax)
	}
	if d := s.slackDate(when); d != "" {
		line += " · " + d
	}
	return line
}

// foldedText is a folded message's notification text.
func foldedText(as []wirewatch.Alert) string {
	t := fmt.Sprintf("%d more items", len(as))
	if len(as) > 0 {
		t += ": " + as[0].Headline()
		if as[0].Source != "" {
			t += " (" + as[0].Source + ")"
		}
		if len(as) > 1 {
			t += " …"
		}
	}
	return esc(t, maxFallback)
}

// topText is the top message's notification text after an edit.
func topText(th *wirewatch.Thread) string {
	return esc(fmt.Sprintf("🧵 %s — %s · latest: %s", th.Title, count(th), th.Latest), maxFallback)
}

// topBlocks renders the first alert of a thread as its top message: the
// thread's subject when it says more than the headline, then the card.
func (s *Slack) topBlocks(subject string, a *wirewatch.Alert) []slack.Block {
	var bl []slack.Block
	if subject != "" && subject != a.Headline() {
		bl = append(bl, slack.NewContextBlock("", mdText("🧵 *"+esc(subject, 300)+"*")))
	}
	bl = append(bl, s.card(a)...)
	return capBlocks(bl)
}

func capBlocks(bl []slack.Block) []slack.Block {
	if len(bl) > maxBlocks {
		bl = bl[:maxBlocks]
	}
	return bl
}

// boldTerms splits text into pieces with every whole-word occurrence of a
// term in bold, by the matcher's own rules (match.Spans).
func boldTerms(text string, terms []string) []piece {
	spans := match.Spans(text, terms)
	if len(spans) == 0 {
		return []piece{{s: text}}
	}
	var ps []piece
	at := 0
	for _, sp := range spans {
		if sp[0] > at {
			ps = append(ps, piece{s: text[at:sp[0]]})
		}
		ps = append(ps, piece{s: text[sp[0]:sp[1]], bold: true})
		at = sp[1]
	}
	if at < len(text) {
		ps = append(ps, piece{s: text[at:]})
	}
	return ps // Spans merged touching runs: no "*a**b*"
}

// replyText escapes a command reply, plain text from the Commander.
func replyText(t string) string {
	if strings.TrimSpace(t) == "" {
		t = "Done."
	}
	return esc(t, maxReply)
}
