package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wirewatch/wirewatch"
)

// Metrics are wirewatch's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	Polls       *prometheus.CounterVec   // by result: ok, not_modified, error
	PollSeconds prometheus.Histogram     // fetch and parse time
	ItemsSeen   prometheus.Counter       // new items
	ItemsMerged prometheus.Counter       // items taken for another feed's (same canonical link)
	Queued      *prometheus.CounterVec   // alerts queued, by destination kind
	Delivered   *prometheus.CounterVec   // by destination kind
	Failed      *prometheus.CounterVec   // parked, by destination kind
	SendSeconds *prometheus.HistogramVec // by destination kind
	// TopEdits counts edits of threads' top messages, by destination kind
	// and result (ok, retry, gone, failed); TopEditsCoalesced counts
	// changes folded into an edit already pending instead of sent alone.
	TopEdits          *prometheus.CounterVec
	TopEditsCoalesced *prometheus.CounterVec
	// ArticleReads counts the linked pages asked for (feeds[].fulltext),
	// by result: read, or why not (ArticleResults).
	ArticleReads *prometheus.CounterVec
}

// ArticleResults are the result labels of wirewatch_article_reads_total.
var ArticleResults = []string{"read", "http_error", "timeout", "robots", "not_html", "too_large", "private_address", "no_text", "backing_off", "busy", "late", "other"}

// NewMetrics registers the metrics with r. outbox reports the outbox depth
// per destination when scraped.
func NewMetrics(r prometheus.Registerer, outbox func() map[wirewatch.Destination]int) *Metrics {
	m := &Metrics{
		Polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_polls_total", Help: "Feed polls by result (ok, not_modified, error)."}, []string{"result"}),
		PollSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "wirewatch_poll_duration_seconds", Help: "Time to fetch and parse one feed.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 10)}),
		ItemsSeen: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wirewatch_items_seen_total", Help: "Items not seen before."}),
		ItemsMerged: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wirewatch_items_merged_total", Help: "Items not alerted because another feed's item with the same canonical link was seen first."}),
		Queued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_alerts_queued_total", Help: "Alerts written to the outbox, by destination kind."}, []string{"kind"}),
		Delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_alerts_delivered_total", Help: "Alerts the destination accepted, by destination kind."}, []string{"kind"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_alerts_failed_total", Help: "Alerts parked after a permanent failure, by destination kind."}, []string{"kind"}),
		SendSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "wirewatch_send_duration_seconds", Help: "Time to deliver one alert, rate-limit waits included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 10)}, []string{"kind"}),
		TopEdits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_top_edits_total", Help: "Edits of threads' top messages, by destination kind and result (ok, retry, gone, failed)."}, []string{"kind", "result"}),
		TopEditsCoalesced: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_top_edits_coalesced_total", Help: "Thread changes folded into a pending edit of the top message instead of sent alone, by destination kind."}, []string{"kind"}),
		ArticleReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wirewatch_article_reads_total", Help: "Linked article pages asked for (fulltext), by result: read, or why not."}, []string{"result"}),
	}
	for _, r := range ArticleResults {
		m.ArticleReads.WithLabelValues(r)
	}
	// Every series exists from the start, at zero: a scrape before the first
	// poll or alert sees them, and rates over restarts stay right.
	for _, r := range []string{"ok", "not_modified", "error"} {
		m.Polls.WithLabelValues(r)
	}
	for _, k := range []string{wirewatch.Stdout, wirewatch.Slack, wirewatch.Discord} {
		m.Queued.WithLabelValues(k)
		m.Delivered.WithLabelValues(k)
		m.Failed.WithLabelValues(k)
		m.TopEditsCoalesced.WithLabelValues(k)
		for _, r := range []string{"ok", "retry", "gone", "failed"} {
			m.TopEdits.WithLabelValues(k, r)
		}
	}
	r.MustRegister(m.Polls, m.PollSeconds, m.ItemsSeen, m.ItemsMerged, m.Queued, m.Delivered, m.Failed, m.SendSeconds, m.TopEdits, m.TopEditsCoalesced, m.ArticleReads,
		&outboxCollector{depths: outbox, desc: prometheus.NewDesc("wirewatch_outbox_depth",
			"Alerts waiting in the outbox, by destination.", []string{"to"}, nil)})
	return m
}

// outboxCollector reads the outbox depth at scrape time.
type outboxCollector struct {
	depths func() map[wirewatch.Destination]int
	desc   *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	for d, n := range c.depths() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), string(d))
	}
}

func (m *Metrics) delivered(a wirewatch.Alert, d time.Duration) {
	if m == nil {
		return
	}
	m.Delivered.WithLabelValues(a.To.Kind()).Inc()
	m.SendSeconds.WithLabelValues(a.To.Kind()).Observe(d.Seconds())
}

func (m *Metrics) failed(a wirewatch.Alert) {
	if m == nil {
		return
	}
	m.Failed.WithLabelValues(a.To.Kind()).Inc()
}

func (m *Metrics) edit(kind, result string) {
	if m == nil {
		return
	}
	m.TopEdits.WithLabelValues(kind, result).Inc()
}

func (m *Metrics) coalesced(kind string) {
	if m == nil {
		return
	}
	m.TopEditsCoalesced.WithLabelValues(kind).Inc()
}

// Queue counts alerts written to the outbox.
func (m *Metrics) Queue(per map[wirewatch.Destination]int, newItems int) {
	if m == nil {
		return
	}
	m.ItemsSeen.Add(float64(newItems))
	for d, n := range per {
		m.Queued.WithLabelValues(d.Kind()).Add(float64(n))
	}
}

// Merge counts items taken for another feed's.
func (m *Metrics) Merge(n int) {
	if m == nil || n == 0 {
		return
	}
	m.ItemsMerged.Add(float64(n))
}

// Poll records one poll's result and duration.
func (m *Metrics) Poll(result string, d time.Duration) {
	if m == nil {
		return
	}
	m.Polls.WithLabelValues(result).Inc()
	m.PollSeconds.Observe(d.Seconds())
}

// ArticleRead counts one article page asked for, by result.
func (m *Metrics) ArticleRead(result string) {
	if m == nil {
		return
	}
	m.ArticleReads.WithLabelValues(result).Inc()
}
