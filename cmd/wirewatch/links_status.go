package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/config"
	"github.com/wirewatch/wirewatch/feeds/court"
	"github.com/wirewatch/wirewatch/store"
)

// LinkStatus is one link between two dockets followed as one matter.
type LinkStatus struct {
	A   string `json:"a"` // "8:25-cv-00951 (D. Md.)"
	B   string `json:"b"`
	How string `json:"how"` // by hand, docket fields, docket texts
	// Undo is the chat command that takes the link apart.
	Undo string `json:"undo"`
}

// statusLinks is how many links status lists.
const statusLinks = 50

func readLinks(db *store.DB) ([]LinkStatus, error) {
	links, err := db.CaseLinks(statusLinks)
	if err != nil {
		return nil, err
	}
	out := make([]LinkStatus, 0, len(links))
	for _, l := range links {
		cite := func(c store.CaseRef) string { return court.Cite(wirewatch.Docket{Court: c.Court, Number: c.Number}) }
		out = append(out, LinkStatus{A: cite(l.A), B: cite(l.B), How: l.How,
			Undo: "unlink " + l.A.Court + ":" + l.A.Number + " " + l.B.Court + ":" + l.B.Number})
	}
	return out, nil
}

// printLinks lists the linked dockets (merges), each with its undo.
func printLinks(w io.Writer, links []LinkStatus) {
	if len(links) == 0 {
		return
	}
	fmt.Fprintf(w, "\nLINKED DOCKETS\tHOW\tUNDO\t\t\t\n")
	for _, l := range links {
		fmt.Fprintf(w, "%s = %s\t%s\t/watch %s\t\t\t\n", l.A, l.B, l.How, l.Undo)
	}
}

// applyLinks links the config file's dockets (links:), each once: a link a
// person undid from chat stays undone.
func applyLinks(db *store.DB, links []string, log *slog.Logger) error {
	for _, l := range links {
		a, b, err := config.ParseLink(l) // Validate checked it already
		if err != nil {
			return &configError{fmt.Errorf("links: %w", err)}
		}
		done, err := db.LinkCasesOnce(store.CaseRef{Court: a.Court, Number: a.Number}, store.CaseRef{Court: b.Court, Number: b.Number}, "config")
		if err != nil {
			return fmt.Errorf("links: %s: %w", l, err)
		}
		if done {
			log.Info("dockets linked from the config file", "link", l)
		}
	}
	return nil
}
