package discord

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/court"
	"github.com/wirewatch/wirewatch/match"
)

// Message and embed limits, counted in characters (runes here).
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxThreadName  = 100
	maxURL         = 2000
	// Our own cap on the summary: an alert is a pointer to the story, not
	// the story; 4096 characters is a wall of text in a channel.
	maxSummary = 1500
)

const (
	colorNews   = 0x2b6cb0
	colorDocket = 0x9b2c2c
)

// escape makes text from a feed inert in Discord markdown: markdown
// characters get a backslash, and @everyone/@here get a zero-width space so
// they do not even look like a ping (allowed_mentions already stops it).
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '<', '#', '-', '[', ']', '(', ')', ':', '.', '+', '!':
			// ':' and '.' keep "1." lists and <t:…> / :emoji: from forming;
			// '<' keeps <@id>, <@&role>, <#channel> from forming.
			if r == '.' || r == ':' || r == '+' || r == '!' {
				// Only escape where they could start markup, to keep text readable.
				if !markupAt(s, i, r) {
					b.WriteRune(r)
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteRune(r)
			rest := s[i+1:]
			if hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteRune('\u200b')
			}
		case '\u0000':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// markupAt reports whether r at s[i] could begin Discord markup: a numbered
// list ("1." at a line start) or an emoji shortcode (":name:").
func markupAt(s string, i int, r rune) bool {
	switch r {
	case '.':
		j := i
		for j > 0 && s[j-1] >= '0' && s[j-1] <= '9' {
			j--
		}
		return j < i && (j == 0 || s[j-1] == '\n' || s[j-1] == ' ')
	case ':':
		return true
	default:
		return i == 0 || s[i-1] == '\n'
	}
}

func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// truncate cuts s to at most n runes, ending with "…" when it cut.
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, c := 0, 0
	for j := range s {
		if c == n-1 {
			i = j
			break
		}
		c++
	}
	return strings.TrimRight(s[:i], " \n\t\\") + "…"
}

// bold escapes text and wraps each whole-word occurrence of the terms in
// bold, by the matcher's own rules (match.Spans: case and accents ignored).
func bold(text string, terms []string) string {
	var b strings.Builder
	at := 0
	for _, s := range match.Spans(text, terms) {
		b.WriteString(escape(text[at:s[0]]))
		b.WriteString("**")
		b.WriteString(escape(text[s[0]:s[1]]))
		b.WriteString("**")
		at = s[1]
	}
	b.WriteString(escape(text[at:]))
	return b.String()
}

// fitBold returns bold(text, terms) cut so that it is at most n runes:
// the plain text is cut first, so that no escape or bold marker is split.
func fitBold(text string, terms []string, n int) string {
	// Escaping only adds characters: text beyond n runes never fits.
	budget := min(utf8.RuneCountInString(text), n)
	out := bold(truncate(text, budget), terms)
	for k := utf8.RuneCountInString(out); k > n && budget > 0; k = utf8.RuneCountInString(out) {
		budget = min(budget*n/k, budget-1)
		out = bold(truncate(text, budget), terms)
	}
	return out
}

