package match

import "sort"

// Spans returns where terms occur in text, by the same rules as matching
// (whole words, case and accents ignored): byte ranges [start, end), sorted,
// overlaps merged. Chat adapters use it to bold the matched terms of an
// alert's summary, which carries the terms but not their offsets.
func Spans(text string, terms []string) [][2]int {
	var spans [][2]int
	for _, t := range terms {
		// Every word of the term literally, operators and the characters
		// of the query syntax ("*", "~") included.
		a := literal(t)
		if len(a.words) == 0 {
			continue
		}
		q := &Query{atoms: []atom{a}, root: &node{op: opAtom}}
		found, _ := q.Match(Doc{Text: text})
		for _, f := range found {
			if f.Field == "text" && f.End > f.Start {
				spans = append(spans, [2]int{f.Start, f.End})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], s[1])
			continue
		}
		merged = append(merged, s)
	}
	return merged
}
