package store

import (
	"testing"
	"unicode"

	"github.com/wirewatch/wirewatch"
)

// An item seen again with its headline corrected queues its alerts again,
// marked Edit and naming the same item; a change of whitespace alone does
// not; nor does a change past MaxEdits. The message recorded with a
// delivery is found by the item.
func TestIngestQueuesAnEditWhenAnItemChanges(t *testing.T) {
	db := MustOpen(t, nil)
	to := wirewatch.Destination("slack:C1")
	alerts := func(it wirewatch.Item) []wirewatch.Alert {
		return []wirewatch.Alert{{To: to, Title: it.Title, Thread: "t"}}
	}
	ingest := func(it wirewatch.Item) []wirewatch.Alert {
		t.Helper()
		before, _ := db.Pending(to, 100)
		if _, err := db.Ingest("cfg-1", nil, []wirewatch.Item{it}, alerts); err != nil {
			t.Fatal(err)
		}
		after, _ := db.Pending(to, 100)
		return after[len(before):]
	}
	it := item(1)
	it.Summary = "A stub."
	first := ingest(it)
	if len(first) != 1 || first[0].Edit || first[0].Item == "" {
		t.Fatalf("first sight: %+v", first)
	}
	if unseen, changed, err := db.UnseenOrChanged([]wirewatch.Item{it}); err != nil || unseen[0] || changed[0] {
		t.Fatalf("unchanged item: unseen %v changed %v (%v)", unseen, changed, err)
	}
	it.Summary = "  A   stub.\n"
	if got := ingest(it); len(got) != 0 {
		t.Errorf("a change of whitespace queued %+v", got)
	}
	for i := range wirewatch.MaxEdits {
		it.Title = "item 1, corrected " + string(rune('a'+i))
		if _, changed, _ := db.UnseenOrChanged([]wirewatch.Item{it}); !changed[0] {
			t.Fatalf("edit %d: not seen as changed", i)
		}
		got := ingest(it)
		if len(got) != 1 || !got[0].Edit || got[0].Item != first[0].Item || got[0].Title != it.Title {
			t.Fatalf("edit %d: queued %+v; want one edit of the same item", i, got)
		}
	}
	it.Title = "item 1, once too often"
	if got := ingest(it); len(got) != 0 {
		t.Errorf("an edit past MaxEdits queued %+v", got)
	}

	a := first[0]
	a.Message = "1700000000.000100"
	if err := db.Delivered(a, wirewatch.Thread{Key: "t", To: to, Ref: a.Message, TopRef: a.Message}); err != nil {
		t.Fatal(err)
	}
	if msg, key, err := db.Message(to, a.Item); err != nil || msg != a.Message || key != "t" {
		t.Errorf("Message = %q, %q, %v; want the delivered message in thread t", msg, key, err)
	}
}

// TestContentHashUnchanged: contentHash, which skips decoding ASCII, gives
// the hash its first version gave (ranging over the runes; the hashes are
// kept in the file, so a changed one would take every seen item for
// edited): every rune up to U+3100 (the ASCII and Unicode spaces among
// them), invalid UTF-8, and mixed text.
func TestContentHashUnchanged(t *testing.T) {
	byRunes := func(it *wirewatch.Item) uint64 {
		h := uint64(fnvOffset)
		for _, s := range [...]string{it.Title, it.Summary, docketText(it)} {
			space := true
			for _, r := range s {
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
			h *= fnvPrime // a 0 byte (h ^ 0 is h)
		}
		return h
	}
	texts := []string{"", " ", "a", "  Judge  Smith\tsays\r\nno \u00a0more\u2003", "caf\u00e9 \u0085x\u3000y",
		"bad \xff\xfe utf-8 \xe2\x82", "\xc3", "tab\v\ffeed"}
	for r := rune(0); r < 0x3100; r++ {
		texts = append(texts, "x"+string(r)+"y", string(r))
	}
	for i, s := range texts {
		it := wirewatch.Item{Title: s, Summary: texts[(i+1)%len(texts)]}
		if i%3 == 0 {
			it.Docket = &wirewatch.Docket{ShortDescription: texts[(i+7)%len(texts)]}
		}
		if got, want := contentHash(&it), byRunes(&it); got != want {
			t.Fatalf("%q / %q: hash %x, want %x", it.Title, it.Summary, got, want)
		}
	}
	// And one pinned, in case both were changed together.
	it := wirewatch.Item{Title: "Judge  Smith", Summary: "rules\ttoday"}
	if got := contentHash(&it); got != 0xe97b216a9d719c95 {
		t.Errorf("hash %x changed", got)
	}
}
