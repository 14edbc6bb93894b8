package slack

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
)

// TestTamperedButtonAudited: a signed press whose button value is not a
// control (an unknown action, an empty or oversized argument) is refused
// with a message, changes nothing, and is written to the audit trail,
// where a tampered button shows; an oversized one gets 413 and nothing.
func TestTamperedButtonAudited(t *testing.T) {
	fk := newFakeSlack(t)
	apiURL := fk.startHTTP(t)
	s := mustSlack(t, fk, apiURL, nil, nil)
	cmds, db := realCommands(t)
	const key = "case:mdd:8:25-cv-00951"
	now := time.Now()
	if err := db.SaveThread(wirewatch.Thread{Key: key, To: "slack:C1", Ref: "1.0", TopRef: "1.0", Title: "Abrego Garcia v. Noem", Started: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	h := s.InteractionsHandler(cmds)
	respURL := strings.TrimSuffix(apiURL, "/") + "/respond/T1/1/abc"
	values := []string{"drop:" + key, "mute:", "mute:" + key + strings.Repeat("x", 200), "nonsense"}
	for _, v := range values {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, pressForm(t, button{ActionID: actionPrefix + "0", Value: v}, "C1", respURL, false), now))
		if w.Code != http.StatusOK {
			t.Fatalf("%q: got %d, want 200 (acked)", v, w.Code)
		}
	}
	// Signed but oversized (a payload padded past the bound): 413, nothing run.
	big := pressForm(t, button{ActionID: actionPrefix + "0", Value: "mute:" + key}, "C1", respURL, false)
	big.Set("pad", strings.Repeat("x", maxInteractionBody))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, big, now))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized press: got %d, want 413", w.Code)
	}
	replies := waitReplies(t, fk, len(values))
	s.Close()
	for _, r := range replies {
		if txt, _ := r["text"].(string); !strings.Contains(txt, "damaged") && !strings.Contains(txt, "unknown button") {
			t.Errorf("answer %q: want a refusal", txt)
		}
	}
	if muted, _ := db.Muted("slack:C1", key); muted {
		t.Error("a tampered button muted the thread")
	}
	if n := buttonPresses(t, db); n != len(values) {
		t.Errorf("audit: %d presses, want %d (each tampered one)", n, len(values))
	}
}
