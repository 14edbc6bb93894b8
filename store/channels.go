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
}

// SetChannelDigest saves dest's digest schedule ("off" or "" removes it)
// and writes the change to the audit trail, in one transaction.
func (db *DB) SetChannelDigest(dest wirewatch.Destination, spec, by string) error {
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bChannels)
		if err != nil {
			return err
		}
		if spec == "" || spec == "off" {
			err = b.Delete([]byte(dest))
		} else {
			err = putJSON(b, []byte(dest), channelSettings{Digest: spec})
		}
		if err != nil {
			return err
		}
		return audit(tx, AuditEntry{At: time.Now().UTC(), User: by, Action: "channel digest", ID: string(dest), Detail: spec, To: string(dest)})
	})
	if err != nil {
		return fmt.Errorf("save digest of %s: %w", dest, err)
	}
	return nil
}

// ChannelDigests returns the digest schedules set from chat, as typed.
func (db *DB) ChannelDigests() (map[wirewatch.Destination]string, error) {
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
			out[wirewatch.Destination(k)] = s.Digest
			return nil
		})
	})
	return out, err
}
