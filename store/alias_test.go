package store

import (
	"errors"
	"slices"
	"testing"

	"github.com/wirewatch/wirewatch"
)

func TestUpdateWatchAliases(t *testing.T) {
	db := MustOpen(t, nil)
	w, err := db.AddWatch(wirewatch.Watch{Query: `"Joseph Mazzara"`, To: []wirewatch.Destination{"slack:C1"}, AddedBy: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(alias string) func(*wirewatch.Watch) (string, error) {
		return func(w *wirewatch.Watch) (string, error) {
			w.Aliases = append(w.Aliases, alias)
			w.ID, w.Query = "w99", "changed" // the id must survive; the query may change
			return alias, nil
		}
	}
	got, err := db.UpdateWatch(w.ID, "U2", "watch alias", add("Mazarra"))
	if err != nil || got.ID != w.ID || !got.AddedAt.Equal(w.AddedAt) || !slices.Equal(got.Aliases, []string{"Mazarra"}) {
		t.Fatalf("UpdateWatch: got %+v, %v", got, err)
	}
	refuse := errors.New("another channel's")
	if _, err := db.UpdateWatch(w.ID, "U3", "watch alias", func(*wirewatch.Watch) (string, error) { return "", refuse }); !errors.Is(err, refuse) {
		t.Errorf("refused update: got %v, want %v", err, refuse)
	}
	if _, err := db.UpdateWatch("w42", "U3", "watch alias", add("x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown watch: got %v, want ErrNotFound", err)
	}
	// The alias is stored: it survives a reopen.
	db = reopen(t, db)
	ws, err := db.Watches()
	if err != nil || len(ws) != 1 || !slices.Equal(ws[0].Aliases, []string{"Mazarra"}) || ws[0].ID != w.ID {
		t.Fatalf("after reopen: got %+v, %v", ws, err)
	}
	trail, _ := db.Audit(10)
	if last := trail[len(trail)-1]; last.Action != "watch alias" || last.ID != w.ID || last.Detail != "Mazarra" || last.User != "U2" {
		t.Errorf("audit: got %+v", last)
	}
}
