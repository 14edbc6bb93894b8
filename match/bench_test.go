package match

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"unicode"
)

// The benchmarks of BENCHMARKS.md ("Matching"). Each one runs its baseline
// in the same process, so the ratios survive a noisy machine:
//
//	go test ./match -run XXX -bench . -benchtime 3x
//
// Workload: 10,000 watches from the realistic mix of gen.query (names,
// titles with surnames, phrases, single words, OR/AND/NOT, prefixes, case:
// numbers) and 100,000 items of about 600 bytes, 30% with typographic
// punctuation, 5% with 1–2 watches planted in display form (capitals,
// accents, hyphens, line breaks), 2% with a docket number.
//
// The variant workload is the same with "~" added to one word (5 letters or
// more, not a prefix) of every tenth watch; the watches planted in items are
// then those, and half of the planted "~" words are misspelled (a letter
// doubled, dropped, changed or swapped; sometimes twice). The Aho-Corasick
// baseline runs the watches without "~", as before.

const (
	benchWatches = 10000
	benchItems   = 100000
)

type benchCorpus struct {
	srcs  []string
	qs    []*Query
	vqs   []*Query // qs with "~" on one word of every tenth
	nvar  int      // watches with a "~" word
	ids   []string
	items []Doc
	bytes int
}

// withVariant adds "~" to the longest word of src that may take one (5
// letters or more, not a prefix, not part of a case: number), or returns ""
// if none may.
func withVariant(src string) string {
	best, bestLen := -1, 0
	for i := 0; i < len(src); {
		if !isLetter(src[i]) {
			i++
			continue
		}
		j := i
		for j < len(src) && isLetter(src[j]) {
			j++
		}
		before := i == 0 || strings.IndexByte(` "(-`, src[i-1]) >= 0
		after := j == len(src) || strings.IndexByte(` ")`, src[j]) >= 0
		if before && after && j-i >= MinVariant && j-i > bestLen {
			best, bestLen = j, j-i
		}
		i = j
	}
	if best < 0 {
		return ""
	}
	return src[:best] + "~" + src[best:]
}

var (
	benchOnce sync.Once
	benchData *benchCorpus
)

func benchGen(seed uint64) *gen {
	return newGen(genConfig{seed: seed, vocab: 20000, names: 4000, titleWords: 9, textWords: 68,
		typo: 0.3, accents: 0.15, plant: 0.05, dockets: 0.02})
}

// corpus builds the workload once per process.
func corpus(tb testing.TB) *benchCorpus {
	tb.Helper()
	benchOnce.Do(func() {
		g := benchGen(1)
		c := &benchCorpus{}
		for i := 0; len(c.qs) < benchWatches; i++ {
			src := g.query()
			q, err := Parse(src)
			if err != nil {
				panic(fmt.Sprintf("generated query %q: %v", src, err))
			}
			c.srcs = append(c.srcs, src)
			c.qs = append(c.qs, q)
			c.ids = append(c.ids, fmt.Sprintf("w%05d", i))
			vq := q
			if c.nvar*10 < len(c.qs) {
				if v := withVariant(src); v != "" {
					if vq, err = Parse(v); err != nil {
						panic(fmt.Sprintf("variant query %q: %v", v, err))
					}
					c.nvar++
				}
			}
			c.vqs = append(c.vqs, vq)
		}
		for range benchItems {
			d := g.item(c.vqs)
			c.bytes += len(d.Title) + len(d.Text)
			c.items = append(c.items, d)
		}
		benchData = c
	})
	return benchData
}

func (c *benchCorpus) index() *Index { return indexOf(c.qs, c.ids) }

func indexOf(qs []*Query, ids []string) *Index {
	ix := NewIndex()
	for i, q := range qs {
		ix.Set(ids[i], q)
	}
	return ix
}

// acBaseline does the same job with petar-dambovaliev/aho-corasick: fold
// each field with Fold, find every phrase with an overlapping DFA search,
// keep whole-word occurrences, find docket numbers with the same scanner,
// then evaluate the queries that had a term. It reports ids only (no
// terms), which favours it.
type acBaseline struct {
	ac       ahocorasick.AhoCorasick
	pats     [][]acRef // per pattern
	openEnd  []bool    // pattern ends in a prefix: no boundary after it
	cases    map[string][]acRef
	qs       []*Query
	ids      []string
	patterns []string
}

type acRef struct{ q, atom int }

