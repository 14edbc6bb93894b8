package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/wirewatch/wirewatch"
)

// Writer is the stdout destination: one JSON object per alert per line
// (CONTRACT.md). Quiet alerts are printed too: stdout is for scripts, which
// filter for themselves.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Sender writing JSON lines to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// stdoutAlert is the line format; field order as CONTRACT.md shows it.
type stdoutAlert struct {
	To        wirewatch.Destination `json:"to"`
	Watches   []string              `json:"watches"`
	Thread    string                `json:"thread"`
	Title     string                `json:"title"`
	Link      string                `json:"link"`
	Source    string                `json:"source"`
	Published string                `json:"published"`
	Summary   string                `json:"summary"`
	Terms     []string              `json:"terms"`
	Docket    *wirewatch.Docket     `json:"docket,omitempty"`
}

// Send writes a as one line.
func (s *Writer) Send(_ context.Context, a wirewatch.Alert, th wirewatch.Thread) (wirewatch.Thread, error) {
	line := stdoutAlert{
		To: a.To, Watches: a.Watches, Thread: a.Thread, Title: a.Title, Link: a.Link,
		Source: a.Source, Summary: a.Summary, Terms: a.Terms, Docket: a.Docket,
	}
	if line.Watches == nil {
		line.Watches = []string{}
	}
	if line.Terms == nil {
		line.Terms = []string{}
	}
	if !a.Published.IsZero() {
		line.Published = a.Published.Format(time.RFC3339)
	}
	data, err := json.Marshal(line)
	if err != nil {
		return th, wirewatch.Permanent(fmt.Errorf("encode alert: %w", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(append(data, '\n')); err != nil {
		return th, fmt.Errorf("write alert: %w", err)
	}
	th.Ref = "stdout"
	th.Count++
	th.Posted++
	th.Latest = a.Title
	return th, nil
}
