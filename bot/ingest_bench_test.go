package bot_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/store"
)

// The ingest benchmark: 1,000 RSS feeds of 100 items each on a loopback
// server, 1,000 watches. Reproduce with
//
//	go test ./bot -run XXX -bench Ingest -benchtime 1x -count 3
//
// What it measures is the path below the poller: no scheduler, no
// conditional GET and no body hash (every fetch is a 200 with the whole
// body, and every body is parsed). Its baseline only fetches and parses:
// the ratios are what wirewatch's normalizing, dedup, matching and store
// cost on top of that, not a comparison of like with like. The poller's
// cycle (304s, hash skips, the scheduler) against a naive poller doing the
// same job is BenchmarkPollCycle.
const (
	benchFeeds   = 1000
	benchItems   = 100
	benchWatches = 1000
	benchPool    = 4 // goroutines fetching feeds
)

var firstNames = []string{
	"Kilmar", "Paula", "José", "María", "Ahmed", "Chen", "Olga", "Søren", "Zoë", "François",
	"Ana", "Björn", "Lucía", "Tomás", "Nguyễn", "Ingrid", "Rafael", "Aisha", "Hélène", "Dmitri",
	"Grace", "Mateo", "Yusuf", "Renée", "Jürgen", "Camila", "Oksana", "Andrés", "Fatima", "Noël",
	"Peter", "Sarah", "David", "Linda", "James", "Ruth", "Samuel", "Irene", "Victor", "Nora",
}

var lastNames = []string{
	"Abrego García", "Xinis", "Núñez", "Müller", "Øster", "Okafor", "Kowalski", "Haddad", "Ibáñez", "Lindqvist",
	"Papadopoulos", "Fernández", "Dubois", "Schröder", "Castaño", "Yamamoto", "O'Brien", "Moreau", "Petrović", "Álvarez",
	"Whitfield", "Hargrove", "Delacroix", "Brennan", "Takahashi", "Quiñones", "Ólafsson", "Nakamura", "Rossi", "Szabó",
	"Ferreira", "Goldberg", "Mahoney", "Vasquez", "Kaminski", "Lefebvre", "Sørensen", "Aguilar", "Byrne", "Czerny",
	"Montague", "Ellison", "Pereira", "Gutiérrez", "Halvorsen", "Iglesias", "Jablonski", "Kristensen", "Loughlin", "Marchetti",
}

// benchCorpus is the generated feeds and watches, built once per process.
type benchCorpus struct {
	bodies  [][]byte
	watches []wirewatch.Watch
	bytes   int64
}

var (
	corpusOnce sync.Once
	corpus     benchCorpus
)

func loadCorpus() *benchCorpus {
	corpusOnce.Do(func() { corpus = genCorpus(rand.New(rand.NewPCG(2026, 11))) })
	return &corpus
}

