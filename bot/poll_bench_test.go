package bot_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds"
	"github.com/wirewatch/wirewatch/store"
)

// The poll-cycle benchmark: the daemon's poller (scheduler, fetcher, parse,
// pipeline, bbolt store in a temporary folder) against a naive gofeed
// ParseURL loop over the same feeds, in the same run. Reproduce with
//
//	go test ./bot -run '^$' -bench PollCycle -benchtime 2x -count 3 -timeout 60m
//	go test ./bot -run '^$' -bench PollCycle -pollitems 25 -benchtime 2x -count 3 -timeout 60m
//	go test ./bot -run '^$' -bench 'PollCycle/feeds=100000' -poll100k -pollitems 25 -benchtime 1x -timeout 60m
//
// The feed servers run in a child process (this test binary again, running
// TestPollBenchServer), so the CPU measured with getrusage is the poller's
// alone: 16 httptest servers on 127.0.0.1 to 127.0.0.16 (16 hosts for the
// per-host cap), keep-alive on both sides.
const (
	pollHosts   = 16
	pollNew     = 5  // items a changing feed gains per poll
	pollWorkers = 16 // as config's default
	pollPerHost = 2
	pollServe   = "WIREWATCH_POLLBENCH_FEEDS" // set in the child: how many feeds to serve
)

var (
	poll100k  = flag.Bool("poll100k", false, "also run BenchmarkPollCycle at 100,000 feeds (slow)")
	pollItems = flag.Int("pollitems", 100, "items per feed in BenchmarkPollCycle")
	// The default keeps the poller flat out, so each N polls are one cycle.
	// A poller that serves feeds in list order never ends its first cycle
	// that way (the first feeds are due again before it reaches the last):
	// measure one with an interval longer than its cycle, e.g. 60s at 2k
	// feeds and 300s (the config default) at 10k.
	pollInterval = flag.Duration("pollinterval", time.Second, "the feeds' poll interval in BenchmarkPollCycle")
	pollProfile  = flag.String("pollprofile", "", "write profiles of the daemon's steady cycles (not its seeding) to `prefix`.cpu and prefix.allocs0/.allocs1 (compare with go tool pprof -diff_base)")
)

// profileCycles profiles what runs between its call and the call of the
// function it returns, when -pollprofile is set.
func profileCycles(b *testing.B, name string) (stop func()) {
	if *pollProfile == "" {
		return func() {}
	}
	prefix := *pollProfile + "." + name
	writeAllocs := func(path string) {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
	}
	writeAllocs(prefix + ".allocs0")
	f, err := os.Create(prefix + ".cpu")
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		writeAllocs(prefix + ".allocs1")
	}
}

// Feed classes, by feed number: 85% answer 304 to the validators they gave,
// 10% give no validators and the same body each time (the body hash skips
// them), 5% have new items at every poll. Feed i is on host i % pollHosts,
// and every host has the same mix.
func pollClass(i int) string {
	switch (i / pollHosts) % 20 {
	case 0:
		return "new"
	case 1, 2:
		return "same"
	}
	return "etag"
}

// raiseFileLimit lifts the soft limit on open files to the hard one: the
// servers and clients of a cycle keep their connections open (keep-alive),
// and a naive client that does not may leave many more behind.
func raiseFileLimit() {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) == nil && r.Cur < r.Max {
		r.Cur = r.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}

// pollServer serves n generated feeds. A changing feed's version moves at
// every request, its window of -pollitems items sliding by pollNew.
type pollServer struct {
	version []atomic.Int64
}

var lastModified = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat)

