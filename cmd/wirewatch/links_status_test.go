package main

import (
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch/store"
)

// status lists linked dockets with how they were linked and the command
// that undoes the link.
func TestStatusListsLinkedDockets(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.LinkCases(store.CaseRef{Court: "mdd", Number: "8:25-cv-00951"}, store.CaseRef{Court: "tnmd", Number: "3:25-cr-00115"}, "U1"); err != nil {
		t.Fatal(err)
	}
	links, err := readLinks(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].How != "by hand" {
		t.Fatalf("links %+v", links)
	}
	var b strings.Builder
	printLinks(&b, links)
	for _, want := range []string{"LINKED DOCKETS", "8:25-cv-00951 (D. Md.) = 3:25-cr-00115 (M.D. Tenn.)", "/watch unlink mdd:8:25-cv-00951 tnmd:3:25-cr-00115"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}

// The config file's links are made once: a restart adds nothing to the
// audit trail, and an unlink from chat stays.
func TestConfigLinksOnce(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "ww.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	links := []string{"mdd:8:25-cv-00951 tnmd:3:25-cr-00115"}
	for range 2 {
		if err := applyLinks(db, links, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			t.Fatal(err)
		}
	}
	trail, _ := db.Audit(10)
	if len(trail) != 1 || trail[0].Action != "case link" || trail[0].User != "config" {
		t.Fatalf("audit after two starts: %+v", trail)
	}
	mdd, tnmd := store.CaseRef{Court: "mdd", Number: "8:25-cv-00951"}, store.CaseRef{Court: "tnmd", Number: "3:25-cr-00115"}
	if err := db.UnlinkCases(tnmd, mdd, "U1"); err != nil {
		t.Fatal(err)
	}
	if err := applyLinks(db, links, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	if l, _ := readLinks(db); len(l) != 0 {
		t.Errorf("a restart undid the chat unlink: %+v", l)
	}
}