func genCorpus(r *rand.Rand) benchCorpus {
	// A vocabulary of made-up words with a skewed frequency.
	syl := []string{"ka", "ro", "mi", "te", "lu", "sa", "ven", "dor", "pli", "st", "an", "or", "el", "qui", "bra", "tion", "ment", "er", "al", "ge"}
	// Distinct words of 2-4 syllables, so that no watched word is as
	// common as "the".
	vocab := make([]string, 0, 4000)
	for have := map[string]bool{}; len(vocab) < cap(vocab); {
		var b strings.Builder
		for n := 2 + r.IntN(3); n > 0; n-- {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		if w := b.String(); !have[w] {
			have[w] = true
			vocab = append(vocab, w)
		}
	}
	word := func() string {
		// Squaring skews toward the front of the vocabulary.
		f := r.Float64()
		return vocab[int(f*f*float64(len(vocab)))]
	}
	var names []string
	for _, f := range firstNames {
		for _, l := range lastNames {
			names = append(names, f+" "+l)
		}
	}
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })

	// Watches: most are names, some boolean.
	var c benchCorpus
	for i := range benchWatches {
		name := names[i%len(names)]
		var q string
		switch k := r.IntN(20); {
		case k < 10:
			q = name
		case k < 14:
			q = `"` + name + `"`
		case k < 17:
			stem := vocab[400+r.IntN(len(vocab)-400)]
			if len(stem) >= 3 {
				stem += "*"
			}
			// Boolean parts use words outside the 400 commonest.
			q = fmt.Sprintf(`"%s" AND (%s OR %s)`, name, vocab[400+r.IntN(len(vocab)-400)], stem)
		case k < 19:
			q = fmt.Sprintf(`"%s" OR "%s"`, name, names[(i+1000)%len(names)])
		default:
			q = fmt.Sprintf(`"%s" NOT %s`, name, vocab[r.IntN(50)])
		}
		c.watches = append(c.watches, wirewatch.Watch{
			ID: "cfg-" + strconv.Itoa(i+1), Query: q,
			To: []wirewatch.Destination{wirewatch.Destination("slack:C" + strconv.Itoa(i%8))},
		})
	}

	sentence := func(b *bytes.Buffer, n int) {
		for j := range n {
			w := word()
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			if r.IntN(600) == 0 {
				w = names[r.IntN(len(names))]
			}
			b.WriteString(w)
		}
		b.WriteString(". ")
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for f := range benchFeeds {
		var b bytes.Buffer
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Feed %d</title><link>https://news%d.example/</link><description>Generated</description>\n", f, f)
		for i := range benchItems {
			var d bytes.Buffer
			for target := 600 + r.IntN(200); d.Len() < target; {
				sentence(&d, 6+r.IntN(12))
			}
			if d.Len() > 800 { // end the last sentence early, at a word
				d.Truncate(bytes.LastIndexByte(d.Bytes()[:799], ' '))
				d.WriteString(".")
			}
			var t bytes.Buffer
			sentence(&t, 5+r.IntN(6))
			pub := start.Add(time.Duration(f*benchItems+benchItems-i) * time.Minute)
			fmt.Fprintf(&b, "<item><title>%s</title><link>https://news%d.example/story/%d</link><guid>https://news%d.example/story/%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
				bytes.TrimSpace(t.Bytes()), f, i, f, i, pub.Format(time.RFC1123Z), bytes.TrimSpace(d.Bytes()))
		}
		b.WriteString("</channel></rss>\n")
		c.bodies = append(c.bodies, b.Bytes())
		c.bytes += int64(b.Len())
	}
	return c
}

func benchServer(b *testing.B, c *benchCorpus) (*httptest.Server, []wirewatch.Feed) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/feed/"), ".xml"))
		if err != nil || n < 0 || n >= len(c.bodies) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(c.bodies[n])
	}))
	b.Cleanup(srv.Close)
	fs := make([]wirewatch.Feed, len(c.bodies))
	for i := range fs {
		fs[i] = wirewatch.Feed{ID: "cfg-" + strconv.Itoa(i+1), URL: fmt.Sprintf("%s/feed/%d.xml", srv.URL, i), Type: wirewatch.FeedRSS}
	}
	return srv, fs
}