func newACBaseline(qs []*Query, ids []string) *acBaseline {
	b := &acBaseline{qs: qs, ids: ids, cases: map[string][]acRef{}}
	byPat := map[string]int{}
	for qi, q := range qs {
		for ai, a := range q.atoms {
			ref := acRef{qi, ai}
			if a.dk != nil {
				b.cases[a.dk.key()] = append(b.cases[a.dk.key()], ref)
				continue
			}
			if slices.Contains(a.prefix[:len(a.prefix)-1], true) {
				panic("baseline: prefix inside a phrase")
			}
			p := strings.Join(a.words, " ")
			open := a.prefix[len(a.prefix)-1]
			key := fmt.Sprint(open, p)
			pi, ok := byPat[key]
			if !ok {
				pi = len(b.patterns)
				byPat[key] = pi
				b.patterns = append(b.patterns, p)
				b.pats = append(b.pats, nil)
				b.openEnd = append(b.openEnd, open)
			}
			b.pats[pi] = append(b.pats[pi], ref)
		}
	}
	builder := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
	b.ac = builder.Build(b.patterns)
	return b
}

type acScratch struct {
	bits    []uint64
	touched []int
}

func (b *acBaseline) match(d Doc, sc *acScratch) []string {
	if sc.bits == nil {
		sc.bits = make([]uint64, len(b.qs))
	}
	sc.touched = sc.touched[:0]
	hit := func(r acRef) {
		if sc.bits[r.q] == 0 {
			sc.touched = append(sc.touched, r.q)
		}
		sc.bits[r.q] |= 1 << uint(r.atom)
	}
	var doc docText
	d.text(&doc)
	for _, s := range doc.segs {
		f := Fold(s)
		it := b.ac.IterOverlapping(f)
		for m := it.Next(); m != nil; m = it.Next() {
			st, en := m.Start(), m.End()
			if st > 0 && f[st-1] != ' ' {
				continue
			}
			pi := m.Pattern()
			if !b.openEnd[pi] && en < len(f) && f[en] != ' ' {
				continue
			}
			for _, r := range b.pats[pi] {
				hit(r)
			}
		}
		if len(b.cases) == 0 {
			continue
		}
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) || i > 0 && (isDigit(s[i-1]) || isLetter(s[i-1])) || !docketStart(s, i) {
				continue
			}
			if num, _, ok := parseDocketAt(s, i); ok {
				for _, r := range b.cases[num.key()] {
					if b.qs[r.q].atoms[r.atom].dk.matches(num) {
						hit(r)
					}
				}
			}
		}
	}
	for _, n := range d.Numbers {
		if num, ok := parseDocket(n); ok {
			for _, r := range b.cases[num.key()] {
				if b.qs[r.q].atoms[r.atom].dk.matches(num) {
					hit(r)
				}
			}
		}
	}
	var out []string
	for _, qi := range sc.touched {
		if b.qs[qi].root.eval(sc.bits[qi]) {
			out = append(out, b.ids[qi])
		}
		sc.bits[qi] = 0
	}
	slices.Sort(out)
	return out
}

// TestBenchmarkMatchersAgree checks the benchmark's contestants on the
// benchmark's own workload: the index and the Aho-Corasick baseline find
// the same hits on 2,000 items, and the index equals the reference matcher
// on 200 of them.
func TestBenchmarkMatchersAgree(t *testing.T) {
	if testing.Short() || os.Getenv("WIREWATCH_SLOW_TESTS") == "" {
		t.Skip("builds the 10,000-watch workload; set WIREWATCH_SLOW_TESTS=1 to run it")
	}
	g := benchGen(2)
	var qs, vqs []*Query
	var idl []string
	for i := range benchWatches {
		src := g.query()
		qs = append(qs, MustParse(t, src))
		vqs = append(vqs, qs[i])
		if v := withVariant(src); i%10 == 0 && v != "" {
			vqs[i] = MustParse(t, v)
		}
		idl = append(idl, fmt.Sprintf("w%05d", i))
	}
	ix := indexOf(qs, idl)
	vix := indexOf(vqs, idl)
	base := newACBaseline(qs, idl)
	var sc acScratch
	total, vtotal := 0, 0
	for n := range 2000 {
		d := g.item(vqs)
		if n < 200 {
			// The variant workload: the index equals the reference.
			got := vix.Match(d)
			rd := refPrepare(d)
			var want []Hit
			for i, q := range vqs {
				if terms, ok := refMatch(q, rd); ok {
					want = append(want, Hit{ID: idl[i], Terms: terms})
				}
			}
			if !slices.EqualFunc(got, want, func(a, b Hit) bool { return a.ID == b.ID && slices.Equal(a.Terms, b.Terms) }) {
				t.Fatalf("item %d, variant workload: index %+v, reference %+v", n, got, want)
			}
			vtotal += len(got)
		}
		got := ix.Match(d)
		var gotIDs []string
		for _, h := range got {
			gotIDs = append(gotIDs, h.ID)
		}
		if want := base.match(d, &sc); !slices.Equal(gotIDs, want) {
			t.Fatalf("item %d: index %v, Aho-Corasick baseline %v\n%+v", n, gotIDs, want, d)
		}
		total += len(got)
		if n < 200 {
			rd := refPrepare(d)
			var want []Hit
			for i, q := range qs {
				if terms, ok := refMatch(q, rd); ok {
					want = append(want, Hit{ID: idl[i], Terms: terms})
				}
			}
			if !slices.EqualFunc(got, want, func(a, b Hit) bool { return a.ID == b.ID && slices.Equal(a.Terms, b.Terms) }) {
				t.Fatalf("item %d: index %+v, reference %+v", n, got, want)
			}
		}
	}
	t.Logf("2,000 items: %d hits; 200 items, variant workload: %d hits", total, vtotal)
	if total < 50 {
		t.Errorf("only %d hits: the workload no longer plants watches", total)
	}
}

