package neardup

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// pairs are the estimated containments (in percent) of one story's
// outlets in each other (same) and of every text in the other stories'
// (different).
func pairs(texts [][]string, w int) (same, different []int) {
	sigs := make([][]Sig, len(texts))
	for s, outlets := range texts {
		for _, t := range outlets {
			sig, ok := of(t, w)
			if !ok {
				panic("corpus text under MinWords")
			}
			sigs[s] = append(sigs[s], sig)
		}
	}
	for s := range sigs {
		for o, a := range sigs[s] {
			for _, b := range sigs[s][o+1:] {
				c := int(100 * Containment(a, b))
				if !shareBand(&a, &b) {
					c = -1 // the index's lookup never measures it
				}
				same = append(same, c)
			}
			for t := s + 1; t < len(sigs); t++ {
				for _, b := range sigs[t] {
					different = append(different, int(100*Containment(a, b)))
				}
			}
		}
	}
	return same, different
}

// rates are the share of same-story pairs found (containment at least k
// percent) and of different-story pairs merged.
func rates(same, different []int, k int) (found, merged float64) {
	n := 0
	for _, c := range same {
		if c >= k {
			n++
		}
	}
	m := 0
	for _, c := range different {
		if c >= k {
			m++
		}
	}
	return float64(n) / float64(len(same)), float64(m) / float64(len(different))
}

// TestThresholdOnCorpus measures Threshold on the generated corpus (300
// stories of one case, a third of them follow-ups reusing background
// paragraphs, each run by 4 outlets with their edits) and checks it on a
// second seed: no two different stories merge, and nearly every outlet of
// a story is found. -v also prints the containments for shingles of 2–5
// words, on the first seed (how Shingle and Threshold were chosen).
func TestThresholdOnCorpus(t *testing.T) {
	for _, w := range []int{2, 3, 4, 5} {
		if !testing.Verbose() {
			break
		}
		same, different := pairs(corpus(1, 300, 4), w)
		slices.Sort(same)
		slices.Sort(different)
		line := fmt.Sprintf("shingle %d: same story min %d p1 %d p5 %d p50 %d; different stories p99 %d p99.99 %d max %d;",
			w, same[0], same[len(same)/100], same[len(same)*5/100], same[len(same)/2],
			different[len(different)*99/100], different[len(different)*9999/10000], different[len(different)-1])
		for _, k := range []int{40, 50, 60, 65, 70} {
			found, merged := rates(same, different, k)
			line += fmt.Sprintf(" k=%d found %.4f merged %.6f;", k, found, merged)
		}
		t.Log(line)
	}
	same, different := pairs(corpus(2, 300, 4), Shingle)
	found, merged := rates(same, different, int(100*Threshold))
	t.Logf("seed 2, shingle %d, Threshold %.2f: %d same-story pairs, %.4f found; %d different-story pairs, %.6f merged",
		Shingle, Threshold, len(same), found, len(different), merged)
	if merged != 0 {
		t.Errorf("different stories merged: %.6f of %d pairs", merged, len(different))
	}
	if found < 0.99 {
		t.Errorf("outlets of one story found: %.4f, want at least 0.99", found)
	}
}

// TestIndexFindsTheStory: the index gives an outlet's copy the first
// outlet's value, keeps another story of the same case apart, forgets
// past MaxAge and keeps at most Max.
func TestIndexFindsTheStory(t *testing.T) {
	texts := corpus(3, 3, 2)
	sig := func(s string) Sig {
		x, ok := Of(s)
		if !ok {
			t.Fatalf("no signature for %q", s)
		}
		return x
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ix := &Index[string]{Max: 2, MaxAge: 48 * time.Hour}
	if _, found := ix.FindOrAdd(sig(texts[0][0]), now, func() string { return "A" }); found {
		t.Fatal("empty index found a story")
	}
	if v, found := ix.FindOrAdd(sig(texts[0][1]), now, func() string { return "A2" }); !found || v != "A" {
		t.Errorf("second outlet of story A: %q, %v; want A", v, found)
	}
	if v, found := ix.FindOrAdd(sig(texts[1][0]), now, func() string { return "B" }); found {
		t.Errorf("another story of the case was taken for %q", v)
	}
	if _, found := ix.FindOrAdd(sig(texts[0][1]), now.Add(49*time.Hour), func() string { return "A3" }); found {
		t.Error("a story older than MaxAge was found")
	}
	if n := ix.Len(); n != 2 {
		t.Errorf("Len = %d, want Max 2", n)
	}
	if _, ok := Of(strings.Repeat("word ", MinWords-1)); ok {
		t.Errorf("a text of %d words has a signature", MinWords-1)
	}
}

var bench struct {
	once  sync.Once
	texts []string
	ix    *Index[int]
}

// BenchmarkNearDuplicate: what a new article costs: its signature, and
// the lookup among 100,000 recent ones (signatures of generated stories
// of one case, as in the corpus: the worst case, as stories of one case
// share the most shingles). Baselines in the same run: sha256 of the same
// text (recognising an exact copy), and scan-100k, the lookup before the
// band table (scan, below): every signature's first 24 minima, and all of
// a candidate's.
func BenchmarkNearDuplicate(b *testing.B) {
	bench.once.Do(func() {
		g := gen{rand.New(rand.NewPCG(7, 7))}
		bench.ix = &Index[int]{Max: 100_000}
		for i := range 100_000 {
			s, _ := Of(g.outlet(g.story()))
			bench.ix.put(s, i, time.Time{})
		}
		for range 64 {
			bench.texts = append(bench.texts, g.outlet(g.story()))
		}
	})
	words := 0
	for _, t := range bench.texts {
		words += len(strings.Fields(t))
	}
	b.Logf("%d signatures kept; new texts of %d words on average", bench.ix.Len(), words/len(bench.texts))
	b.Run("sha256", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sha256.Sum256([]byte(bench.texts[i%len(bench.texts)]))
		}
	})
	b.Run("signature", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			Of(bench.texts[i%len(bench.texts)])
		}
	})
	b.Run("scan-100k", func(b *testing.B) {
		sigs := make([]Sig, len(bench.texts))
		for i, t := range bench.texts {
			sigs[i], _ = Of(t)
		}
		heads := make([][3]uint64, len(bench.ix.sigs))
		for i := range heads {
			heads[i] = [3]uint64(bench.ix.sigs[i].min[:3])
		}
		for i := 0; b.Loop(); i++ {
			scan(heads, bench.ix.sigs, sigs[i%len(sigs)])
		}
	})
	b.Run("lookup-100k", func(b *testing.B) {
		sigs := make([]Sig, len(bench.texts))
		for i, t := range bench.texts {
			sigs[i], _ = Of(t)
		}
		for i := 0; b.Loop(); i++ {
			bench.ix.mu.Lock()
			bench.ix.nearest(sigs[i%len(sigs)], time.Time{})
			bench.ix.mu.Unlock()
		}
	})
}

