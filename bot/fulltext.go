package bot

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds/article"
	"github.com/wirewatch/wirewatch/match"
)

// ShortText is the feed text, beyond the title, under which fulltext: auto
// reads the article: headline-only feeds (Google News, many section feeds)
// carry 0–150 characters, a teaser line 150–350, while feeds that carry the
// lede and more run past 400. Under it the feed cannot have said much of
// what the article does.
const ShortText = 400

// Articles reads the pages items link to; *article.Pool is one. Start
// does not wait: the channel gets the read's one result when it ends.
type Articles interface {
	Start(rq article.Request) <-chan article.Result
}

// fulltextMode is f's fulltext setting, defaults applied: never for docket
// feeds, auto for the others.
func fulltextMode(f wirewatch.Feed) string {
	if f.Fulltext != "" {
		return f.Fulltext
	}
	if f.Type == wirewatch.FeedPACER || f.Type == wirewatch.FeedCourtListener {
		return wirewatch.FulltextNever
	}
	return wirewatch.FulltextAuto
}

// wantsArticle says whether the page it links to is worth reading under
// mode: never for docket entries (their links are PACER documents: paid,
// behind a login) nor for Google News links (article.Skip).
func wantsArticle(mode string, it wirewatch.Item) bool {
	if it.Docket != nil || it.Link == "" || article.Skip(it.Link) {
		return false
	}
	switch mode {
	case wirewatch.FulltextAlways:
		return true
	case wirewatch.FulltextAuto:
		return utf8.RuneCountInString(ownText(it)) < ShortText
	}
	return false
}

// ownText is the item's feed text less a copy of its title at the start
// (Google News and others repeat the headline as the description).
func ownText(it wirewatch.Item) string {
	s := strings.TrimSpace(it.Summary)
	t := strings.TrimSpace(it.Title)
	if t != "" && len(s) >= len(t) && strings.EqualFold(s[:len(t)], t) {
		s = strings.TrimSpace(s[len(t):])
	}
	return s
}

// withArticles starts reading, for the new items of a poll that want it,
// the page each links to. A page at hand at once (remembered, or refused
// without a request) is applied to its item now (withPage); the other
// items are marked ArticlePending, so the commit records them without
// alerts, and are returned with their reads for await. Nothing is read at
// a feed's first poll.
func (p *Pipeline) withArticles(f wirewatch.Feed, items []wirewatch.Item, first bool) []reading {
	mode := fulltextMode(f)
	if p.Articles == nil || first || mode == wirewatch.FulltextNever {
		return nil
	}
	var want []int
	for i, it := range items {
		if wantsArticle(mode, it) {
			want = append(want, i)
		}
	}
	if len(want) == 0 {
		return nil
	}
	unseen, err := p.DB.Unseen(items)
	if err != nil {
		return nil // Ingest meets the same store and reports it
	}
	var out []reading
	for _, i := range want {
		if !unseen[i] {
			continue
		}
		ch := p.Articles.Start(article.Request{Link: items[i].Link, Guarded: !p.AllowPrivate})
		select {
		case r := <-ch:
			items[i] = p.withPage(f, items[i], r, false)
		default:
			items[i].ArticlePending = true
			out = append(out, reading{i: i, ch: ch})
		}
	}
	if len(out) == 0 {
		return nil
	}
	// The poll's alerts keep the items' order (oldest first): the new
	// items after the first pending one wait behind it, finished in turn.
	for i := out[0].i + 1; i < len(items); i++ {
		if unseen[i] && !items[i].ArticlePending {
			items[i].ArticlePending = true
			out = append(out, reading{i: i})
		}
	}
	slices.SortFunc(out, func(a, b reading) int { return a.i - b.i })
	return out
}

