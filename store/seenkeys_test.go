package store

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/wirewatch/wirewatch"
)

// TestKeyerGroups: the keyer, which keeps the hash of the last group of
// each kind, makes the keys of the file's format (4 bytes of the group's
// hash, 12 of the key's) whatever the order of the groups it is asked for.
func TestKeyerGroups(t *testing.T) {
	want := func(group, key string) string {
		g, k := sha256.Sum256([]byte(group)), sha256.Sum256([]byte(key))
		return string(g[:4]) + string(k[:12])
	}
	var kr keyer
	for i := range 50 {
		it := wirewatch.Item{FeedID: fmt.Sprint("cfg-", i%3), ID: fmt.Sprint(i), Link: fmt.Sprintf("https://h%d.example/%d", i%2, i)}
		if i%7 == 0 {
			it.FeedID = "" // the empty group, first of all
		}
		if i%5 == 0 {
			it.Docket = &wirewatch.Docket{Court: "dcd", Number: fmt.Sprint("1:26-cv-", i%4), EntryNumber: "3"}
		}
		group := it.FeedID
		if it.Docket != nil {
			group = it.Docket.CaseKey()
		}
		if got := kr.seen(&it); string(got) != want(group, it.FeedKey()) {
			t.Fatalf("item %d: seen key %x, want %x", i, got, want(group, it.FeedKey()))
		}
		sk := "l " + it.Link
		if got := kr.story(sk); string(got) != want(fmt.Sprintf("h%d.example", i%2), sk) {
			t.Fatalf("item %d: story key %x, want %x", i, got, want(fmt.Sprintf("h%d.example", i%2), sk))
		}
	}
}