// scan is the lookup the band table replaced, kept as the benchmark's
// baseline: a pass over every signature's first 24 minima (heads, dense),
// measuring those that agree in at least 3 of them.
func scan(heads [][3]uint64, sigs []Sig, s Sig) int {
	best, bestC := -1, Threshold
	h := [3]uint64(s.min[:3])
	for i := range heads {
		if equalBytes(h[0], heads[i][0])+equalBytes(h[1], heads[i][1])+equalBytes(h[2], heads[i][2]) < 3 {
			continue
		}
		if c := Containment(s, sigs[i]); c >= bestC {
			best, bestC = i, c
		}
	}
	return best
}

// TestIndexEvictsFromBands: once Max stories are kept, a new one takes the
// oldest's slot, and the band table forgets the oldest: it is not found,
// the kept ones are, and the table holds exactly their bands.
func TestIndexEvictsFromBands(t *testing.T) {
	texts := corpus(4, 12, 2)
	ix := &Index[int]{Max: 5}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i, story := range texts {
		s, _ := Of(story[0])
		if v, found := ix.FindOrAdd(s, now, func() int { return i }); found {
			t.Fatalf("story %d taken for story %d", i, v)
		}
	}
	entries := 0
	for k, e := range ix.buckets {
		for ; e != 0; e = ix.link[e-1] {
			i, j := int(e-1)/bands, int(e-1)%bands
			if ix.bucket(j, band(&ix.sigs[i], j)) != &ix.buckets[k] {
				t.Errorf("slot %d band %d filed in the wrong chain", i, j)
			}
			entries++
		}
	}
	if entries != 5*bands {
		t.Errorf("band table holds %d entries, want %d (5 stories of %d bands)", entries, 5*bands, bands)
	}
	for i, story := range texts {
		s, _ := Of(story[1]) // another outlet's copy
		n := ix.nearest(s, now)
		found, v := n >= 0, -1
		if found {
			v = ix.vals[n]
		}
		if kept := i >= len(texts)-5; kept && (!found || v != i) {
			t.Errorf("kept story %d: got %d, %v", i, v, found)
		} else if !kept && found {
			t.Errorf("evicted story %d found as %d", i, v)
		}
	}
}

// A signature saved and read back finds the story in an index filled by
// Add, as the one it was taken from did.
func TestSigEncodingAndAdd(t *testing.T) {
	texts := corpus(11, 2, 2)
	a, ok := Of(texts[0][0])
	if !ok {
		t.Fatal("no signature")
	}
	enc := a.Append(nil)
	if len(enc) != SigLen {
		t.Fatalf("encoding is %d bytes, want %d", len(enc), SigLen)
	}
	back, ok := ParseSig(enc)
	if !ok || back != a {
		t.Fatalf("ParseSig(Append(s)) = %v, %v; want s", back, ok)
	}
	if _, ok := ParseSig(enc[:SigLen-1]); ok {
		t.Error("a short encoding was taken")
	}
	if _, ok := ParseSig(make([]byte, SigLen)); ok {
		t.Error("an encoding with no shingles was taken")
	}
	now := time.Unix(1_700_000_000, 0)
	ix := &Index[string]{Max: 10, MaxAge: 48 * time.Hour}
	ix.Add(back, "A", now.Add(-time.Hour))
	b, _ := Of(texts[0][1])
	if v, found := ix.FindOrAdd(b, now, func() string { return "B" }); !found || v != "A" {
		t.Errorf("another outlet of a loaded story: %q, %v; want A, found", v, found)
	}
	c, _ := Of(texts[1][0])
	if _, found := ix.FindOrAdd(c, now, func() string { return "C" }); found {
		t.Error("another story found the loaded one")
	}
}
