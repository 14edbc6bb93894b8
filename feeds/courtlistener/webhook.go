package courtlistener

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	wirewatch "github.com/wirewatch/wirewatch"
)

// Webhook limits and timing.
const (
	// MaxWebhookBody bounds a webhook request's body.
	MaxWebhookBody = 1 << 20
	// WebhookQueue is how many accepted events may wait for processing;
	// past it the handler answers 503 and CourtListener retries later.
	WebhookQueue = 256
	// IdempotencyKeys is how many Idempotency-Key values are remembered
	// in memory, for IdempotencyTTL; with Options.Keys they are also kept
	// in the store, so a retry after a restart, or after that many newer
	// events, is not processed again either.
	IdempotencyKeys = 10000
	IdempotencyTTL  = 48 * time.Hour
	// webhookLookupWait bounds the wait for the API budget to look up the
	// case name of a docket a Docket Alert names.
	webhookLookupWait = 15 * time.Minute
	ingestTries       = 5
)

// webhookFeed is the feed webhook items are ingested under.
var webhookFeed = wirewatch.Feed{ID: "courtlistener-webhook", Name: "CourtListener", Type: wirewatch.FeedCourtListener}

// Webhook event types (cl/api/models.py WebhookEventType).
const (
	eventDocketAlert = 1
	eventSearchAlert = 2
)

type hookJob struct {
	key     string
	event   int
	payload json.RawMessage
	ing     wirewatch.Ingester
}

// hookQueue holds accepted webhook events until the worker has ingested
// them, and the Idempotency-Key values seen.
type hookQueue struct {
	mu      sync.Mutex
	jobs    chan hookJob
	closed  bool
	started bool
	done    chan struct{}
	keys    map[string]time.Time
	order   []string // keys oldest first, for eviction

	// waitCtx ends when Close begins: lookups no longer wait for the
	// budget (those it allows now are still made).
	waitCtx     context.Context
	stopWaiting context.CancelFunc
	// workCtx ends when Close gives up: ingestion stops.
	workCtx  context.Context
	stopWork context.CancelFunc
}

func (q *hookQueue) init() {
	q.jobs = make(chan hookJob, WebhookQueue)
	q.done = make(chan struct{})
	q.keys = map[string]time.Time{}
	q.waitCtx, q.stopWaiting = context.WithCancel(context.Background())
	q.workCtx, q.stopWork = context.WithCancel(context.Background())
}

type acceptance int

const (
	accepted acceptance = iota
	duplicate
	busy
)

// accept records key and queues j.
func (q *hookQueue) accept(now time.Time, j hookJob) acceptance {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return busy
	}
	if j.key != "" {
		if at, ok := q.keys[j.key]; ok && now.Sub(at) < IdempotencyTTL {
			return duplicate
		}
	}
	select {
	case q.jobs <- j:
	default:
		return busy
	}
	if j.key != "" {
		for len(q.order) > 0 && (len(q.keys) >= IdempotencyKeys || now.Sub(q.keys[q.order[0]]) >= IdempotencyTTL) {
			delete(q.keys, q.order[0])
			q.order = q.order[1:]
		}
		if _, ok := q.keys[j.key]; !ok {
			q.order = append(q.order, j.key)
		}
		q.keys[j.key] = now
	}
	return accepted
}

