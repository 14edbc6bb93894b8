package store

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/wirewatch/wirewatch"
)

// Edit in place: a seen record keeps, after its 8-byte time stamp, a hash
// of what people read of the item (title, summary, docket description,
// whitespace folded) and how many times its message was edited. An item
// seen again whose hash differs is changed: its alerts are queued again,
// marked Edit, at most wirewatch.MaxEdits times. Records of before carry
// no hash and are never taken for changed.
//
// The message that carried each alert is kept (bMessages: destination
// \x00 item → messageRef), so that the dispatcher can edit it; pruned with
// the threads. Made by Open.
var bMessages = []byte("messages")

const seenValueLen = 8 + 8 + 1

// contentHash is the hash of what people read of it: FNV-1a over its
// fields' words (any run of white space counts as one space), without
// allocating, as it runs for every item of a poll. The hashes are kept in
// the file: it must not change.
func contentHash(it *wirewatch.Item) uint64 {
	h := uint64(fnvOffset)
	for _, s := range [...]string{it.Title, it.Summary, docketText(it)} {
		space := true
		for i := 0; i < len(s); {
			// ASCII, most of a feed's text, without decoding, and a word of
			// it in one loop: the same runes and spaces as ranging over s, at
			// a fraction of the cost (4% of seeding's CPU went here).
			switch asciiClass[s[i]] {
			case asciiWord:
				if space {
					h = (h ^ ' ') * fnvPrime
					space = false
				}
				for ; i < len(s) && asciiClass[s[i]] == asciiWord; i++ {
					h = (h ^ uint64(s[i])) * fnvPrime
				}
				continue
			case asciiBlank:
				i++
				space = true
				continue
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			if unicode.IsSpace(r) {
				space = true
				continue
			}
			if space {
				h = (h ^ ' ') * fnvPrime
				space = false
			}
			h = (h ^ uint64(r)) * fnvPrime
		}
		h *= fnvPrime // the field ends (a 0 byte: h ^ 0 is h)
	}
	return h
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

// asciiClass sorts bytes for contentHash: ASCII but a space
// (unicode.IsSpace), an ASCII space, or the start of a rune to decode.
var asciiClass = func() (c [256]uint8) {
	for b := utf8.RuneSelf; b < len(c); b++ {
		c[b] = multiByte
	}
	for _, b := range "\t\n\v\f\r " {
		c[b] = asciiBlank
	}
	return c
}()

const (
	asciiWord = iota
	asciiBlank
	multiByte // the first byte of a rune past ASCII, or not UTF-8
)

func docketText(it *wirewatch.Item) string {
	if it.Docket == nil {
		return ""
	}
	return it.Docket.ShortDescription
}

// seenValue is the seen record of it first seen at stamp, edited edits
// times.
func seenValue(stamp []byte, it *wirewatch.Item, edits byte) []byte {
	v := make([]byte, 0, seenValueLen)
	v = append(v, stamp[:8]...)
	v = binary.BigEndian.AppendUint64(v, contentHash(it))
	return append(v, edits)
}

// changedValue returns the seen record of it when v, its record, says it
// was seen with other content and may still be edited; nil otherwise.
func changedValue(v []byte, it *wirewatch.Item) []byte {
	if len(v) != seenValueLen || v[16] >= wirewatch.MaxEdits || binary.BigEndian.Uint64(v[8:16]) == contentHash(it) {
		return nil
	}
	return seenValue(v, it, v[16]+1)
}

// noteChange records it's new content in its seen record and says whether
// it changed (see changed); f is what record found of it, whose seen key
// and record it reuses instead of making and reading them again.
func (s *seenSets) noteChange(f *found, it *wirewatch.Item) (bool, error) {
	nv := changedValue(f.seen, it)
	if nv == nil {
		return false, nil
	}
	return true, s.seen.Put(f.seenKey[:], nv)
}

// ItemRef names it for Alert.Item.
func ItemRef(it *wirewatch.Item) string {
	var kr keyer
	return hex.EncodeToString(kr.seen(it))
}

// messageRef is the message that carries an item in one channel.
type messageRef struct {
	Msg    string    `json:"msg"`
	Thread string    `json:"thread"`
	At     time.Time `json:"at"`
}

// putMessage records the message that carries a (a.Message), if any.
func putMessage(tx *bolt.Tx, now time.Time, a wirewatch.Alert) error {
	if a.Item == "" || a.Message == "" {
		return nil
	}
	b := tx.Bucket(bMessages) // made by Open
	return putJSON(b, depKey(a.To, a.Item), messageRef{Msg: a.Message, Thread: a.Thread, At: now.UTC()})
}

// Message returns the message that carries item in dest, and its thread
// key ("" when none is known).
func (db *DB) Message(dest wirewatch.Destination, item string) (msg, thread string, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMessages)
		if b == nil {
			return nil
		}
		v := b.Get(depKey(dest, item))
		if v == nil {
			return nil
		}
		var r messageRef
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("message of %s in %s: %w", item, dest, err)
		}
		msg, thread = r.Msg, r.Thread
		return nil
	})
	return msg, thread, err
}

// pruneMessages forgets the messages recorded before cutoff.
func pruneMessages(tx *bolt.Tx, cutoff time.Time) error {
	return pruneBefore(tx, bMessages, cutoff, func(r messageRef) time.Time { return r.At })
}

// Edited removes an edit alert from the outbox (its message edited, or
// none to edit).
func (db *DB) Edited(a wirewatch.Alert) error {
	err := db.update(func(tx *bolt.Tx) error { return dropPending(tx, a) })
	if err != nil {
		return fmt.Errorf("edited %s/%d: %w", a.To, a.ID, err)
	}
	return nil
}