func (s *pollServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
	if err != nil || i < 0 || i >= len(s.version) {
		http.NotFound(w, r)
		return
	}
	var v int64
	switch pollClass(i) {
	case "etag":
		tag := fmt.Sprintf(`"%d-0"`, i)
		w.Header().Set("ETag", tag)
		w.Header().Set("Last-Modified", lastModified)
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	case "new":
		v = s.version[i].Add(1) - 1
		w.Header().Set("ETag", fmt.Sprintf(`"%d-%d"`, i, v))
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write(pollBody(i, v))
}

var pollSyllables = []string{"ka", "ro", "mi", "te", "lu", "sa", "ven", "dor", "pli", "st", "an", "or", "el", "qui", "bra", "tion", "ment", "er", "al", "ge"}

// pollBody is feed i at version v: items v·pollNew … v·pollNew+pollitems-1,
// newest first, each one's text fixed by (i, item number).
func pollBody(i int, v int64) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Feed %d</title><link>https://news%d.example/</link><description>Generated</description>\n", i, i)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	first := int(v) * pollNew
	for k := first + *pollItems - 1; k >= first; k-- {
		r := rand.New(rand.NewPCG(uint64(i), uint64(k)))
		words := func(n int) string {
			var w strings.Builder
			for j := range n {
				if j > 0 {
					w.WriteByte(' ')
				}
				if r.IntN(300) == 0 {
					w.WriteString(firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))])
					continue
				}
				for n := 2 + r.IntN(2); n > 0; n-- {
					w.WriteString(pollSyllables[r.IntN(len(pollSyllables))])
				}
			}
			return w.String()
		}
		fmt.Fprintf(&b, "<item><title>%s</title><link>https://news%d.example/story/%d</link><guid>https://news%d.example/story/%d</guid><pubDate>%s</pubDate><description>%s.</description></item>\n",
			words(8), i, k, i, k, start.Add(time.Duration(k)*time.Minute).Format(time.RFC1123Z), words(50))
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// TestPollBenchServer is the child process of BenchmarkPollCycle: it serves
// the feeds until its standard input closes.
func TestPollBenchServer(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv(pollServe))
	if err != nil {
		t.Skip("the feed servers of BenchmarkPollCycle, run by it in a child process")
	}
	raiseFileLimit()
	s := &pollServer{version: make([]atomic.Int64, n)}
	var urls []string
	for h := range pollHosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+1))
		if err != nil {
			t.Fatal(err)
		}
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
		srv.Start()
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	fmt.Printf("servers %s\n", strings.Join(urls, " "))
	io.Copy(io.Discard, os.Stdin)
}

// startPollServers runs the child process serving n feeds and returns the
// feeds' list.
func startPollServers(b *testing.B, n int) []wirewatch.Feed {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPollBenchServer$", "-test.count=1", "-pollitems="+strconv.Itoa(*pollItems))
	cmd.Env = append(os.Environ(), pollServe+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "servers ")
		if !ok {
			continue
		}
		go io.Copy(io.Discard, stdout)
		urls := strings.Fields(rest)
		fs := make([]wirewatch.Feed, n)
		for i := range fs {
			fs[i] = wirewatch.Feed{ID: "cfg-" + strconv.Itoa(i+1), URL: fmt.Sprintf("%s/feed/%d", urls[i%len(urls)], i), Type: wirewatch.FeedRSS}
		}
		return fs
	}
	b.Fatalf("the feed servers did not start: %v", sc.Err())
	return nil
}

// pollWatches are 1,000 name watches over 8 Slack channels.
func pollWatches(b *testing.B) *bot.Watchlist {
	wl := bot.NewWatchlist()
	for i := range 1000 {
		q := firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)]
		if err := wl.Set(wirewatch.Watch{ID: "cfg-" + strconv.Itoa(i+1), Query: q, To: []wirewatch.Destination{wirewatch.Destination("slack:C" + strconv.Itoa(i%8))}}); err != nil {
			b.Fatal(err)
		}
	}
	return wl
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// pollRig is a daemon's poller on a fresh store, counting polls by result.
type pollRig struct {
	db      *store.DB
	p       *feeds.Poller
	polls   atomic.Int64
	errors  atomic.Int64
	changed atomic.Int64 // polls with a new body ("ok")
	target  atomic.Int64
	reached chan struct{}
	firsts  atomic.Int64 // first polls recorded
	seeded  chan struct{}
	n       int64
}

// seedCount is the pipeline, telling the rig when every feed's first poll
// is recorded: near the end of the first cycle a host whose feeds are all
// seeded polls them again while others still have first polls to make.
type seedCount struct {
	*bot.Pipeline
	r *pollRig
}

func (s seedCount) Commit(ctx context.Context, f wirewatch.Feed, st wirewatch.FeedState, items []wirewatch.Item, first bool) error {
	err := s.Pipeline.Commit(ctx, f, st, items, first)
	if err == nil && first && s.r.firsts.Add(1) == s.r.n {
		close(s.r.seeded)
	}
	return err
}