// pool runs do for every feed with benchPool goroutines and returns the
// first error.
func pool(fs []wirewatch.Feed, do func(wirewatch.Feed) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, benchPool)
	for g := range benchPool {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(fs) || errs[g] != nil {
					return
				}
				errs[g] = do(fs[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func BenchmarkIngest(b *testing.B) {
	c := loadCorpus()
	_, fs := benchServer(b, c)
	wl := bot.NewWatchlist()
	for _, w := range c.watches {
		if err := wl.Set(w); err != nil {
			b.Fatal(err)
		}
	}
	ctx := b.Context()
	log := slog.New(slog.DiscardHandler)
	fetcher := feeds.NewFetcher(feeds.Options{})
	const items = benchFeeds * benchItems

	openDB := func(b *testing.B) *store.DB {
		db, err := store.Open(filepath.Join(b.TempDir(), "wirewatch.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	// ingest is the daemon's path for one feed: conditional GET (no
	// validators here, so always a 200 with the body), parse, then one
	// store transaction that dedups, matches and queues the alerts.
	ingest := func(p *bot.Pipeline) func(f wirewatch.Feed) error {
		return func(f wirewatch.Feed) error {
			resp, err := fetcher.Fetch(ctx, f, feeds.Validators{}, false)
			if err != nil {
				return err
			}
			parsed, err := feeds.Parse(ctx, resp.Body, f, nil)
			if err != nil {
				return err
			}
			if len(parsed.Items) != benchItems {
				return fmt.Errorf("%s: %d items, want %d", f.URL, len(parsed.Items), benchItems)
			}
			st := wirewatch.FeedState{Seeded: true, LastResult: "ok", Items: len(parsed.Items)}
			resp.Validators.Store(&st)
			return p.Commit(ctx, f, st, parsed.Items, false)
		}
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(items*b.N)/b.Elapsed().Seconds(), "items/s")
		b.ReportMetric(float64(c.bytes*int64(b.N))/b.Elapsed().Seconds()/1e6, "MB/s")
	}

	b.Run("fetch-parse-dedup-match-outbox", func(b *testing.B) {
		alerts := 0
		for b.Loop() {
			b.StopTimer()
			db := openDB(b)
			p := &bot.Pipeline{DB: db, Watches: wl, Location: time.UTC, Log: log}
			b.StartTimer()
			if err := pool(fs, ingest(p)); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if n := db.SeenCount(); n != items {
				b.Fatalf("%d items seen, want %d", n, items)
			}
			depths, err := db.Depths()
			if err != nil {
				b.Fatal(err)
			}
			alerts = 0
			for _, n := range depths {
				alerts += n
			}
			db.Close()
			b.StartTimer()
		}
		report(b)
		b.ReportMetric(float64(alerts), "alerts/pass")
	})

	b.Run("warm-fetch-parse-dedup", func(b *testing.B) {
		// Every item already seen: fetch, parse and dedup, no alerts.
		db := openDB(b)
		defer db.Close()
		p := &bot.Pipeline{DB: db, Watches: wl, Location: time.UTC, Log: log}
		if err := pool(fs, ingest(p)); err != nil {
			b.Fatal(err)
		}
		before, err := db.Depths()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := pool(fs, ingest(p)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		after, err := db.Depths()
		if err != nil {
			b.Fatal(err)
		}
		for to, n := range after {
			if before[to] != n {
				b.Fatalf("warm pass queued alerts for %s: %d, was %d", to, n, before[to])
			}
		}
		report(b)
	})

	b.Run("baseline-gofeed-fetch-parse-only", func(b *testing.B) {
		for b.Loop() {
			if err := pool(fs, func(f wirewatch.Feed) error {
				// A Parser keeps per-parse state: one per call, as
				// feeds.Parse does.
				feed, err := gofeed.NewParser().ParseURL(f.URL)
				if err != nil {
					return err
				}
				if len(feed.Items) != benchItems {
					return fmt.Errorf("%s: %d items", f.URL, len(feed.Items))
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}

// TestBenchCorpus keeps the benchmark honest: its watches parse, and a
// sample of its items makes alerts.
func TestBenchCorpus(t *testing.T) {
	if testing.Short() || os.Getenv("WIREWATCH_SLOW_TESTS") == "" {
		t.Skip("builds the benchmark's corpus; set WIREWATCH_SLOW_TESTS=1 to run it")
	}
	c := genCorpus(rand.New(rand.NewPCG(2026, 11)))
	wl := bot.NewWatchlist()
	for _, w := range c.watches {
		if err := wl.Set(w); err != nil {
			t.Fatal(err)
		}
	}
	f := wirewatch.Feed{ID: "cfg-1", URL: "http://127.0.0.1/feed/0.xml", Type: wirewatch.FeedRSS}
	alerted, all := 0, 0
	for _, body := range c.bodies[:20] {
		p, err := feeds.Parse(t.Context(), body, f, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			all++
			if len(wl.Alerts(it, time.Now(), time.UTC)) > 0 {
				alerted++
			}
			if n := len(it.Summary); n < 590 || n > 800 {
				t.Errorf("item text of %d bytes, want about 600-800", n)
			}
		}
	}
	if all != 20*benchItems || alerted == 0 || alerted > all/4 {
		t.Errorf("%d of %d items alert; want some, not most", alerted, all)
	}
	t.Logf("%d of %d items alert; %.1f MB of feeds", alerted, all, float64(c.bytes)/1e6)
}
