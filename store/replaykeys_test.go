package store

import (
	"testing"
	"time"
)

// TestReplayKeys: a key is seen until its expiry and not after, under its
// own platform's prefix only, and survives closing and reopening the file.
func TestReplayKeys(t *testing.T) {
	db := MustOpen(t, nil)
	now := time.Now()
	exp := now.Add(5 * time.Minute)
	if err := db.ReplayKeys("slack:").Put("k1", exp); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db)
	for _, c := range []struct {
		prefix string
		at     time.Time
		want   bool
	}{
		{"slack:", now, true},
		{"slack:", exp.Add(-time.Second), true},
		{"slack:", exp.Add(time.Second), false},
		{"discord:", now, false},
	} {
		got, err := db.ReplayKeys(c.prefix).Seen("k1", c.at)
		if err != nil || got != c.want {
			t.Errorf("Seen(%s k1, %v after put) = %v, %v; want %v", c.prefix, c.at.Sub(now), got, err, c.want)
		}
	}
}
