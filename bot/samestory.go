package bot

import (
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/neardup"
)

// Same story, many outlets: an item whose article is a near copy of one
// that alerted lately (a wire story run by several papers) is not posted
// again. Its alert becomes an "also in" alert: the story's first alert in
// that destination (same thread, title, link) with the new outlet in
// AlsoIn, never broadcast; chats show it as a short line in the story's
// thread, stdout prints it as a line with "also_in". A destination the
// story has not reached yet gets the item's own alert.

// Story index defaults: a wire story spreads within hours; two days
// covers a slow outlet, and the count bounds memory (about 450 bytes a
// story with its band table, plus the first alert per destination).
const (
	StoryMax = 20000
	StoryAge = 48 * time.Hour
)

// NewStories returns the index of stories the pipeline's Stories keeps.
func NewStories() *neardup.Index[*Story] {
	return &neardup.Index[*Story]{Max: StoryMax, MaxAge: StoryAge}
}

// Story is what the index keeps of a story that alerted: the first alert
// each destination got.
type Story struct {
	mu    sync.Mutex
	first map[wirewatch.Destination]wirewatch.Alert
}

// sameStory is alerts (it's) with those of destinations its story reached
// before made "also in" alerts. Only an item with article text long
// enough for a signature is compared.
func (p *Pipeline) sameStory(it wirewatch.Item, alerts []wirewatch.Alert, now time.Time) []wirewatch.Alert {
	if p.Stories == nil || len(alerts) == 0 || it.Article == "" {
		return alerts
	}
	sig, ok := neardup.Of(it.Article)
	if !ok {
		return alerts
	}
	st, _ := p.Stories.FindOrAdd(sig, now, func() *Story {
		return &Story{first: map[wirewatch.Destination]wirewatch.Alert{}}
	})
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]wirewatch.Alert, 0, len(alerts))
	for _, a := range alerts {
		first, ok := st.first[a.To]
		if !ok {
			st.first[a.To] = a
			out = append(out, a)
			continue
		}
		also := first
		also.AlsoIn = []wirewatch.Outlet{{Source: a.Source, Link: a.Link}}
		also.Broadcast = wirewatch.BroadcastNever
		p.Log.Debug("same story as one alerted: listed as also in", "to", a.To, "thread", first.Thread,
			"story", first.Link, "outlet", a.Source, "link", a.Link)
		out = append(out, also)
	}
	return out
}
