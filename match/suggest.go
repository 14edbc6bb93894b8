package match

import "unicode/utf8"

// Limits on suggestions.
const (
	maxSuggestions = 5 // per document
	minSuggestWord = MinVariant
	maxSuggestEdit = 2 // edits from the query word, doubled letters written once
)

// Suggest returns near-miss spellings of q's words in d that the watch
// misses, each as written in d, for a person to confirm as an alias (never
// added by itself). A near miss is a word of 5 letters or more that
// begins with the same letter as a query word and is at most two edits from
// it once doubled letters are written once (Mazarra for Mazzara), found
// where the watch's other context is: the phrase's other words around it
// ("Joseph Mazarra" for "Joseph Mazzara", suggested whole), or, for a lone
// word, an item that the query would match with it (Mazarra in an item
// that also has ICE, for Mazzara AND ICE). Items that q matches already
// suggest nothing, nor do negated terms.
func (q *Query) Suggest(d Doc) []string {
	if q == nil || q.root == nil {
		return nil
	}
	if _, ok := q.Match(d); ok {
		return nil
	}
	var doc docText
	d.text(&doc)
	var tk tokenizer
	doc.tokenize(&tk)
	var bits uint64
	for ai := range q.atoms {
		if q.atoms[ai].dk == nil && atomMatchesAnywhere(&tk, &q.atoms[ai]) {
			bits |= 1 << uint(ai)
		}
	}
	var out []string
	seen := map[string]bool{}
	for ai := range q.atoms {
		a := &q.atoms[ai]
		if a.dk != nil || a.neg || bits&(1<<uint(ai)) != 0 {
			continue
		}
		// A lone word needs the rest of the query to hold with it.
		if len(a.words) == 1 && (bits == 0 || !q.root.eval(bits|1<<uint(ai))) {
			continue
		}
		for wi := range tk.words {
			s, ok := nearMissAt(&tk, wi, a)
			if !ok {
				continue
			}
			text := doc.segs[tk.words[wi].field][tk.words[s].os:tk.words[s+len(a.words)-1].oe]
			if k := Fold(text); !seen[k] {
				seen[k] = true
				out = append(out, text)
				if len(out) == maxSuggestions {
					return out
				}
			}
		}
	}
	return out
}

func atomMatchesAnywhere(tk *tokenizer, a *atom) bool {
	for wi := range tk.words {
		if _, _, ok := verify(tk, wi, a, 0); ok {
			return true
		}
	}
	return false
}

// nearMissAt reports whether phrase a, placed with its first word at word
// wi, matches but for one word that is a near miss; it returns wi.
func nearMissAt(tk *tokenizer, wi int, a *atom) (int, bool) {
	end := wi + len(a.words)
	if end > len(tk.words) || tk.words[wi].field != tk.words[end-1].field ||
		a.field != anyField && tk.words[wi].kind != a.field {
		return 0, false
	}
	miss := -1
	for j := range a.words {
		w := &tk.words[wi+j]
		if wordIs(tk, w, a, j) {
			continue
		}
		if miss >= 0 || a.prefix[j] || !nearMiss(tk.text(w), a.words[j]) {
			return 0, false
		}
		miss = j
	}
	return wi, miss >= 0
}

// nearMiss reports whether text word tw is a near miss of query word qw
// (both folded): 5 letters or more, the same first letter, and at most
// maxSuggestEdit edits apart with doubled letters written once.
func nearMiss(tw []byte, qw string) bool {
	// A text word many times the query word's length is no spelling of it
	// (and is not worth counting through).
	nq := utf8.RuneCountInString(qw)
	if nq < minSuggestWord || len(tw) > 4*(nq+maxSuggestEdit) || utf8.RuneCount(tw) < minSuggestWord {
		return false
	}
	tr, _ := utf8.DecodeRune(tw)
	qr, _ := utf8.DecodeRuneInString(qw)
	if tr != qr {
		return false
	}
	// Collapsed, a near miss is at most two letters longer than the query
	// word; a longer text word is not collapsed whole.
	a, fits := collapseAtMost(nil, tw, nq+maxSuggestEdit)
	if !fits {
		return false
	}
	b := collapse(nil, []byte(qw))
	if len(a)-len(b) > maxSuggestEdit || len(b)-len(a) > maxSuggestEdit {
		return false
	}
	return editDistance(a, b) <= maxSuggestEdit
}

// editDistance is the optimal-string-alignment distance of a and b: the
// fewest letters added, dropped, changed or neighbours swapped.
func editDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