// Webhook is the handler for POST /courtlistener/webhook/{secret}. It
// answers 404 unless the path's secret equals secret (an empty secret
// refuses everything), acknowledges accepted events at once (200) and
// ingests their items into ing afterwards, in the order received. Events
// repeating an Idempotency-Key already accepted are acknowledged and
// dropped. Docket Alert (1) and RECAP Search Alert (2) events make items;
// other events are acknowledged and ignored.
func (c *Client) Webhook(secret string, ing wirewatch.Ingester) http.Handler {
	c.startWorker()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if secret == "" || subtle.ConstantTimeCompare([]byte(r.PathValue("secret")), []byte(secret)) != 1 {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		var env struct {
			Payload json.RawMessage `json:"payload"`
			Webhook struct {
				EventType int `json:"event_type"`
				Version   int `json:"version"`
			} `json:"webhook"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			http.Error(w, "body is not a CourtListener webhook event: "+err.Error(), http.StatusBadRequest)
			return
		}
		key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
		if len(key) > 200 {
			key = key[:200]
		}
		switch env.Webhook.EventType {
		case eventDocketAlert, eventSearchAlert:
		default:
			c.log.Info("courtlistener webhook ignored", "event_type", env.Webhook.EventType, "idempotency_key", key)
			w.WriteHeader(http.StatusOK)
			return
		}
		now := c.now()
		if c.keptBefore(key, now) {
			c.log.Debug("courtlistener webhook repeated (accepted before a restart)", "idempotency_key", key)
			w.WriteHeader(http.StatusOK)
			return
		}
		switch c.hooks.accept(now, hookJob{key: key, event: env.Webhook.EventType, payload: env.Payload, ing: ing}) {
		case duplicate:
			c.log.Debug("courtlistener webhook repeated", "idempotency_key", key)
			w.WriteHeader(http.StatusOK)
		case busy:
			w.Header().Set("Retry-After", "60")
			http.Error(w, "busy; retry later", http.StatusServiceUnavailable)
		default:
			c.keep(key, now)
			w.WriteHeader(http.StatusOK)
		}
	})
}

// Keys keeps the Idempotency-Key values of accepted webhook events across
// restarts (the store).
type Keys interface {
	SeenHookKey(key string, since time.Time) (bool, error)
	PutHookKey(key string, at, forget time.Time) error
}

// keptBefore reports whether key was accepted within IdempotencyTTL, as
// Options.Keys remembers. A failure to ask is logged and counts as no: the
// store's seen items still keep the event's items from alerting twice.
func (c *Client) keptBefore(key string, now time.Time) bool {
	if key == "" || c.o.Keys == nil {
		return false
	}
	seen, err := c.o.Keys.SeenHookKey(key, now.Add(-IdempotencyTTL))
	if err != nil {
		c.log.Warn("courtlistener webhook: idempotency key not checked", "idempotency_key", key, "err", err)
	}
	return seen
}

// keep records an accepted event's key in Options.Keys.
func (c *Client) keep(key string, now time.Time) {
	if key == "" || c.o.Keys == nil {
		return
	}
	if err := c.o.Keys.PutHookKey(key, now, now.Add(-IdempotencyTTL)); err != nil {
		c.log.Warn("courtlistener webhook: idempotency key not kept", "idempotency_key", key, "err", err)
	}
}

func (c *Client) startWorker() {
	q := &c.hooks
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started || q.closed {
		return
	}
	q.started = true
	go func() {
		defer close(q.done)
		for j := range q.jobs {
			c.process(j)
		}
	}()
}

// Close stops accepting webhook events and waits until those accepted are
// ingested, or ctx ends. Once Close has begun, lookups of dockets not in the
// cache no longer wait for the API budget: when it does not allow a request
// at once, items go out without their case name rather than late.
func (c *Client) Close(ctx context.Context) error {
	q := &c.hooks
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.jobs)
	started := q.started
	q.mu.Unlock()
	q.stopWaiting()
	if !started {
		q.stopWork()
		return nil
	}
	select {
	case <-q.done:
		q.stopWork()
		return nil
	case <-ctx.Done():
		q.stopWork()
		<-q.done
		return ctx.Err()
	}
}

// process turns one event into items and ingests them.
func (c *Client) process(j hookJob) {
	var items []wirewatch.Item
	switch j.event {
	case eventDocketAlert:
		var p struct {
			Results []apiEntry `json:"results"`
		}
		if err := json.Unmarshal(j.payload, &p); err != nil {
			c.log.Error("courtlistener webhook payload", "idempotency_key", j.key, "err", err)
			return
		}
		items = c.entriesItems(c.hooks.workCtx, p.Results, 0, webhookLookupWait)
	case eventSearchAlert:
		var err error
		if items, err = c.searchAlertItems(j.payload); err != nil {
			c.log.Error("courtlistener webhook payload", "idempotency_key", j.key, "err", err)
			return
		}
	}
	if len(items) == 0 {
		return
	}
	for i := range items {
		items[i].FeedID, items[i].Feed = webhookFeed.ID, webhookFeed.Name
	}
	ctx := c.hooks.workCtx
	backoff := time.Second
	for try := 1; ; try++ {
		err := j.ing.Ingest(ctx, webhookFeed, items)
		if err == nil {
			return
		}
		if try == ingestTries || ctx.Err() != nil {
			c.log.Error("courtlistener webhook items lost", "idempotency_key", j.key, "items", len(items), "tries", try, "err", err)
			return
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		backoff *= 2
	}
}

// searchAlertItems makes one item per docket entry of a RECAP search alert;
// case-law results are not docket entries and are left out.
func (c *Client) searchAlertItems(payload json.RawMessage) ([]wirewatch.Item, error) {
	var p struct {
		Results []searchResult `json:"results"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	return c.resultItems(p.Results, false), nil
}
