package match

import "testing"

// TestArticleField: the linked article is a field of its own: its terms say
// "article" with offsets in it, the query as a whole spans it and the other
// fields, and a phrase never spans the end of the text and the article.
func TestArticleField(t *testing.T) {
	q, err := Parse(`"Joseph Mazzara" AND budget`)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex()
	ix.Set("w", q)
	d := Doc{Title: "County budget passes", Article: "Among those who testified was Joseph Mazzara."}
	for name, terms := range map[string][]Term{"Query.Match": must(q.Match(d)), "Index.Match": hitTerms(ix.Match(d))} {
		if len(terms) != 2 || terms[0].Field != "title" || terms[1].Field != "article" ||
			d.Article[terms[1].Start:terms[1].End] != "Joseph Mazzara" {
			t.Errorf("%s: terms = %+v", name, terms)
		}
	}
	split := Doc{Title: "County budget", Text: "Speakers included Joseph", Article: "Mazzara said the plan works."}
	if _, ok := q.Match(split); ok {
		t.Error("Query.Match: a phrase matched across the text and the article")
	}
	if hits := ix.Match(split); len(hits) != 0 {
		t.Errorf("Index.Match: a phrase matched across the text and the article: %+v", hits)
	}
}

func must(ts []Term, ok bool) []Term {
	if !ok {
		return nil
	}
	return ts
}

func hitTerms(hs []Hit) []Term {
	if len(hs) != 1 {
		return nil
	}
	return hs[0].Terms
}
