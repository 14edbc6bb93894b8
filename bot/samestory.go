package bot

import (
	"cmp"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/neardup"
	"github.com/wirewatch/wirewatch/store"
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
// each destination got, and what saves it (the time it was first seen, an
// id and its signature).
type Story struct {
	mu    sync.Mutex
	first map[wirewatch.Destination]wirewatch.Alert
	at    time.Time
	id    uint64
	sig   neardup.Sig
}

// storySave is a story's record to save, taken under its lock.
type storySave struct {
	at  time.Time
	id  uint64
	rec []byte
}

// A story's record in the store: its signature (neardup.SigLen bytes),
// then the first alerts (JSON), ordered by destination.
func (st *Story) record() storySave {
	as := make([]wirewatch.Alert, 0, len(st.first))
	for _, a := range st.first {
		as = append(as, a)
	}
	slices.SortFunc(as, func(a, b wirewatch.Alert) int { return cmp.Compare(a.To, b.To) })
	data, _ := json.Marshal(as) // an Alert always encodes: the outbox keeps it so
	return storySave{st.at, st.id, append(st.sig.Append(nil), data...)}
}

// saveStories keeps the stories sameStory recorded or added to, in one
// write of their own (one commit for a poll's stories) right after the transaction that queued their
// alerts succeeded: matching runs outside that transaction (polls match in
// parallel), and Ingest would have to learn the index's encoding to take
// them. A crash between the two writes loses only the story records, not
// an accepted alert: after a restart the next outlet of such a story is
// posted instead of listed as also in, as it was before stories were
// saved. Two polls saving one story at once may leave the older of its
// records, at worst the same one extra post. A failed write is logged;
// the index in memory still has them.
func (p *Pipeline) saveStories(saves []storySave) {
	ss := make([]store.Story, 0, len(saves))
	for _, s := range saves {
		ss = append(ss, store.Story{At: s.at, ID: s.id, Rec: s.rec})
	}
	if err := p.DB.SaveStories(ss, StoryMax, StoryAge); err != nil {
		p.Log.Warn("same story not saved: after a restart its next outlet is posted again", "stories", len(ss), "err", err)
	}
}

// LoadStories fills ix with the stories saved in db, the last StoryAge of
// them, oldest first; a record that does not decode is skipped.
func LoadStories(db *store.DB, ix *neardup.Index[*Story]) (int, error) {
	n := 0
	err := db.Stories(StoryAge, func(at time.Time, rec []byte) error {
		st, err := parseStory(at, rec)
		if err != nil {
			return nil
		}
		ix.Add(st.sig, st, at)
		n++
		return nil
	})
	return n, err
}

func parseStory(at time.Time, rec []byte) (*Story, error) {
	if len(rec) < neardup.SigLen {
		return nil, errors.New("story record too short")
	}
	sig, ok := neardup.ParseSig(rec[:neardup.SigLen])
	if !ok {
		return nil, errors.New("story record: bad signature")
	}
	var as []wirewatch.Alert
	if err := json.Unmarshal(rec[neardup.SigLen:], &as); err != nil {
		return nil, err
	}
	st := &Story{first: map[wirewatch.Destination]wirewatch.Alert{}, at: at, id: storyID(sig), sig: sig}
	for _, a := range as {
		st.first[a.To] = a
	}
	return st, nil
}

// storyID tells apart two stories first seen at the same instant.
func storyID(sig neardup.Sig) uint64 {
	h := fnv.New64a()
	h.Write(sig.Append(nil))
	return h.Sum64()
}

// sameStory is alerts (it's) with those of destinations its story reached
// before made "also in" alerts, and, if the story is new or reached a new
// destination, its record to save (saveStories) appended to saves. Only
// an item with article text long enough for a signature is compared.
func (p *Pipeline) sameStory(it wirewatch.Item, alerts []wirewatch.Alert, now time.Time, saves []storySave) ([]wirewatch.Alert, []storySave) {
	if p.Stories == nil || len(alerts) == 0 || it.Article == "" {
		return alerts, saves
	}
	sig, ok := neardup.Of(it.Article)
	if !ok {
		return alerts, saves
	}
	st, _ := p.Stories.FindOrAdd(sig, now, func() *Story {
		return &Story{first: map[wirewatch.Destination]wirewatch.Alert{}, at: now, id: storyID(sig), sig: sig}
	})
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]wirewatch.Alert, 0, len(alerts))
	added := false
	for _, a := range alerts {
		first, ok := st.first[a.To]
		if !ok {
			st.first[a.To] = a
			out = append(out, a)
			added = true
			continue
		}
		if first.Link == a.Link {
			// The story's own item again (changed: an edit of its
			// message), not another outlet.
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
	if added {
		saves = append(saves, st.record())
	}
	return out, saves
}
