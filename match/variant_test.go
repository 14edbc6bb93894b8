package match

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// textKeys are the keys Index.Match looks a collapsed text word up under
// (table.variantAnchors): its own, then its deletions with their position.
func textKeys(c []rune) []uint64 {
	h := variantHash(c)
	keys := []uint64{mixVariant(h, len(c))}
	var pre, pw uint64 = 0, 1
	for i, r := range c {
		var del uint64
		del, pre = deletionHash(h, pre, pw, r)
		pw *= variantBase
		keys = append(keys, mixVariantAt(del, len(c)-1, i))
	}
	return keys
}

func meet(a, b []uint64) bool {
	for _, k := range a {
		if slices.Contains(b, k) {
			return true
		}
	}
	return false
}

// TestVariantKeys: a word one edit from a "~" word always shares a key
// with it, and the hashes of deletions agree with hashing the deleted
// string.
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
		if !meet(textKeys(v), variantKeys(w)) {
			t.Fatalf("%q is one edit from %q but shares no key with it", string(v), string(w))
		}
		edits++
		// Any word: a shared key means at most two edits, and
		// withinOneEdit agrees with the reference distance.
		o := word(1 + rng.IntN(9))
		d := osaDistance(o, w)
		if withinOneEdit(o, w) != (d <= 1) {
			t.Fatalf("withinOneEdit(%q, %q) = %v, OSA distance %d", string(o), string(w), withinOneEdit(o, w), d)
		}
		if meet(textKeys(o), variantKeys(w)) && d > 2 {
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
