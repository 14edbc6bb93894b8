package bot_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/bot"
	"github.com/wirewatch/wirewatch/feeds/article"
	"github.com/wirewatch/wirewatch/store"
)

// BenchmarkIngestFulltext: one op is 1,000 new headline-only items from
// 100 publishers (100 feeds of 10, each feed linking its own host),
// committed by 16 pollers at once as the daemon's workers do. "always"
// reads every item's page (a realistic 7-paragraph news page, served for
// 100 host names by one httptest server; 1 ms gap per host so that the
// figure is CPU, not politeness); "off" is today's path (no Articles), the
// baseline in the same run.
func BenchmarkIngestFulltext(b *testing.B) {
	page, err := os.ReadFile("../feeds/article/testdata/news.html")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	// Every publisher host name dials the one server.
	tr := &http.Transport{MaxIdleConnsPerHost: 2, DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	const hosts, perHost, workers = 100, 10, 16
	batch := func(op int) [][]wirewatch.Item {
		out := make([][]wirewatch.Item, hosts)
		for h := range hosts {
			for i := range perHost {
				id := fmt.Sprintf("%d-%d-%d", op, h, i)
				out[h] = append(out[h], wirewatch.Item{ID: id, FeedID: fmt.Sprintf("f%d", h), Feed: "Ledger",
					Title: "County approves new transit budget " + id, Link: fmt.Sprintf("http://pub%d.example/news/%s", h, id),
					Published: time.Date(2026, 12, 2, 10, 0, i, 0, time.UTC)})
			}
		}
		return out
	}
	for _, mode := range []string{"off", "always"} {
		b.Run(mode, func(b *testing.B) {
			db, err := store.Open(filepath.Join(b.TempDir(), "ww.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			p := &bot.Pipeline{DB: db, Location: time.UTC, Log: quietLog(), AllowPrivate: true, ArticleWait: time.Minute,
				Watches: mustWatchlist(b, wirewatch.Watch{ID: "w1", Query: `"Joseph Mazzara"`, To: []wirewatch.Destination{"stdout"}})}
			var pool *article.Pool
			if mode == "always" {
				pool = article.NewPool(article.NewReader(article.Options{Transport: tr, Gap: time.Millisecond}))
				defer pool.Close()
				p.Articles = pool
			}
			defer p.Close()
			b.ReportAllocs()
			op := 0
			for b.Loop() {
				feeds := batch(op)
				op++
				work := make(chan int)
				var wg sync.WaitGroup
				for range workers {
					wg.Go(func() {
						for h := range work {
							f := wirewatch.Feed{ID: fmt.Sprintf("f%d", h), Type: wirewatch.FeedRSS, Fulltext: mode}
							if mode == "off" {
								f.Fulltext = wirewatch.FulltextNever
							}
							if err := p.Commit(b.Context(), f, wirewatch.FeedState{Seeded: true}, feeds[h], false); err != nil {
								b.Error(err)
							}
						}
					})
				}
				for h := range hosts {
					work <- h
				}
				close(work)
				wg.Wait()
				if err := p.Settle(b.Context()); err != nil { // the items whose page was read after their commit
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*hosts*perHost)/b.Elapsed().Seconds(), "items/s")
			want := 0
			if mode == "always" {
				want = b.N * hosts * perHost // every article names him
			}
			if d, _ := db.Depths(); d["stdout"] != want {
				b.Fatalf("%d alerts queued, want %d", d["stdout"], want)
			}
		})
	}
}
