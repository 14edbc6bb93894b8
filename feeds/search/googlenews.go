package search

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mmcdole/gofeed/rss"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/feeds"
)

// GoogleNews reads Google News search feeds (feeds.Reader, for feed type
// wirewatch.FeedGoogleNews). Google writes each item's title as "Headline -
// Publisher" and links it to its own redirect, which cannot be followed to
// the article without Google's internal API; the item's <source url="…">
// names the publisher's site. So an item comes out with the headline alone
// as its title, the publisher in its source ("Reuters via Google News") and
// the publisher's site in Item.Site, which with the headline stands for the
// story (Item.HeadlineKey): the same story in the publisher's own feed is
// posted once.
type GoogleNews struct{}

// maxItems bounds what one search document gives (Google sends 100).
const maxItems = 200

// Read parses a Google News RSS search document.
func (GoogleNews) Read(_ context.Context, body []byte, f wirewatch.Feed) ([]wirewatch.Item, error) {
	doc, err := (&rss.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("google news search %s: %w", f.URL, err)
	}
	items := make([]wirewatch.Item, 0, min(len(doc.Items), maxItems))
	for _, ri := range doc.Items {
		if len(items) == maxItems {
			break
		}
		it := wirewatch.Item{Title: feeds.PlainText(ri.Title), Link: feeds.Canonical(strings.TrimSpace(ri.Link))}
		if ri.GUID != nil {
			it.ID = strings.TrimSpace(ri.GUID.Value)
		}
		if it.ID == "" {
			it.ID = it.Link
		}
		if ri.PubDateParsed != nil {
			it.Published = ri.PubDateParsed.UTC()
		} else if t, err := time.Parse(time.RFC1123, strings.TrimSpace(ri.PubDate)); err == nil {
			it.Published = t.UTC()
		}
		if src := ri.Source; src != nil {
			name := strings.TrimSpace(feeds.PlainText(src.Title))
			// "Headline - Publisher": the publisher is not part of the story's headline.
			if name != "" {
				it.Title = strings.TrimSpace(strings.TrimSuffix(it.Title, " - "+name))
				it.Feed = wirewatch.Clip(name, 100) + " via Google News"
			}
			if strings.HasPrefix(src.URL, "http://") || strings.HasPrefix(src.URL, "https://") {
				it.Site = wirewatch.SiteOf(src.URL)
			}
		}
		if it.ID == "" || it.Title == "" {
			continue
		}
		items = append(items, it)
	}
	return items, nil
}
