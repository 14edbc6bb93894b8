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
//   - With a Store, keys are also kept durably, so a replay after a restart
//     is refused too. The memory map stays the fast path; a store that fails
//     is logged and the memory map alone decides, so a broken store never
//     blocks a command.
//   - The zero Guard is ready to use. It is safe for concurrent use. Set
//     Store and Log before the first First.
package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"
)

// Store keeps keys across restarts. Keys given to it are sha256 hex (64
// bytes), whatever the caller's key was.
type Store interface {
	// Seen reports whether key was put with an expiry after now.
	Seen(key string, now time.Time) (bool, error)
	// Put remembers key until expires.
	Put(key string, expires time.Time) error
}

// Max bounds the keys a Guard holds (a key is a few dozen bytes).
const Max = 4096

// Guard remembers keys until they expire.
type Guard struct {
	Store Store        // nil: memory only
	Log   *slog.Logger // store errors; nil: not logged

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
// The key is claimed in memory before the store is asked, so two copies
// arriving together cannot both pass; the store answers for copies that
// arrive after a restart.
func (g *Guard) First(key string, now, expires time.Time) bool {
	if !g.firstInMemory(key, now, expires) {
		return false
	}
	if g.Store == nil {
		return true
	}
	sum := sha256.Sum256([]byte(key))
	hkey := hex.EncodeToString(sum[:])
	seen, err := g.Store.Seen(hkey, now)
	if err != nil {
		g.logErr("replay store read", err)
	} else if seen {
		return false
	}
	if err := g.Store.Put(hkey, expires); err != nil {
		g.logErr("replay store write", err)
	}
	return true
}

func (g *Guard) logErr(msg string, err error) {
	if g.Log != nil {
		g.Log.Warn(msg+" failed: replays are checked in memory only", "err", err)
	}
}

// firstInMemory is First on the memory map alone.
func (g *Guard) firstInMemory(key string, now, expires time.Time) bool {
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