// safeURL returns u if Discord will take it as an embed or field link:
// absolute http(s) and not too long. Anything else would fail the whole
// message (50035), so it is dropped.
func safeURL(u string) string {
	if u == "" || len(u) > maxURL {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// alertEmbed builds the embed for one alert within Discord's limits, with
// extra fields (an edit's "Updated") after its own.
func (d *Discord) alertEmbed(a wirewatch.Alert, extra ...*discordgo.MessageEmbedField) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Type:  discordgo.EmbedTypeRich,
		URL:   safeURL(a.Link),
		Color: colorNews,
	}
	title := a.Headline()
	if e.URL != "" {
		// A linked title is link text: Discord shows escapes there as
		// typed, so it gets none (see linkText).
		e.Title = linkText(title, maxTitle)
	} else {
		e.Title = fitBold(title, nil, maxTitle)
	}
	if strings.TrimSpace(e.Title) == "" {
		e.Title = "(untitled)"
	}
	var fields []*discordgo.MessageEmbedField
	add := func(name, value string, inline bool) {
		value = strings.TrimSpace(value)
		if value == "" {
			return
		}
		fields = append(fields, &discordgo.MessageEmbedField{
			Name: truncate(name, maxFieldName), Value: truncate(value, maxFieldValue), Inline: inline,
		})
	}
	add("Source", escape(truncate(a.Source, 200)), true)
	if !a.Published.IsZero() {
		t := a.Published.In(d.tz)
		add("Time", fmt.Sprintf("%s (<t:%d:R>)", t.Format("2006-01-02 15:04 MST"), t.Unix()), true)
		e.Timestamp = a.Published.UTC().Format(time.RFC3339)
	}
	if len(a.Watches) > 0 {
		labels := make([]string, 0, len(a.Watches))
		for _, w := range a.Watches {
			labels = append(labels, escape(truncate(w, 200)))
		}
		name := "Watch"
		if len(labels) > 1 {
			name = "Watches"
		}
		add(name, strings.Join(labels, ", "), true)
	}
	if dk := a.Docket; dk != nil {
		e.Color = colorDocket
		add("Case", escape(truncate(dk.CaseName, 300)), false)
		add("Docket", escape(court.Cite(*dk)), true)
		if dk.EntryNumber != "" {
			add("Entry", escape(truncate(dk.EntryNumber, 20)), true)
		}
		// Sealed/minute entries get their label and no link; a link says
		// whether it is free (RECAP) or on PACER.
		if label, u := court.Document(*dk); label != "" {
			if u = safeURL(u); u != "" {
				add("Document", label+": "+u, false)
			} else {
				add("Document", escape(label), false)
			}
		}
	}
	e.Fields = append(fields, extra...)
	e.Footer = &discordgo.MessageEmbedFooter{Text: "wirewatch"}

	summary := strings.TrimSpace(a.Summary)
	if a.Docket != nil && a.Docket.ShortDescription != "" && !strings.Contains(summary, a.Docket.ShortDescription) {
		summary = strings.TrimSpace(a.Docket.ShortDescription + "\n" + summary)
	}
	used := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Footer.Text)
	for _, f := range e.Fields {
		used += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	room := min(maxDescription, maxSummary, maxEmbedTotal-used)
	if summary != "" && room > 0 {
		e.Description = fitBold(summary, a.Terms, room)
	}
	return e
}

// embedSize is what Discord counts against the 6000-character total.
func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

// threadName makes a thread's name of its title: 1–100 characters of plain
// text (names show no markdown and ping nobody, but a visible "@everyone"
// is defused all the same).
func threadName(title string) string {
	name := strings.Join(strings.Fields(title), " ")
	name = strings.ReplaceAll(name, "@", "@\u200b")
	name = strings.TrimSpace(truncate(name, maxThreadName))
	if name == "" || name == "…" {
		name = "wirewatch alerts"
	}
	return name
}

// topContent is a thread's top message: a first line that reads as a
// headline where a push notification shows it (plain text, no markdown,
// no escapes in ordinary headlines, no timestamp tokens), then the count
// and the latest items, linked, with times each reader sees in their own
// zone. a is the thread's first alert when the top is first posted.
func topContent(th wirewatch.Thread, a *wirewatch.Alert) string {
	latest := th.Latest
	if len(th.Recent) > 0 {
		latest = th.Recent[0].Title
	}
	if strings.TrimSpace(latest) == "" && a != nil {
		latest = a.Title
	}
	title := cmpOr(th.Title, latest)
	var b strings.Builder
	b.WriteString("📌 ")
	b.WriteString(plainLine(cmpOr(title, "wirewatch alerts"), 200))
	if latest != "" && latest != title {
		b.WriteString(" — ")
		b.WriteString(plainLine(latest, 300))
	}
	count := max(th.Count, 1)
	fmt.Fprintf(&b, "\n%d item", count)
	if count != 1 {
		b.WriteString("s")
	}
	if q := th.Routine(); q > 0 {
		fmt.Fprintf(&b, " (%d routine, not posted)", q)
	}
	if !th.Updated.IsZero() {
		fmt.Fprintf(&b, " · updated <t:%d:R>", th.Updated.Unix())
	}
	if count > 1 {
		for i, it := range th.Recent {
			if i == wirewatch.RecentItems {
				break
			}
			line := "\n• " + recentLine(it)
			if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line) > maxContent {
				break
			}
			b.WriteString(line)
		}
	}
	return truncate(b.String(), maxContent)
}