// withPage is it with the page r read for it: Article set and Link made
// the canonical URL the page was read at (so the story's key is the
// article's, whatever feed proxy or tracker linked it); a failed read
// leaves it as the feed gave it. late: the page came after the wait (it
// was counted then).
func (p *Pipeline) withPage(f wirewatch.Feed, it wirewatch.Item, r article.Result, late bool) wirewatch.Item {
	it.ArticlePending = false
	if !late {
		p.Metrics.ArticleRead(articleResult(r.Err))
	}
	if r.Err != nil {
		p.Log.Debug("article not read: matching the feed's text alone", "feed", f.ID, "link", it.Link, "reason", article.Reason(r.Err), "err", r.Err)
		return it
	}
	it.Article = r.Page.Text
	if storyLink(r.Page.URL) {
		it.Link = r.Page.URL
	}
	return it
}

// articleResult is a read's label in wirewatch_article_reads_total.
func articleResult(err error) string {
	switch {
	case err == nil:
		return "read"
	case errors.Is(err, article.ErrBusy):
		return "busy"
	case errors.Is(err, article.ErrWaited):
		return "late"
	}
	switch r := article.Reason(err); r {
	case "timeout", "not HTML", "too large", "private address", "no text", "backing off":
		return strings.ToLower(strings.ReplaceAll(r, " ", "_"))
	case "robots.txt":
		return "robots"
	default:
		if _, err := strconv.Atoi(r); err == nil {
			return "http_error"
		}
	}
	return "other"
}

// storyLink says whether a page's URL can stand for the story: a redirect
// to a site's home page (an article removed, a wall) would merge stories.
func storyLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Host != "" && strings.Trim(u.Path, "/") != ""
}

// fieldOrder is the order of MatchedIn (CONTRACT.md).
var fieldOrder = []string{"title", "text", "article", "docket"}

// matchedIn lists the fields the terms were found in, in fieldOrder.
func matchedIn(terms []match.Term) []string {
	var out []string
	for _, f := range fieldOrder {
		for _, t := range terms {
			if t.Field == f || f == "docket" && nameField(t.Field) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// nameField tells a term found in a docket's parties, judges or attorneys,
// which CONTRACT.md's matched_in counts as "docket".
func nameField(f string) bool { return f == "party" || f == "judge" || f == "attorney" }

// summaryOf is the alert's snippet, from the place that matched: the
// feed's text when a term was found there or only in the title (as
// Summary does), else the article's sentence around its first matched
// term — a snippet, never more than SummaryMax bytes of the article.
func summaryOf(it wirewatch.Item, terms []match.Term) string {
	var first *match.Term
	for i, t := range terms {
		switch t.Field {
		case "text":
			return Summary(it, terms)
		case "article":
			if first == nil {
				first = &terms[i]
			}
		}
	}
	if first == nil || it.Article == "" {
		return Summary(it, terms)
	}
	return articleSnippet(it.Article, first.Start)
}

// articleSnippet is the sentence of text around byte at, or a window of
// SummaryMax bytes around it when the sentence is longer.
func articleSnippet(text string, at int) string {
	if at < 0 || at >= len(text) {
		return ""
	}
	from := strings.LastIndexByte(text[:at], '\n') + 1
	to := len(text)
	if n := strings.IndexByte(text[at:], '\n'); n >= 0 {
		to = at + n
	}
	para := text[from:to]
	for _, s := range sentences(para) {
		if at-from >= s.start && at-from < s.start+len(s.s) {
			if len(s.s) <= SummaryMax {
				return s.s
			}
			from, para = from+s.start, s.s
			break
		}
	}
	// A long sentence: start a little before the term, on a word.
	off := at - from
	start := max(off-SummaryMax/3, 0)
	for start > 0 && !utf8.RuneStart(para[start]) {
		start--
	}
	if start > 0 {
		if sp := strings.IndexByte(para[start:off], ' '); sp >= 0 {
			start += sp + 1
		}
		return "…" + truncate(para[start:], SummaryMax-len("…"))
	}
	return truncate(para, SummaryMax)
}
