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

// NewWriter returns a wirewatch.Poster writing JSON lines to w.
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
	MatchedIn []string              `json:"matched_in"`
	Docket    *wirewatch.Docket     `json:"docket,omitempty"`
	AlsoIn    []wirewatch.Outlet    `json:"also_in,omitempty"`
}

// write prints a as one line.
func (s *Writer) write(a wirewatch.Alert) error {
	line := stdoutAlert{
		To: a.To, Watches: a.Watches, Thread: a.Thread, Title: a.Title, Link: a.Link,
		Source: a.Source, Summary: a.Summary, Terms: a.Terms, Docket: a.Docket, AlsoIn: a.AlsoIn,
	}
	if line.Watches == nil {
		line.Watches = []string{}
	}
	if line.MatchedIn = a.MatchedIn; line.MatchedIn == nil {
		line.MatchedIn = []string{}
	}
	if line.Terms == nil {
		line.Terms = []string{}
	}
	if !a.Published.IsZero() {
		line.Published = a.Published.Format(time.RFC3339)
	}
	data, err := json.Marshal(line)
	if err != nil {
		return wirewatch.Permanent(fmt.Errorf("encode alert: %w", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("write alert: %w", err)
	}
	return nil
}

// stdoutRef is the thread reference of every stdout thread: lines have
// no threads, the key in each line groups them.
const stdoutRef = "stdout"

// Check implements wirewatch.Poster: stdout needs no credentials.
func (s *Writer) Check(context.Context) error { return nil }

// PostTop prints a.
func (s *Writer) PostTop(_ context.Context, th wirewatch.Thread, a wirewatch.Alert) (wirewatch.Thread, error) {
	if err := s.write(a); err != nil {
		return th, err
	}
	th.TopRef, th.Ref = stdoutRef, stdoutRef
	return th, nil
}

// Open is never needed: PostTop sets Ref.
func (s *Writer) Open(_ context.Context, th wirewatch.Thread) (wirewatch.Thread, error) {
	th.Ref = stdoutRef
	return th, nil
}

// Reply prints a.
func (s *Writer) Reply(_ context.Context, th wirewatch.Thread, a wirewatch.Alert, _ bool) (string, error) {
	return stdoutRef, s.write(a)
}

// EditTop does nothing: a line once printed stays.
func (s *Writer) EditTop(context.Context, wirewatch.Thread) error { return nil }

// Delivered answers false: a line cannot be looked for once printed, so an
// alert in flight at a crash is printed again (scripts see it twice at
// most).
func (s *Writer) Delivered(_ context.Context, th wirewatch.Thread, _ wirewatch.Alert) (wirewatch.Thread, bool, error) {
	return th, false, nil
}

// Flat says stdout prints lines, not threads: routine (quiet) alerts are
// printed too (scripts filter for themselves) and nothing is edited.
func (s *Writer) Flat() bool { return true }