// matchAll matches every item with workers goroutines.
func matchAll(items []Doc, workers int, match func(w int, d Doc) int) int {
	var wg sync.WaitGroup
	counts := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += workers {
				counts[w] += match(w, items[i])
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}

// BenchmarkMatch10k is B1: 10,000 watches × 100,000 items, fold and match,
// on 2 goroutines, against the Aho-Corasick baseline in the same run.
func BenchmarkMatch10k(b *testing.B) {
	c := corpus(b)
	b.Logf("%d watches, %d items, %.1f MB, %.0f B/item", len(c.qs), len(c.items), float64(c.bytes)/1e6, float64(c.bytes)/float64(len(c.items)))
	report := func(b *testing.B, hits int, cpu time.Duration) {
		per := b.Elapsed().Seconds() / float64(b.N)
		// CPU time used by the process while matching (GC included): a
		// measure of the work that a busy machine distorts less than wall
		// time.
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/100k-items")
		b.ReportMetric(per, "s/100k-items")
		b.ReportMetric(float64(c.bytes)/per/1e6, "MB/s")
		b.ReportMetric(float64(hits), "hits")
	}
	b.Logf("variant workload: %d of %d watches with a \"~\" word", c.nvar, len(c.vqs))
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("index/goroutines=%d", workers), func(b *testing.B) {
			ix := c.index()
			hits := 0
			cpu0 := cpuTime()
			for b.Loop() {
				hits = matchAll(c.items, workers, func(_ int, d Doc) int { return len(ix.Match(d)) })
			}
			report(b, hits, cpuTime()-cpu0)
		})
		b.Run(fmt.Sprintf("index-variants/goroutines=%d", workers), func(b *testing.B) {
			ix := indexOf(c.vqs, c.ids)
			hits := 0
			cpu0 := cpuTime()
			for b.Loop() {
				hits = matchAll(c.items, workers, func(_ int, d Doc) int { return len(ix.Match(d)) })
			}
			report(b, hits, cpuTime()-cpu0)
		})
		b.Run(fmt.Sprintf("ahocorasick/goroutines=%d", workers), func(b *testing.B) {
			base := newACBaseline(c.qs, c.ids)
			scs := make([]acScratch, workers)
			hits := 0
			cpu0 := cpuTime()
			for b.Loop() {
				hits = matchAll(c.items, workers, func(w int, d Doc) int { return len(base.match(d, &scs[w])) })
			}
			report(b, hits, cpuTime()-cpu0)
		})
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkBuild10k is B2's first half: build the matcher for 10,000
// watches (parsed, and parsing included) against building the
// Aho-Corasick DFA for the same terms; heap-MB is the live heap it keeps.
func BenchmarkBuild10k(b *testing.B) {
	c := corpus(b)
	b.Run("index", func(b *testing.B) {
		before := heapInUse()
		var ix *Index
		for b.Loop() {
			ix = c.index()
		}
		b.ReportMetric(float64(heapInUse()-before)/1e6, "heap-MB")
		runtime.KeepAlive(ix)
	})
	b.Run("index-variants-SetMany", func(b *testing.B) {
		m := make(map[string]*Query, len(c.vqs))
		for i, q := range c.vqs {
			m[c.ids[i]] = q
		}
		before := heapInUse()
		var ix *Index
		for b.Loop() {
			ix = NewIndex()
			ix.SetMany(m)
		}
		b.ReportMetric(float64(heapInUse()-before)/1e6, "heap-MB")
		runtime.KeepAlive(ix)
	})
	b.Run("index-SetMany", func(b *testing.B) {
		m := make(map[string]*Query, len(c.qs))
		for i, q := range c.qs {
			m[c.ids[i]] = q
		}
		before := heapInUse()
		var ix *Index
		for b.Loop() {
			ix = NewIndex()
			ix.SetMany(m)
		}
		b.ReportMetric(float64(heapInUse()-before)/1e6, "heap-MB")
		runtime.KeepAlive(ix)
	})
	b.Run("parse+index-SetMany", func(b *testing.B) {
		// From the query strings: what loading the watches at start costs.
		before := heapInUse()
		var ix *Index
		for b.Loop() {
			ix = NewIndex()
			m := make(map[string]*Query, len(c.srcs))
			for i, s := range c.srcs {
				q, err := Parse(s)
				if err != nil {
					b.Fatal(err)
				}
				m[c.ids[i]] = q
			}
			ix.SetMany(m)
		}
		b.ReportMetric(float64(heapInUse()-before)/1e6, "heap-MB")
		runtime.KeepAlive(ix)
	})
	b.Run("ahocorasick", func(b *testing.B) {
		before := heapInUse()
		var base *acBaseline
		for b.Loop() {
			base = newACBaseline(c.qs, c.ids)
		}
		b.ReportMetric(float64(heapInUse()-before)/1e6, "heap-MB")
		runtime.KeepAlive(base)
	})
}

// BenchmarkUpdateWhileMatching is B2's second half: replace a watch, drop
// one and add one while two goroutines match items without pause; it
// reports the mean and the slowest single update.
func BenchmarkUpdateWhileMatching(b *testing.B) {
	c := corpus(b)
	ix := c.index()
	var stop sync.WaitGroup
	done := make(chan struct{})
	// One matching goroutine per spare core: with more runnable goroutines
	// than cores the scheduler's 10 ms time slice, not the update, would
	// set the worst case.
	matchers := max(1, runtime.GOMAXPROCS(0)-1)
	for w := range matchers {
		stop.Add(1)
		go func() {
			defer stop.Done()
			for i := w; ; i += matchers {
				select {
				case <-done:
					return
				default:
				}
				ix.Match(c.items[i%len(c.items)])
			}
		}()
	}
	g := benchGen(3)
	extra := make([]*Query, 1000)
	for i := range extra {
		extra[i] = MustParse(b, g.query())
	}
	var lat []time.Duration
	timed := func(f func()) {
		t0 := time.Now()
		f()
		lat = append(lat, time.Since(t0))
	}
	i := 0
	for b.Loop() {
		// One op: replace a watch, drop one, add one.
		timed(func() { ix.Set(c.ids[i%len(c.ids)], extra[i%len(extra)]) })
		timed(func() { ix.Remove(fmt.Sprintf("tmp%d", i)) })
		timed(func() { ix.Set(fmt.Sprintf("tmp%d", i+1), extra[(i+1)%len(extra)]) })
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(3*b.N), "ns/update")
	close(done)
	stop.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs/update")
	b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds())/1e3, "max-µs/update")
}

