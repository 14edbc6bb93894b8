package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/feeds"
)

// deepFeed is the attack: a 9.9 MB feed of one element nested
// 900,000 deep (gofeed alone: 190 MB and seconds for one).
func deepFeed() []byte {
	const n = 900_000
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>Deep</title><item>`)
	b.WriteString(strings.Repeat("<a>", n))
	b.WriteString(strings.Repeat("</a>", n))
	b.WriteString(`</item></channel></rss>`)
	return []byte(b.String())
}

// TestProbeRefusesDeepFeedsAtOnce: six feed adds of the deep feed at once
// are each refused by the structure check, before gofeed builds anything,
// or told the checker is busy; none parses.
func TestProbeRefusesDeepFeedsAtOnce(t *testing.T) {
	body := deepFeed()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	defer srv.Close()
	p := newProber(feeds.NewFetcher(feeds.Options{}), nil, true)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			_, _, errs[i] = p.Probe(t.Context(), srv.URL+"/deep"+strconv.Itoa(i), "", "")
		})
	}
	wg.Wait()
	refused := 0
	for i, err := range errs {
		switch {
		case errors.Is(err, feeds.ErrStructure):
			refused++
			if !strings.Contains(err.Error(), "256 levels") {
				t.Errorf("add %d: %v, want the limit named", i, err)
			}
		case errors.Is(err, errBusy):
		default:
			t.Errorf("add %d: %v, want refused by the structure check or busy", i, err)
		}
	}
	if refused < maxProbes {
		t.Errorf("%d of 6 checked, want at least %d", refused, maxProbes)
	}
}

// TestProbeBusy: while maxProbes checks run, one more waits its turn for
// p.wait and is then refused with a message saying to try again; once a
// check ends, the next one runs.
func TestProbeBusy(t *testing.T) {
	entered := make(chan struct{}, 8)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			entered <- struct{}{}
			<-release
		}
		w.Write([]byte(`<rss version="2.0"><channel><title>Ok</title><item><guid>1</guid></item></channel></rss>`))
	}))
	defer srv.Close()
	defer close(release)
	p := newProber(feeds.NewFetcher(feeds.Options{}), nil, true)
	p.wait = time.Millisecond // the wait itself is what is tested: no need to sit through 2 s

	var wg sync.WaitGroup
	errs := make([]error, maxProbes)
	for i := range maxProbes {
		wg.Go(func() { _, _, errs[i] = p.Probe(t.Context(), srv.URL+"/slow", "", "") })
	}
	for range maxProbes {
		<-entered
	}
	_, _, err := p.Probe(t.Context(), srv.URL+"/fast", "", "")
	if !errors.Is(err, errBusy) || !strings.Contains(err.Error(), "try again") {
		t.Fatalf("a third check while two run: %v, want busy, try again", err)
	}
	release <- struct{}{}
	release <- struct{}{}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("check %d: %v", i, err)
		}
	}
	p.wait = time.Minute
	if f, n, err := p.Probe(t.Context(), srv.URL+"/fast", "", ""); err != nil || n != 1 || f.Name != "Ok" {
		t.Fatalf("after the others ended: %+v, %d, %v; want the feed checked", f, n, err)
	}
}