// recentLine is one of a thread's latest items: its headline linked, its
// source and time.
func recentLine(it wirewatch.ThreadItem) string {
	return listLine(it.Title, it.Link, it.Source, it.Time, 200, 500, 80)
}

// listLine is one headline of a list (a thread's latest items, a folded
// burst, a digest): linked when its address is at most linkMax bytes, with
// its source and time. The bounds keep a list within Discord's limits.
func listLine(title, link, source string, when time.Time, titleMax, linkMax, sourceMax int) string {
	title = cmpOr(strings.Join(strings.Fields(title), " "), "(untitled)")
	head := escape(truncate(title, titleMax))
	if u := linkTarget(link); u != "" && len(u) <= linkMax {
		// <…> around the address: no preview of every listed story.
		head = "[" + linkText(title, titleMax) + "](<" + u + ">)"
	}
	if s := strings.TrimSpace(source); s != "" {
		head += " · " + escape(truncate(strings.Join(strings.Fields(s), " "), sourceMax))
	}
	if !when.IsZero() {
		// :f, date and time in the reader's zone: a list of headlines
		// reads like Slack's, and stays true between edits.
		head += fmt.Sprintf(" · <t:%d:f>", when.Unix())
	}
	return head
}

// linkText makes feed text the text of a link (a masked link, or an embed
// title with a URL) of at most n characters. Discord applies no markdown
// and no escapes there: a backslash shows as typed (discord-api-docs#6185,
// "escaping is disabled in masked links"), so nothing is escaped. What
// could still end the link early or form a token is replaced by a look-
// alike: square brackets by parentheses, a '<' that a '>' follows by '‹';
// @everyone and @here get a zero-width space.
func linkText(s string, n int) string {
	s = truncate(strings.Join(strings.Fields(s), " "), n)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r == '[':
			b.WriteByte('(')
		case r == ']':
			b.WriteByte(')')
		case r == '<' && strings.IndexByte(s[i:], '>') > 0:
			b.WriteRune('‹')
		case r == '@':
			b.WriteRune(r)
			if rest := s[i+1:]; hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteRune('\u200b')
			}
		case r == 0:
		default:
			b.WriteRune(r)
		}
	}
	return truncate(b.String(), n)
}

// linkTarget is u fit for a masked link's target, or "": an http(s)
// address without the characters that would end the link early.
func linkTarget(u string) string {
	u = safeURL(u)
	if u == "" || len(u) > 500 {
		return ""
	}
	return linkEscaper.Replace(u)
}

// linkEscaper percent-encodes what would end a masked link's target early
// (immutable: a Replacer is safe for concurrent use).
var linkEscaper = strings.NewReplacer(")", "%29", "(", "%28", "<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "")

// plainLine makes feed text one line of at most n characters that shows as
// written in a message and in a push notification, which shows the raw
// text: only what could form markup is escaped. Emphasis, strike, code and
// spoiler markers need a pair, so a character is escaped only where it
// occurs twice; brackets only where they could make a masked link; '<'
// only where a '>' follows (a mention or timestamp token). The message
// starts with our own marker, so nothing in the line is at a line start.
func plainLine(s string, n int) string {
	s = truncate(strings.Join(strings.Fields(s), " "), n)
	pairs := ""
	for _, c := range "*_~`|" {
		if strings.Count(s, string(c)) >= 2 {
			pairs += string(c)
		}
	}
	link := strings.Contains(s, "](")
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r == '\\' && i+1 < len(s) && strings.IndexByte("*_~`|[]<>\\", s[i+1]) >= 0:
			// A backslash would escape our escape: double it.
			b.WriteString(`\\`)
			continue
		case strings.ContainsRune(pairs, r), link && (r == '[' || r == ']'),
			r == '<' && strings.IndexByte(s[i:], '>') > 0:
			b.WriteByte('\\')
		case r == '@':
			b.WriteRune(r)
			if rest := s[i+1:]; hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") {
				b.WriteRune('\u200b')
			}
			continue
		case r == 0:
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