// BenchmarkFold measures folding the items' text: Fold (ASCII table plus
// cached table for other runes) against the NFD → remove marks → NFC →
// lower-case chain of golang.org/x/text in the same run.
func BenchmarkFold(b *testing.B) {
	c := corpus(b)
	texts := make([]string, 20000)
	n := 0
	for i := range texts {
		texts[i] = c.items[i].Title + "\n" + c.items[i].Text
		n += len(texts[i])
	}
	b.Run("Fold", func(b *testing.B) {
		b.SetBytes(int64(n))
		for b.Loop() {
			for _, s := range texts {
				_ = Fold(s)
			}
		}
	})
	b.Run("tokenize", func(b *testing.B) {
		// What Index.Match does: fold into a reused buffer with offsets
		// and hashes.
		b.SetBytes(int64(n))
		var tk tokenizer
		for b.Loop() {
			for _, s := range texts {
				tk.reset()
				tk.run(s, 0)
			}
		}
	})
	b.Run("x-text-chain", func(b *testing.B) {
		b.SetBytes(int64(n))
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		for b.Loop() {
			for _, s := range texts {
				out, _, _ := transform.String(t, s)
				_ = strings.ToLower(out)
			}
		}
	})
}

// BenchmarkParse parses the 10,000 watch queries.
func BenchmarkParse(b *testing.B) {
	c := corpus(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range c.srcs {
			if _, err := Parse(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}
