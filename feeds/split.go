package feeds

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Parsing only what changed. A news feed that changes gains a few items per
// poll and keeps the others byte for byte, and gofeed parsing all of them was
// most of a steady poll cycle's allocation (issue 14: 275 of 517 MB at 10,000
// feeds). So the poller keeps, per feed, a sum of each item element's bytes
// from the last parse whose items were committed (an itemMemo), and the next
// parse hands gofeed the document without the elements it summed: the
// channel, every byte between and after the items, and the items that are new
// or changed.
//
// An item left out is one whose identical bytes, in a document whose item
// ancestors' start tags (namespaces, xml:base) and URL were the same, went
// through a committed parse of the same feed. What an item reads as depends
// on nothing else in gofeed (its translators read an item alone), except in
// our normalizeItem: an id from a GUID needs that GUID once in the feed, so
// the memo keeps each item's GUID sum, and a document with a GUID twice, or
// one whose last parse had a GUID twice, is parsed whole. Wherever splitItems is not sure how encoding/xml reads the document,
// it gives up and the document is parsed whole, as before.

// itemSum is a sum of an item element's bytes: 128 bits of two keyed
// hashes. Sums live in memory only, so the keys are the process's own.
type itemSum [2]uint64

var sumSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumOf(b []byte) itemSum {
	return itemSum{maphash.Bytes(sumSeeds[0], b), maphash.Bytes(sumSeeds[1], b)}
}

// guidSum is the sum of a gofeed item's GUID as normalizeItem counts it
// (trimmed); 0 is no GUID (or no item).
func guidSum(it *gofeed.Item) uint64 {
	if it == nil {
		return 0
	}
	guid := strings.TrimSpace(it.GUID)
	if guid == "" {
		return 0
	}
	return maphash.String(sumSeeds[0], guid) | 1
}

// itemSpan is one item element: body[start:end], from its "<" to just
// after its end tag.
type itemSpan struct {
	start, end int
	sum        itemSum
}

// bodySplit is a document's item elements, in document order, and the sum
// of what besides its own bytes shapes how an item reads.
type bodySplit struct {
	ctx   itemSum
	items []itemSpan
}

// openTag is an element whose end tag is still to come: its name and its
// start tag, body[start:end].
type openTag struct {
	name       []byte
	start, end int
}

// splitItems finds the item elements (RSS <item>, Atom <entry>) of a UTF-8
// XML feed document. It reads the document as encoding/xml reads it for
// gofeed (not strict; see precheck) and says ok only when it is sure where
// every item starts and ends:
//   - the body is valid UTF-8, an XML document (not JSON) with one root:
//     <rss>, <rdf:RDF> (items "item") or <feed> (items "entry");
//   - every end tag closes the element last opened, by the same name (so no
//     HTML left unclosed, nothing left open at the end);
//   - no directive (a DOCTYPE can define entities) and no comment or CDATA
//     section holding what looks like an item's tag;
//   - every element named like an item is one, unprefixed and lower case,
//     none inside another, all children of the same parent;
//   - there is at least one item and at most MaxItems.
//
// hint is how many items the document likely has (the last parse's).
func splitItems(body []byte, feedURL string, hint int) (sp bodySplit, ok bool) {
	if !utf8.Valid(body) {
		return sp, false
	}
	sp.items = make([]itemSpan, 0, min(hint, MaxItems))
	var (
		stack    []openTag
		parents  []openTag // the first item's ancestors
		itemName string
		rooted   bool
		inItem   bool
		itemAt   int // start of the item element under way
	)
	i := 0
	for {
		j := indexByte(body, i, '<')
		if j < 0 {
			break
		}
		if j+1 >= len(body) {
			return sp, false
		}
		switch body[j+1] {
		case '/':
			k := j + 2
			n := nameEnd(body, k)
			if n == k {
				return sp, false
			}
			name := body[k:n]
			for n < len(body) && isXMLSpace(body[n]) {
				n++
			}
			if n >= len(body) || body[n] != '>' || len(stack) == 0 || !bytes.Equal(stack[len(stack)-1].name, name) {
				return sp, false
			}
			stack = stack[:len(stack)-1]
			i = n + 1
			if inItem && len(stack) == len(parents) {
				sp.items = append(sp.items, itemSpan{start: itemAt, end: i})
				inItem = false
			}
			continue
		case '?':
			k := index(body, j+2, "?>")
			if k < 0 {
				return sp, false
			}
			if rooted && string(body[j+2:nameEnd(body, j+2)]) == "xml" {
				// encoding/xml reads an <?xml …?> anywhere, and one naming
				// an encoding decodes every byte after it anew: what
				// follows it depends on whether it is there.
				return sp, false
			}
			i = k + 2
			continue
		case '!':
			// A comment or CDATA section, ended where precheck's skipBang
			// ends it; a directive ends the split.
			open := len("<!--")
			if hasPrefixAt(body, j+2, "[CDATA[") {
				open = len("<![CDATA[")
			} else if !hasPrefixAt(body, j+2, "--") {
				return sp, false // a directive
			}
			end := skipBang(body, j+2)
			if end < 0 || mentionsItem(body[j+open:end-3]) { // without "-->" or "]]>"
				return sp, false
			}
			i = end
			continue
		}
		// A start tag.
		k := j + 1
		n := nameEnd(body, k)
		if n == k || n >= len(body) || !(isXMLSpace(body[n]) || body[n] == '>' || body[n] == '/') {
			return sp, false
		}
		name := body[k:n]
		next, empty, tagOK := skipAttrs(body, n)
		if !tagOK {
			return sp, false
		}
		if len(stack) == 0 {
			if rooted {
				return sp, false // a second root
			}
			rooted = true
			switch string(localName(name)) {
			case "rss", "RDF":
				itemName = "item"
			case "feed":
				itemName = "entry"
			default:
				return sp, false
			}
		}
		if asciiEqualFold(localName(name), itemName) {
			switch {
			case inItem, string(name) != itemName, len(sp.items) == MaxItems:
				return sp, false
			case parents == nil:
				parents = append(make([]openTag, 0, len(stack)), stack...)
				if len(parents) == 0 {
					return sp, false // the root itself
				}
			case !sameElements(stack, parents):
				return sp, false
			}
			if empty {
				sp.items = append(sp.items, itemSpan{start: j, end: next})
			} else {
				inItem, itemAt = true, j
			}
		}
		if !empty {
			stack = append(stack, openTag{name: name, start: j, end: next})
		}
		i = next
	}
	if len(stack) > 0 || len(sp.items) == 0 {
		return sp, false
	}
	var h [2]maphash.Hash
	for s := range h {
		h[s].SetSeed(sumSeeds[s])
		h[s].WriteString(feedURL)
		for _, t := range parents {
			h[s].WriteByte(0)
			h[s].Write(body[t.start:t.end])
		}
		sp.ctx[s] = h[s].Sum64()
	}
	for k := range sp.items {
		it := &sp.items[k]
		it.sum = sumOf(body[it.start:it.end])
	}
	return sp, true
}

