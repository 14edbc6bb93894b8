// Package replay remembers which signed requests were already handled, so
// that the same request sent again (a replay by whoever captured it, or a
// platform's redelivery) is answered without being run twice.
//
// Rules:
//
//   - A key is remembered until the expiry its caller gives: the end of the
//     window in which the request's signature is accepted, after which the
//     signature check refuses it anyway.
//   - At most Max keys are kept; past that the oldest go first, expired or
//     not. Filling it takes Max distinct validly signed requests within one
//     window, which only the platform can make.
//   - The zero Guard is ready to use. It is safe for concurrent use.
package replay

import (
	"sync"
	"time"
)

// Max bounds the keys a Guard holds (a key is a few dozen bytes).
const Max = 4096

// Guard remembers keys until they expire.
type Guard struct {
	mu    sync.Mutex
	seen  map[string]time.Time // key → expiry
	order []entry              // insertion order, oldest first, for eviction
}

type entry struct {
	key     string
	expires time.Time
}

// First reports whether key is seen for the first time at now (and then
// remembers it until expires), false for a replay of a key not yet expired.
func (g *Guard) First(key string, now, expires time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = map[string]time.Time{}
	}
	if exp, ok := g.seen[key]; ok && now.Before(exp) {
		return false
	}
	g.prune(now)
	for len(g.order) >= Max {
		g.drop()
	}
	g.seen[key] = expires
	g.order = append(g.order, entry{key, expires})
	return true
}

// Len is how many keys are held.
func (g *Guard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.seen)
}

// prune drops the expired keys at the front: expiries come roughly in
// insertion order, and First checks the expiry of any key it finds anyway.
func (g *Guard) prune(now time.Time) {
	for len(g.order) > 0 && !now.Before(g.order[0].expires) {
		g.drop()
	}
}

// drop forgets the oldest key, unless it was remembered again since.
func (g *Guard) drop() {
	e := g.order[0]
	g.order[0] = entry{}
	g.order = g.order[1:]
	if g.seen[e.key].Equal(e.expires) {
		delete(g.seen, e.key)
	}
}
