package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/match"
)

// termsOf returns text terms for every occurrence of each word in text, as
// the matcher would report them.
func termsOf(text string, words ...string) []match.Term {
	var out []match.Term
	for _, w := range words {
		for off := 0; ; {
			i := strings.Index(text[off:], w)
			if i < 0 {
				break
			}
			out = append(out, match.Term{Text: w, Field: "text", Start: off + i, End: off + i + len(w)})
			off += i + len(w)
		}
	}
	return out
}

func countSentences(t *testing.T, s string) int {
	t.Helper()
	return len(sentences(strings.TrimSuffix(s, "…")))
}

func TestSummaryPrefersMatchedSentencesInTextOrder(t *testing.T) {
	text := "The city council met on Tuesday to discuss the budget for next year. " +
		"Members debated road repairs at length and heard from residents about potholes. " +
		"Later, Judge Xinis was mentioned in passing by one speaker. " +
		"The meeting ran past midnight and several items were postponed. " +
		"A vote on the parks levy is expected next month. " +
		"Abrego Garcia's lawyers attended as observers."
	s := Summary(wirewatch.Item{Summary: text}, termsOf(text, "Abrego Garcia", "Xinis"))
	if !strings.Contains(s, "Judge Xinis was mentioned") || !strings.Contains(s, "Abrego Garcia's lawyers") {
		t.Errorf("summary %q leaves out a sentence with a matched term", s)
	}
	if i, j := strings.Index(s, "Xinis"), strings.Index(s, "Abrego"); i > j {
		t.Errorf("summary %q is not in the text's order", s)
	}
	if strings.Contains(s, "potholes") || strings.Contains(s, "parks levy") {
		t.Errorf("summary %q took unmatched sentences over matched ones", s)
	}
	if len(s) > SummaryMax {
		t.Errorf("summary is %d bytes", len(s))
	}
	if n := countSentences(t, s); n < 1 || n > 3 {
		t.Errorf("summary has %d sentences: %q", n, s)
	}
}

func TestSummaryWithoutTermsTakesTheOpening(t *testing.T) {
	text := "First sentence here. Second one follows. Third is here too. Fourth should not appear. Fifth neither."
	s := Summary(wirewatch.Item{Summary: text}, nil)
	if !strings.HasPrefix(s, "First sentence here.") {
		t.Errorf("summary %q does not start at the opening", s)
	}
	if n := countSentences(t, s); n < 1 || n > 3 {
		t.Errorf("summary has %d sentences: %q", n, s)
	}
	if strings.Contains(s, "Fourth") {
		t.Errorf("summary %q has more than 3 sentences", s)
	}
}

func TestSummaryKeepsAbbreviations(t *testing.T) {
	for _, text := range []string{
		"The appeal in U.S. v. Smith was argued today. Nothing else happened.",
		"Filed under No. 5 of the docket. The clerk noted it.",
		"J. Smith testified. The court adjourned.",
	} {
		got := sentences(text)
		if len(got) != 2 {
			var parts []string
			for _, s := range got {
				parts = append(parts, s.s)
			}
			t.Errorf("sentences(%q) = %q, want 2", text, parts)
			continue
		}
		if got[1].start != strings.Index(text, got[1].s) {
			t.Errorf("sentence %q at %d, want %d", got[1].s, got[1].start, strings.Index(text, got[1].s))
		}
	}
	text := "The appeal in U.S. v. Smith was argued today. Nothing else happened."
	if s := Summary(wirewatch.Item{Summary: text}, termsOf(text, "Smith")); !strings.Contains(s, "U.S. v. Smith was argued today.") {
		t.Errorf("summary %q split the case name", s)
	}
}

func TestSummaryBoundsAndRunes(t *testing.T) {
	// One long sentence of multi-byte text: cut on a rune boundary and marked.
	long := strings.Repeat("Ábrego García señaló — ", 40) + "fin."
	terms := termsOf(long, "García")
	for _, text := range []string{long, strings.Repeat("éééé", 200), strings.Repeat("界", 500) + ". Ok."} {
		s := Summary(wirewatch.Item{Summary: text}, terms)
		if len(s) > SummaryMax {
			t.Errorf("summary of %d bytes, max %d", len(s), SummaryMax)
		}
		if !utf8.ValidString(s) {
			t.Errorf("summary %q is not valid UTF-8: cut inside a rune", s)
		}
		if !strings.HasSuffix(s, "…") {
			t.Errorf("cut summary %q is not marked", s)
		}
	}
	// Every cut point: never more than max bytes, never invalid.
	for max := 4; max < 40; max++ {
		s := truncate(strings.Repeat("añ界 ", 20), max)
		if len(s) > max || !utf8.ValidString(s) {
			t.Errorf("truncate(.., %d) = %q (%d bytes)", max, s, len(s))
		}
	}
	if got := Summary(wirewatch.Item{Summary: "  "}, nil); got != "" {
		t.Errorf("blank text gives %q", got)
	}
	if got := Summary(wirewatch.Item{Summary: "Short."}, nil); got != "Short." {
		t.Errorf("short text gives %q", got)
	}
}

func FuzzSummary(f *testing.F) {
	f.Add("U.S. v. Smith. Ábrego García señaló. 界界界", 3)
	f.Add(strings.Repeat("x. Y", 200), 0)
	f.Fuzz(func(t *testing.T, text string, at int) {
		var terms []match.Term
		if len(text) > 0 {
			at = (at%len(text) + len(text)) % len(text)
			terms = []match.Term{{Field: "text", Start: at, End: at}}
		}
		s := Summary(wirewatch.Item{Summary: text}, terms)
		if len(s) > SummaryMax {
			t.Errorf("summary of %d bytes", len(s))
		}
		if utf8.ValidString(text) && !utf8.ValidString(s) {
			t.Errorf("summary %q of valid text is invalid UTF-8", s)
		}
	})
}
