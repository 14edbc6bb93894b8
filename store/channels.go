package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// bChannels holds per-channel settings made from chat: destination →
// channelSettings. Made by Open; a file opened read-only may lack it
// (written by an older version), which reads as having none.
var bChannels = []byte("channels")

type channelSettings struct {
	Digest string `json:"digest,omitempty"` // as typed: hourly, daily HH:MM
	Quiet  string `json:"quiet,omitempty"`  // as typed: HH:MM-HH:MM
}

// SetChannelDigest saves dest's digest schedule ("off" or "" removes it)
// and writes the change to the audit trail, in one transaction.
func (db *DB) SetChannelDigest(dest wirewatch.Destination, spec, by string) error {
	return db.setChannel(dest, by, "channel digest", spec, func(s *channelSettings) { s.Digest = spec })
}

// SetChannelQuiet saves dest's quiet hours ("off" or "" removes them) and
// writes the change to the audit trail, in one transaction.
func (db *DB) SetChannelQuiet(dest wirewatch.Destination, spec, by string) error {
	return db.setChannel(dest, by, "channel quiet", spec, func(s *channelSettings) { s.Quiet = spec })
}

// setChannel changes one of dest's settings with set (a setting set to
// "off" is removed) and audits it as action.
func (db *DB) setChannel(dest wirewatch.Destination, by, action, spec string, set func(*channelSettings)) error {
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChannels) // made by Open
		var s channelSettings
		if v := b.Get([]byte(dest)); v != nil {
			_ = json.Unmarshal(v, &s) // a damaged record is replaced
		}
		set(&s)
		if s.Digest == "off" {
			s.Digest = ""
		}
		if s.Quiet == "off" {
			s.Quiet = ""
		}
		var err error
		if s == (channelSettings{}) {
			err = b.Delete([]byte(dest))
		} else {
			err = putJSON(b, []byte(dest), s)
		}
		if err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: time.Now().UTC(), User: by, Action: action, ID: string(dest), Detail: spec, To: string(dest)})
	})
	db.chans.drop() // after the commit: a read from now on sees the change
	if err != nil {
		return fmt.Errorf("save %s of %s: %w", action, dest, err)
	}
	return nil
}

// ChannelDigests returns the digest schedules set from chat, as typed.
func (db *DB) ChannelDigests() (map[wirewatch.Destination]string, error) {
	return db.channelSetting(func(s channelSettings) string { return s.Digest })
}

// ChannelQuiet returns the quiet hours set from chat, as typed.
func (db *DB) ChannelQuiet() (map[wirewatch.Destination]string, error) {
	return db.channelSetting(func(s channelSettings) string { return s.Quiet })
}

// ChannelDigestOf returns dest's digest schedule set from chat, as typed
// ("" for none). The dispatcher asks for every alert it delivers, so it is
// answered from memory.
func (db *DB) ChannelDigestOf(dest wirewatch.Destination) (string, error) {
	all, err := db.chans.get(db)
	return all[dest].Digest, err
}

// ChannelQuietOf returns dest's quiet hours set from chat, as typed ("" for
// none), from memory like ChannelDigestOf.
func (db *DB) ChannelQuietOf(dest wirewatch.Destination) (string, error) {
	all, err := db.chans.get(db)
	return all[dest].Quiet, err
}

func (db *DB) channelSetting(get func(channelSettings) string) (map[wirewatch.Destination]string, error) {
	all, err := db.chans.get(db)
	out := make(map[wirewatch.Destination]string, len(all))
	for dest, s := range all {
		if v := get(s); v != "" {
			out[dest] = v
		}
	}
	return out, err
}

// channelCache keeps the channels bucket in memory between changes: this
// process is the only writer of the file, and setChannel drops the copy
// after each commit.
type channelCache struct {
	mu  sync.Mutex
	all map[wirewatch.Destination]channelSettings // nil: not read since the last change
}

func (c *channelCache) drop() {
	c.mu.Lock()
	c.all = nil
	c.mu.Unlock()
}

// get returns the settings (read-only), reading them first if needed. The
// lock is held over the read so that a read begun before a change cannot
// store its older copy after drop.
func (c *channelCache) get(db *DB) (map[wirewatch.Destination]channelSettings, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all != nil {
		return c.all, nil
	}
	all := map[wirewatch.Destination]channelSettings{}
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChannels)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var s channelSettings
			if err := json.Unmarshal(v, &s); err != nil {
				return nil // one damaged record does not hide the others
			}
			all[wirewatch.Destination(k)] = s
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	c.all = all
	return all, nil
}
