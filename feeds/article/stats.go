package article

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Ring is how many recent reads of a host Stats remembers.
const Ring = 20

// Stats keeps the outcome of the last Ring reads of each host, in memory,
// for status ("article pages of example.com: 403 for 12 of the last 20").
type Stats struct {
	mu    sync.Mutex
	hosts map[string]*ring
}

type ring struct {
	out  [Ring]string // "" for a page read, else the failure's reason
	n    int          // reads recorded, at most Ring
	at   int          // where the next one goes
	last time.Time
	err  string // the last failure, worded
}

// NewStats returns empty stats.
func NewStats() *Stats { return &Stats{hosts: map[string]*ring{}} }

func (s *Stats) add(host string, err error, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.hosts[host]
	if r == nil {
		if len(s.hosts) >= maxHosts {
			s.dropOldest()
		}
		r = &ring{}
		s.hosts[host] = r
	}
	reason := ""
	if err != nil {
		reason = Reason(err)
		r.err = err.Error()
	}
	r.out[r.at] = reason
	r.at = (r.at + 1) % Ring
	r.n = min(r.n+1, Ring)
	r.last = now
}

func (s *Stats) dropOldest() {
	var oldest string
	var t time.Time
	for h, r := range s.hosts {
		if oldest == "" || r.last.Before(t) {
			oldest, t = h, r.last
		}
	}
	delete(s.hosts, oldest)
}

// HostStat is one host's recent reads.
type HostStat struct {
	Host     string         `json:"host"`
	Reads    int            `json:"reads"`   // of the last Ring
	Failed   int            `json:"failed"`  // of those
	Reasons  map[string]int `json:"reasons"` // failures by reason
	LastErr  string         `json:"last_error,omitempty"`
	LastRead time.Time      `json:"last_read"`
}

// Line words s for status: "article pages of example.com: 403 for 12 of
// the last 20, timeout for 1 of the last 20".
func (s HostStat) Line() string {
	if s.Failed == 0 {
		return fmt.Sprintf("article pages of %s: read %d of the last %d", s.Host, s.Reads, s.Reads)
	}
	reasons := make([]string, 0, len(s.Reasons))
	for r := range s.Reasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := s.Reasons[reasons[i]], s.Reasons[reasons[j]]
		return a > b || a == b && reasons[i] < reasons[j]
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s for %d of the last %d", r, s.Reasons[r], s.Reads)
	}
	return fmt.Sprintf("article pages of %s: %s", s.Host, strings.Join(parts, ", "))
}

// Hosts returns the hosts' stats, those with the most failures first.
func (s *Stats) Hosts() []HostStat {
	s.mu.Lock()
	out := make([]HostStat, 0, len(s.hosts))
	for h, r := range s.hosts {
		st := HostStat{Host: h, Reads: r.n, Reasons: map[string]int{}, LastErr: r.err, LastRead: r.last}
		for i := 0; i < r.n; i++ {
			if reason := r.out[i]; reason != "" {
				st.Failed++
				st.Reasons[reason]++
			}
		}
		if st.Failed == 0 {
			st.LastErr = ""
		}
		out = append(out, st)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Failed > b.Failed || a.Failed == b.Failed && a.Host < b.Host
	})
	return out
}
