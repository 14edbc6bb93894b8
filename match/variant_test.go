package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// sharedProbes returns the probes under which Index.Match finds "~" word c
// when it looks up text word t (both collapsed; see table.variants): -1
// for key(t), i for key(t minus i) when the filter holds it at position i.
func sharedProbes(t, c []rune) []int {
	ck := variantKeys(nil, c) // key(c), then key(c minus j)
	var ps []int
	if k := mixVariant(variantHash(t), len(t)); slices.Contains(ck, k) {
		ps = append(ps, -1)
	}
	for i := range t {
		d := slices.Delete(slices.Clone(t), i, i+1)
		k := mixVariant(variantHash(d), len(d))
		for j, ck := range ck {
			if ck == k && (j == 0 && i <= len(c) || j-1 == i || j-1 == i+1) {
				ps = append(ps, i)
				break
			}
		}
	}
	return ps
}

// TestVariantKeys: a word one edit from a "~" word always shares with it
// the key variantProbe names, a word sharing a key is at most two edits
// away, withinOneEdit agrees with the reference distance, and the hashes
// of deletions agree with hashing the deleted string.
func TestVariantKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("abcdezé日")
	word := func(n int) []rune {
		w := make([]rune, n)
		for i := range w {
			w[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return collapse(nil, []byte(string(w)))
	}
	edits, far := 0, 0
	for range 20000 {
		w := word(2 + rng.IntN(9))
		if len(w) < 2 {
			continue
		}
		v := slices.Clone(w)
		i := rng.IntN(len(v))
		switch rng.IntN(4) {
		case 0:
			v = slices.Insert(v, i, alphabet[rng.IntN(len(alphabet))])
		case 1:
			v = slices.Delete(v, i, i+1)
		case 2:
			v[i] = alphabet[rng.IntN(len(alphabet))]
		default:
			if i+1 < len(v) {
				v[i], v[i+1] = v[i+1], v[i]
			}
		}
		if !withinOneEdit(v, w) || osaDistance(v, w) > 1 {
			t.Fatalf("%q → %q: withinOneEdit %v, OSA distance %d", string(w), string(v), withinOneEdit(v, w), osaDistance(v, w))
		}
		// The probe variantProbe names finds the word.
		if p := variantProbe(v, w); !slices.Contains(sharedProbes(v, w), p) {
			t.Fatalf("%q is one edit from %q but probe %d does not find it (%v)", string(v), string(w), p, sharedProbes(v, w))
		}
		edits++
		// Any word: a shared key means at most two edits, and
		// withinOneEdit agrees with the reference distance.
		o := word(1 + rng.IntN(9))
		d := osaDistance(o, w)
		if withinOneEdit(o, w) != (d <= 1) {
			t.Fatalf("withinOneEdit(%q, %q) = %v, OSA distance %d", string(o), string(w), withinOneEdit(o, w), d)
		}
		if len(sharedProbes(o, w)) > 0 && d > 2 {
			t.Fatalf("%q shares a key with %q, %d edits away", string(o), string(w), d)
		}
		if d > 1 {
			far++
		}
	}
	for _, s := range []string{"mazara", "xinis", "a", "ab", "日本語"} {
		c := []rune(s)
		h := variantHash(c)
		var pre, pw uint64 = 0, 1
		for i, r := range c {
			var del uint64
			del, pre = deletionHash(h, pre, pw, r)
			pw *= variantBase
			if want := variantHash(slices.Delete(slices.Clone(c), i, i+1)); del != want {
				t.Errorf("deletion %d of %q: hash %x, want %x", i, s, del, want)
			}
		}
	}
	if edits < 10000 || far < 1000 {
		t.Errorf("only %d edits and %d far words tried", edits, far)
	}
}

// TestVariantMemoSets: the per-goroutine memo of words with and without
// variants holds a few words per set (vnone: 8, vsome: 2) and forgets the
// oldest when a ninth or third word of the same set comes. Words chosen
// to share a set, some of them "~" words of the index or variants of one,
// matched in shuffled documents many times over, find exactly what the
// reference finds.
func TestVariantMemoSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const letters = "bcdfghklmnprstvz"
	word := func() string {
		b := make([]byte, 6)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
			for i > 0 && b[i] == b[i-1] {
				b[i] = letters[rng.IntN(len(letters))]
			}
		}
		return string(b)
	}
	// Three "~" words sharing a vsome set, with a variant of each (a
	// letter dropped) in the documents as well.
	bySome := map[uint64][]string{}
	var tilde []string
	for tilde == nil {
		w := word()
		s := hashString(w) >> (64 - vsomeSetsLog)
		bySome[s] = append(bySome[s], w)
		if len(bySome[s]) == 3 {
			tilde = bySome[s]
		}
	}
	// Twelve words sharing a vnone set, no variant of any "~" word.
	byNone := map[uint64][]string{}
	var plain []string
	for plain == nil {
		w := word()
		near := false
		for _, c := range tilde {
			near = near || withinOneEdit(collapse(nil, []byte(w)), collapse(nil, []byte(c)))
		}
		if near {
			continue
		}
		s := hashString(w) >> (64 - vnoneSetsLog)
		byNone[s] = append(byNone[s], w)
		if len(byNone[s]) == 12 {
			plain = byNone[s]
		}
	}
	ix := NewIndex()
	var qs []*Query
	for i, w := range tilde {
		q := MustParse(t, w+"~")
		qs = append(qs, q)
		ix.Set(fmt.Sprint(i), q)
	}
	pool := slices.Concat(plain, tilde)
	for _, w := range tilde {
		pool = append(pool, w[:2]+w[3:]) // a letter dropped: a variant
	}
	for n := range 300 {
		ws := make([]string, 1+rng.IntN(12))
		for i := range ws {
			ws[i] = pool[rng.IntN(len(pool))]
		}
		d := Doc{Text: strings.Join(ws, " ")}
		rd := refPrepare(d)
		var want []Hit
		for i, q := range qs {
			if terms, ok := refMatch(q, rd); ok {
				want = append(want, Hit{ID: fmt.Sprint(i), Terms: terms})
			}
		}
		if got := ix.Match(d); !slices.EqualFunc(got, want, func(a, b Hit) bool { return a.ID == b.ID && slices.Equal(a.Terms, b.Terms) }) {
			t.Fatalf("document %d %q: index %+v, reference %+v", n, d.Text, got, want)
		}
	}
}
