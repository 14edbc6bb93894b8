package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// bChannels holds per-channel settings made from chat: destination →
// channelSettings. Created on first write, so an older store reads as
// having none.
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
		b, err := tx.CreateBucketIfNotExists(bChannels)
		if err != nil {
			return err
		}
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

func (db *DB) channelSetting(get func(channelSettings) string) (map[wirewatch.Destination]string, error) {
	out := map[wirewatch.Destination]string{}
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
			if v := get(s); v != "" {
				out[wirewatch.Destination(k)] = v
			}
			return nil
		})
	})
	return out, err
}
