package match

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSnippet(t *testing.T) {
	long := "The court held a hearing on Monday. Judge Paula Xinis ordered the government to facilitate the return of Kilmar Abrego Garcia, who was deported to El Salvador in error, and asked for daily updates on its progress."
	at := func(text, term string) Term {
		i := strings.Index(text, term)
		return Term{Text: term, Field: "text", Start: i, End: i + len(term)}
	}
	tests := []struct {
		name  string
		text  string
		term  Term
		limit int
		want  string
	}{
		{"short text whole", "Judge Xinis ruled.", at("Judge Xinis ruled.", "Xinis"), 100, "Judge Xinis ruled."},
		{"middle", long, at(long, "Abrego Garcia"), 80, "…return of Kilmar Abrego Garcia, who was deported to El Salvador in…"},
		{"start", long, at(long, "The court"), 60, "The court held a hearing on Monday. Judge Paula Xinis…"},
		{"end", long, at(long, "progress"), 60, "…error, and asked for daily updates on its progress."},
		{"term longer than limit", long, at(long, "Judge Paula Xinis ordered the government"), 20, "…Judge Paula Xi…"},
		{"zero limit", long, at(long, "Xinis"), 0, ""},
		{"offsets out of range", long, Term{Start: -5, End: 99999}, 30, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet(tt.text, tt.term, tt.limit)
			if len(got) > tt.limit {
				t.Errorf("Snippet = %q: %d bytes, more than %d", got, len(got), tt.limit)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("Snippet = %q, want %q", got, tt.want)
			}
			if tt.limit > 0 && tt.term.Start >= 0 && tt.term.End <= len(tt.text) && len(tt.term.Text)+6 <= tt.limit && !strings.Contains(got, tt.term.Text) {
				t.Errorf("Snippet = %q does not contain the term %q", got, tt.term.Text)
			}
		})
	}
}

func TestSnippetRuneBoundaries(t *testing.T) {
	text := strings.Repeat("ÁÉÍÓÚ ñ ", 40) + "Ábrego García " + strings.Repeat("日本語 ", 40)
	i := strings.Index(text, "Ábrego García")
	term := Term{Text: "Ábrego García", Field: "text", Start: i, End: i + len("Ábrego García")}
	for limit := 1; limit < 120; limit++ {
		got := Snippet(text, term, limit)
		if len(got) > limit || !utf8.ValidString(got) {
			t.Fatalf("Snippet(%d) = %q: %d bytes, valid UTF-8 %v", limit, got, len(got), utf8.ValidString(got))
		}
		if limit >= len(term.Text)+6 && !strings.Contains(got, term.Text) {
			t.Fatalf("Snippet(%d) = %q lost the term", limit, got)
		}
	}
}
