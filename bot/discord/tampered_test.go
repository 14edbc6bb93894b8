package discord

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/store"
)

// TestTamperedButtonAudited: a press of one of our buttons whose custom_id
// is not a control (an unknown action, an empty or oversized argument) is
// refused with a message, changes nothing, and is written to the audit
// trail, where a tampered button shows; an oversized one gets 413 and
// nothing.
func TestTamperedButtonAudited(t *testing.T) {
	_, _, h, db, key := buttonSetup(t)
	ids := []string{"ww:drop:w1", "ww:mute:", "ww:mute:" + key + strings.Repeat("x", 80), "ww:nonsense"}
	for _, id := range ids {
		resp, _ := press(t, h, pressJSON(newIDs(), textCh, id, manage, 0))
		if resp.Data == nil || !strings.Contains(resp.Data.Content, "damaged") && !strings.Contains(resp.Data.Content, "unknown button") {
			t.Errorf("%q: %+v, want a refusal", id, resp.Data)
		}
	}
	// Signed but oversized: 413, nothing run.
	body := strings.TrimSuffix(pressJSON(newIDs(), textCh, "ww:mute:"+key, manage, 0), "}") + `,"pad":"` + strings.Repeat("x", maxInteraction) + `"}`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, testKey(), time.Now(), body))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized press: got %d, want 413", w.Code)
	}
	if muted, _ := db.Muted(wirewatch.Destination("discord:"+textCh), key); muted {
		t.Error("a tampered button muted the thread")
	}
	if ws, _ := db.Watches(); len(ws) != 1 {
		t.Errorf("watches %+v, want w1 kept", ws)
	}
	if n := buttonPresses(t, db); n != len(ids) {
		t.Errorf("audit: %d presses, want %d (each tampered one)", n, len(ids))
	}
}

// buttonPresses counts the audit trail's entries of button presses.
func buttonPresses(t *testing.T, db *store.DB) int {
	t.Helper()
	trail, err := db.Audit(1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range trail {
		if strings.HasPrefix(e.Action, "button ") {
			n++
		}
	}
	return n
}