// nameEnd is the end of an XML name starting at i (i itself if there is
// none). Only ASCII names are taken: the split gives up on others.
func nameEnd(b []byte, i int) int {
	for k := i; k < len(b); k++ {
		c := b[k]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
		case k > i && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return k
		}
	}
	return len(b)
}

// localName is a name without its prefix.
func localName(name []byte) []byte {
	if k := bytes.LastIndexByte(name, ':'); k >= 0 {
		return name[k+1:]
	}
	return name
}

// sameElements tells whether two stacks of open elements are the same
// elements.
func sameElements(a, b []openTag) bool {
	return len(a) == len(b) && slices.EqualFunc(a, b, func(x, y openTag) bool { return x.start == y.start })
}

// mentionsItem tells whether a comment or CDATA section holds something
// that reads like an item's start or end tag: commented-out items, or items
// quoted in a CDATA section, are where a split is easiest to get wrong.
func mentionsItem(b []byte) bool {
	for i := 0; ; {
		j := indexByte(b, i, '<')
		if j < 0 {
			return false
		}
		k := j + 1
		if k < len(b) && b[k] == '/' {
			k++
		}
		n := k
		for n < len(b) && !tagStop(b[n]) {
			n++
		}
		if isEntry(b[k:n]) {
			return true
		}
		i = j + 1
	}
}

// itemMemo is what a committed parse of a feed leaves for its next parse:
// the sum of each item element of the document and of its GUID, sorted by
// item sum, and whether a GUID was there more than once.
type itemMemo struct {
	ctx      itemSum
	items    []memoItem
	dupGUIDs bool
}

type memoItem struct {
	sum  itemSum
	guid uint64
}

func cmpSum(a, b itemSum) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// guid is the GUID sum of the item summed s, if the memo has it.
func (m *itemMemo) guid(s itemSum) (uint64, bool) {
	k, ok := slices.BinarySearchFunc(m.items, s, func(e memoItem, s itemSum) int { return cmpSum(e.sum, s) })
	if !ok {
		return 0, false
	}
	return m.items[k].guid, true
}

// newMemo is the memo of a split document: guids are the GUID sums of its
// items, in document order (newMemo sorts them).
func newMemo(sp bodySplit, guids []uint64) *itemMemo {
	m := &itemMemo{ctx: sp.ctx, items: make([]memoItem, len(sp.items))}
	for k, it := range sp.items {
		m.items[k] = memoItem{sum: it.sum, guid: guids[k]}
	}
	slices.SortFunc(m.items, func(a, b memoItem) int { return cmpSum(a.sum, b.sum) })
	slices.Sort(guids)
	for k := 1; k < len(guids); k++ {
		if guids[k] != 0 && guids[k] == guids[k-1] {
			m.dupGUIDs = true
			break
		}
	}
	return m
}
