package store

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// sameItemJSON fails t unless itemJSON(it) is json.Marshal(it), error and all.
func sameItemJSON(t *testing.T, it wirewatch.Item) {
	t.Helper()
	got, gotErr := itemJSON(&it)
	want, wantErr := json.Marshal(&it)
	if (gotErr != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("itemJSON(%+v) = %s, %v; want %s, %v (json.Marshal)", it, got, gotErr, want, wantErr)
	}
}

// TestItemJSON: itemJSON writes what json.Marshal writes, for generated
// items of every kind of text.
func TestItemJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"word", " ", "\n", "\t", "\r", "\b", "\f", "\x00", "\x1f", "\x7f", `"`, `\`, "<", ">", "&", "é", "’", "日本",
		"\u2028", "\u2029", "\ufffd", "\xff", "\xe2\x82", "😀", "https://news.example/a?b=1&c=2#x"}
	text := func() string {
		var b strings.Builder
		for n := r.IntN(8); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	zones := []*time.Location{time.UTC, time.FixedZone("", -5*3600), time.FixedZone("X", 5*3600+1800)}
	for i := range 5000 {
		it := wirewatch.Item{ID: text(), FeedID: "f", Feed: text(), Title: text(), Link: text(), Summary: text(), Article: "never stored",
			Published: time.Unix(r.Int64N(4e9)-1e9, r.Int64N(2e9)).In(zones[r.IntN(len(zones))])}
		switch i % 5 {
		case 0:
			it.Published = time.Time{}
		case 1:
			it.SearchFor, it.Site = text(), text()
		case 2:
			it.Docket = &wirewatch.Docket{Court: "dcd", Number: "1:26-cv-1", ShortDescription: text()}
		case 3:
			it.Published = time.Date(10000+r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC) // json.Marshal refuses it
		}
		sameItemJSON(t, it)
	}
}

func FuzzItemJSON(f *testing.F) {
	f.Add("id", "Feed", "Title \"quoted\" <b>", "https://x.example/?a=1&b=2", "line\nbreak\u2028", "", "", int64(1700000000e9))
	f.Add("\xff", "\x00", "’", "", "\\", "w1", "site.example", int64(-1))
	f.Fuzz(func(t *testing.T, id, feed, title, link, summary, searchFor, site string, ns int64) {
		sameItemJSON(t, wirewatch.Item{ID: id, Feed: feed, Title: title, Link: link, Summary: summary, SearchFor: searchFor, Site: site,
			Published: time.Unix(0, ns).UTC()})
	})
}

// TestItemJSONFields: itemJSON knows every field of Item that JSON
// writes; a field added to Item must be added to it too.
func TestItemJSONFields(t *testing.T) {
	var names []string
	typ := reflect.TypeFor[wirewatch.Item]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name != "-" {
			names = append(names, name)
		}
	}
	if !slices.Equal(names, itemJSONFields) {
		t.Fatalf("Item's JSON fields %q, itemJSON writes %q", names, itemJSONFields)
	}
}
