package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wirewatch/wirewatch"
)

// routes are the HTTP server's (CONTRACT.md). Platform routes exist only
// when their secret is set; otherwise they answer 404.
func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
		// The process is healthy; deliveries waiting for people to act
		// are its detail.
		holds, _ := m.db.Holds()
		keys := slices.Sorted(maps.Keys(holds))
		for _, k := range keys {
			h := holds[k]
			what := "channel refuses the bot"
			if h.Auth {
				what = "token refused"
			}
			fmt.Fprintf(w, "held %s (%s) since %s: %s\n", k, what, h.Since.Format(time.RFC3339), h.Reason)
		}
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-m.ready:
		default:
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		// Polls go on while the store refuses writes, but what they find
		// is not recorded: not ready.
		if since, err := m.poller.StoreError(); err != nil {
			http.Error(w, fmt.Sprintf("store writes failing since %s: %v", since.UTC().Format(time.RFC3339), err), http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	if m.slack != nil && m.secrets.SlackSigningSecret != "" {
		mux.Handle("POST /slack/commands", m.slack.CommandsHandler(m.commands))
		mux.Handle("POST /slack/interactions", m.slack.InteractionsHandler(m.commands)) // buttons on alerts
	}
	if m.discord != nil && m.secrets.DiscordPublicKey != "" {
		mux.Handle("POST /discord/interactions", m.discord.InteractionsHandler(m.commands))
	}
	if m.secrets.CourtListenerWebhook != "" {
		mux.Handle("POST /courtlistener/webhook/{secret}", m.cl.Webhook(m.secrets.CourtListenerWebhook.Reveal(), m.pipeline))
	}
	return mux
}

// maxControlBody bounds a request on the control socket.
const maxControlBody = 64 << 10

// controlRoutes serve the shell commands (watch, feed, status) while the
// daemon holds the store. Only the daemon's user or root gets here (see
// control.go), so a command's User and MayManageFeeds are taken as given.
func (m *Main) controlRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /command", func(w http.ResponseWriter, r *http.Request) {
		var c wirewatch.Command
		if err := json.NewDecoder(io.LimitReader(r.Body, maxControlBody)).Decode(&c); err != nil {
			http.Error(w, "bad command: "+err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, m.commands.Command(r.Context(), c))
	})
	mux.HandleFunc("POST /requeue", func(w http.ResponseWriter, r *http.Request) {
		n, err := requeue(m.db, r.URL.Query().Get("to"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m.dispatcher.Kick()
		writeJSON(w, n)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		st, err := readStatus(m.db, m.Config, m.watches.All())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if since, err := m.poller.StoreError(); err != nil {
			st.StoreError, st.StoreErrorSince = err.Error(), since
		}
		if m.articles != nil {
			st.Articles = m.articles.Reader().Stats.Hosts()
		}
		writeJSON(w, st)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