func newPollRig(b *testing.B, fs []wirewatch.Feed, wl *bot.Watchlist) *pollRig {
	db, err := store.Open(filepath.Join(b.TempDir(), "wirewatch.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	log := slog.New(slog.DiscardHandler)
	r := &pollRig{db: db, reached: make(chan struct{}, 1), seeded: make(chan struct{}), n: int64(len(fs))}
	r.target.Store(-1)
	r.p = &feeds.Poller{
		Fetcher: feeds.NewFetcher(feeds.Options{}),
		Sink:    seedCount{&bot.Pipeline{DB: db, Watches: wl, Location: time.UTC, Log: log}, r},
		States:  db,
		Feeds:   func() ([]wirewatch.Feed, error) { return fs, nil },
		// At the default -pollinterval of 1s every feed is due again a
		// second after its poll, so the poller runs flat out and each N
		// polls are one cycle (most overdue first).
		Interval: *pollInterval, Workers: pollWorkers, PerHost: pollPerHost, AllowPrivate: true,
		Observe: func(result string, _ time.Duration) {
			switch result {
			case "error":
				r.errors.Add(1)
			case "ok":
				r.changed.Add(1)
			}
			if r.polls.Add(1) == r.target.Load() {
				r.reached <- struct{}{}
			}
		},
		Log: log,
	}
	return r
}

// run starts the daemon's loop; it stops at cleanup.
func (r *pollRig) run(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.p.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
}

// wait returns when n more polls have ended.
func (r *pollRig) wait(n int) {
	r.target.Store(r.polls.Load() + int64(n))
	<-r.reached
}

func BenchmarkPollCycle(b *testing.B) {
	raiseFileLimit()
	// As the daemon's main does (GOGC=100 in the environment measures the
	// runtime's default); the naive poller runs with it too.
	feeds.SetGC(os.Getenv)
	sizes := []int{2000, 10000}
	if *poll100k {
		sizes = append(sizes, 100000)
	}
	for _, n := range sizes {
		b.Run("feeds="+strconv.Itoa(n), func(b *testing.B) {
			fs := startPollServers(b, n)
			wl := pollWatches(b)
			var daemonCPU float64
			b.Run("daemon", func(b *testing.B) {
				r := newPollRig(b, fs, wl)
				// The first cycle seeds the store: every item is new.
				stop := profileCycles(b, "seed-"+strconv.Itoa(n))
				cpu0, wall0 := cpuTime(), time.Now()
				r.run(b)
				<-r.seeded
				seedCPU, seedWall := cpuTime()-cpu0, time.Since(wall0)
				stop()
				all := n * *pollItems
				items := float64(all)
				if seen := r.db.SeenCount(); seen < all {
					b.Fatalf("seeding: %d items seen, want at least %d", seen, all)
				}
				// A second cycle to reach steady state (no feed still first).
				r.wait(n)
				if e := r.errors.Load(); e > 0 {
					b.Fatalf("%d polls failed", e)
				}
				changed0 := r.changed.Load()
				cycles := 0
				stop = profileCycles(b, "daemon-"+strconv.Itoa(n))
				cpu0, alloc0 := cpuTime(), totalAlloc()
				for b.Loop() {
					r.wait(n)
					cycles++
				}
				cpu, alloc := cpuTime()-cpu0, totalAlloc()-alloc0
				stop()
				if e := r.errors.Load(); e > 0 {
					b.Fatalf("%d polls failed", e)
				}
				daemonCPU = cpu.Seconds() / float64(cycles)
				b.ReportMetric(daemonCPU, "cpu-s/cycle")
				b.ReportMetric(float64(alloc)/float64(cycles)/1e6, "MB-alloc/cycle")
				b.ReportMetric(float64(r.changed.Load()-changed0)/float64(cycles), "parsed/cycle")
				b.ReportMetric(float64(seedCPU.Microseconds())/items, "seed-cpu-µs/item")
				b.ReportMetric(float64(seedWall.Microseconds())/items, "seed-wall-µs/item")
			})
			if n > 10000 {
				return // the naive loop at this size would take an hour
			}
			b.Run("http-only", func(b *testing.B) {
				// The floor under the daemon: its conditional GETs alone,
				// through net/http, bodies read and dropped.
				tags := make([]validators, len(fs))
				if err := httpOnlyCycle(fs, tags); err != nil { // learn the validators
					b.Fatal(err)
				}
				cycles := 0
				cpu0, alloc0 := cpuTime(), totalAlloc()
				for b.Loop() {
					if err := httpOnlyCycle(fs, tags); err != nil {
						b.Fatal(err)
					}
					cycles++
				}
				cpu, alloc := cpuTime()-cpu0, totalAlloc()-alloc0
				b.ReportMetric(cpu.Seconds()/float64(cycles), "cpu-s/cycle")
				b.ReportMetric(float64(alloc)/float64(cycles)/1e6, "MB-alloc/cycle")
			})
			b.Run("naive", func(b *testing.B) {
				cycles := 0
				cpu0, alloc0 := cpuTime(), totalAlloc()
				for b.Loop() {
					if err := naiveCycle(fs); err != nil {
						b.Fatal(err)
					}
					cycles++
				}
				cpu, alloc := cpuTime()-cpu0, totalAlloc()-alloc0
				naive := cpu.Seconds() / float64(cycles)
				b.ReportMetric(naive, "cpu-s/cycle")
				b.ReportMetric(float64(alloc)/float64(cycles)/1e6, "MB-alloc/cycle")
				if daemonCPU > 0 {
					b.ReportMetric(naive/daemonCPU, "×daemon-cpu")
				}
			})
		})
	}
}

// validators are what a feed's last answer said to send next time.
type validators struct{ etag, lastModified string }

// httpTransport is the http-only contestant's client, kept between cycles
// as the fetcher keeps its own (keep-alive, a few idle connections a host).
var httpTransport = &http.Transport{MaxIdleConnsPerHost: 4}

// httpOnlyCycle sends every feed the conditional GET the daemon would
// (If-None-Match, If-Modified-Since) with as many goroutines as the daemon
// has workers, reads the body and drops it, and remembers the validators.
func httpOnlyCycle(fs []wirewatch.Feed, tags []validators) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, pollWorkers)
	for g := range pollWorkers {
		wg.Go(func() {
			for errs[g] == nil {
				i := int(next.Add(1)) - 1
				if i >= len(fs) {
					return
				}
				req, err := http.NewRequest(http.MethodGet, fs[i].URL, nil)
				if err != nil {
					errs[g] = err
					return
				}
				if t := tags[i]; t.etag != "" || t.lastModified != "" {
					req.Header.Set("If-None-Match", t.etag)
					req.Header.Set("If-Modified-Since", t.lastModified)
				}
				resp, err := httpTransport.RoundTrip(req)
				if err != nil {
					errs[g] = err
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					tags[i] = validators{resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")}
				}
				errs[g] = err
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// BenchmarkParseNewItems: what parsing allocates for the least a changed
// body needs, its channel and its pollNew new items (all the partial parse
// hands gofeed), through feeds.Parse. Times the ~510 changed feeds of a
// 10k-feed cycle, and with the http-only contestant of BenchmarkPollCycle,
// it is the floor under a cycle's allocation with gofeed and net/http.
func BenchmarkParseNewItems(b *testing.B) {
	saved := *pollItems
	*pollItems = pollNew
	doc := pollBody(17, 3)
	*pollItems = saved
	f := wirewatch.Feed{ID: "f17", URL: "https://news17.example/feed", Type: wirewatch.FeedRSS}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	n := 0
	for b.Loop() {
		p, err := feeds.Parse(context.Background(), doc, f, nil)
		if err != nil || len(p.Items) != pollNew {
			b.Fatalf("parse: %d items, %v; want %d", len(p.Items), err, pollNew)
		}
		n++
	}
	runtime.ReadMemStats(&m1)
	per := float64(m1.TotalAlloc-m0.TotalAlloc) / float64(n)
	b.ReportMetric(per/1e3, "KB-alloc/parse")
	b.ReportMetric(per*510/1e6, "MB-alloc/510-parses")
}

// naiveCycle is the baseline: gofeed's ParseURL for every feed, with as many
// goroutines as the daemon has workers; no conditional GET, no body hash,
// no store.
func naiveCycle(fs []wirewatch.Feed) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, pollWorkers)
	for g := range pollWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(fs) || errs[g] != nil {
					return
				}
				feed, err := gofeed.NewParser().ParseURL(fs[i].URL)
				if err != nil {
					errs[g] = err
				} else if len(feed.Items) != *pollItems {
					errs[g] = fmt.Errorf("%s: %d items, want %d", fs[i].URL, len(feed.Items), *pollItems)
				}
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
