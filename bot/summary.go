package bot

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wirewatch/wirewatch"
	"github.com/wirewatch/wirewatch/match"
)

// SummaryMax is the longest summary an alert carries, in bytes.
const SummaryMax = 300

// Summary picks 1–3 sentences of the item's text, at most SummaryMax bytes,
// preferring those that contain matched terms and keeping the text's order.
// A docket item's summary is its description as it stands.
func Summary(it wirewatch.Item, terms []match.Term) string {
	text := strings.TrimSpace(it.Summary)
	if text == "" {
		return ""
	}
	sents := sentences(text)
	var picked []int
	used := 0
	take := func(i int) {
		if len(picked) >= 3 || used+len(sents[i].s) > SummaryMax && len(picked) > 0 {
			return
		}
		for _, p := range picked {
			if p == i {
				return
			}
		}
		picked = append(picked, i)
		used += len(sents[i].s) + 1
	}
	for _, t := range terms {
		if t.Field != "text" {
			continue
		}
		for i, s := range sents {
			if t.Start >= s.start && t.Start < s.start+len(s.s) {
				take(i)
			}
		}
	}
	for i := 0; i < len(sents) && used < SummaryMax/2; i++ {
		take(i)
	}
	sort.Ints(picked)
	parts := make([]string, len(picked))
	for i, p := range picked {
		parts[i] = sents[p].s
	}
	return truncate(strings.Join(parts, " "), SummaryMax)
}

type sentence struct {
	s     string
	start int // byte offset in the text
}

// sentences splits text after ".", "!" or "?" followed by a space and an
// upper-case letter or a digit, so "U.S. v. Smith" and "No. 5" stay whole
// often enough for a summary.
func sentences(text string) []sentence {
	var out []sentence
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(text) && (text[j] == '"' || text[j] == ')' || text[j] == '\'') {
			j++
		}
		if j >= len(text) || text[j] != ' ' {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[j+1:])
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			continue
		}
		// "v." and single capitals ("J. Smith") are abbreviations.
		word := text[strings.LastIndexByte(text[:i], ' ')+1 : i]
		if word == "v" || word == "vs" || word == "No" || (len(word) == 1 && word[0] >= 'A' && word[0] <= 'Z') {
			continue
		}
		if s := strings.TrimSpace(text[start:j]); s != "" {
			out = append(out, sentence{s: s, start: start + strings.Index(text[start:j], s)})
		}
		start = j + 1
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, sentence{s: s, start: start + strings.Index(text[start:], s)})
	}
	return out
}

// truncate cuts s to at most max bytes on a rune boundary, preferring a word
// boundary, and marks the cut with "…".
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := wirewatch.Clip(s, max-len("…"))
	if sp := strings.LastIndexByte(cut, ' '); sp > len(cut)*2/3 {
		cut = cut[:sp]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
