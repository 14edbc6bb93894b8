package match

import (
	"reflect"
	"testing"
)

// abrego is a docket item as CourtListener's docket and party data give
// it: the entry text names none of the people.
var abrego = Doc{
	Title:     "Doc 61 · Order · Abrego Garcia v. Noem, 8:25-cv-00951 (D. Md.)",
	Text:      "ORDER granting motion for expedited discovery.",
	Docket:    "Abrego Garcia v. Noem \n Order \n 8:25-cv-00951",
	Parties:   []string{"Kilmar Armando Abrego Garcia", "Kristi Noem", "United States of America"},
	Judges:    []string{"Paula Xinis"},
	Attorneys: []string{"Simon Y. Sandoval-Moshenberg", "Drew C. Ensign"},
}

func TestFieldTerms(t *testing.T) {
	tests := []struct {
		query string
		doc   Doc
		want  bool
		terms []Term // nil: don't check
	}{
		{`party:"Abrego Garcia"`, abrego, true, []Term{{Text: "Abrego Garcia", Field: "party", Start: 15, End: 28}}},
		{`judge:Xinis`, abrego, true, []Term{{Text: "Xinis", Field: "judge", Start: 6, End: 11}}},
		{`attorney:"Sandoval Moshenberg"`, abrego, true, []Term{{Text: "Sandoval-Moshenberg", Field: "attorney", Start: 9, End: 28}}},
		// A field term looks in its names only.
		{`judge:Noem`, abrego, false, nil},
		{`party:Xinis`, abrego, false, nil},
		{`party:Order`, abrego, false, nil},
		{`attorney:Garcia`, abrego, false, nil},
		// Plain terms look in the names too.
		{`Xinis`, abrego, true, []Term{{Text: "Xinis", Field: "judge", Start: 6, End: 11}}},
		{`"Drew Ensign"`, abrego, false, nil}, // the middle initial is a word
		{`"Drew C Ensign"`, abrego, true, []Term{{Text: "Drew C. Ensign", Field: "attorney", Start: 0, End: 14}}},
		// A phrase never runs from one name into the next.
		{`"Garcia Kristi"`, abrego, false, nil},
		{`party:"Noem United"`, abrego, false, nil},
		// Folding, variants, prefixes, and the operators.
		{`party:"ABREGO GARCÍA"`, abrego, true, nil},
		{`judge:Xinnis~`, abrego, true, []Term{{Text: "Xinis", Field: "judge", Start: 6, End: 11}}},
		{`attorney:Sandov*`, abrego, true, nil},
		{`party:Noem -judge:Xinis`, abrego, false, nil},
		{`party:Noem NOT judge:Boasberg`, abrego, true, nil},
		{`judge:Boasberg OR party:"Abrego Garcia"`, abrego, true, nil},
		{`party:"Abrego Garcia" judge:Xinis case:8:25-cv-00951`, abrego, true, nil},
		{`(party:Noem OR party:Bondi) AND Order`, abrego, true, nil},
		// An item without names (PACER RSS) matches no field term, and
		// its text does not count as a name.
		{`party:"Abrego Garcia"`, Doc{Title: "Abrego Garcia v. Noem", Text: "Order"}, false, nil},
		{`Abrego Garcia`, Doc{Title: "Abrego Garcia v. Noem"}, true, nil},
	}
	ix := NewIndex()
	for i, tt := range tests {
		ix.Set(string(rune('A'+i)), MustParse(t, tt.query))
	}
	for i, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := MustParse(t, tt.query)
			terms, ok := q.Match(tt.doc)
			if ok != tt.want {
				t.Fatalf("Match = %v %+v, want %v", ok, terms, tt.want)
			}
			if tt.terms != nil && !reflect.DeepEqual(terms, tt.terms) {
				t.Errorf("terms %+v, want %+v", terms, tt.terms)
			}
			rterms, rok := simpleMatch(q, tt.doc)
			if rok != ok || !reflect.DeepEqual(rterms, terms) {
				t.Errorf("reference: %v %+v, want %v %+v", rok, rterms, ok, terms)
			}
			var hit *Hit
			for _, h := range ix.Match(tt.doc) {
				if h.ID == string(rune('A'+i)) {
					hit = &h
				}
			}
			if (hit != nil) != ok || hit != nil && !reflect.DeepEqual(hit.Terms, terms) {
				t.Errorf("index: %+v, want %v %+v", hit, ok, terms)
			}
		})
	}
}

// TestFieldNamesBounded: names past MaxNames in a list, and bytes past
// MaxNameBytes in a name, are not searched.
func TestFieldNamesBounded(t *testing.T) {
	var parties []string
	for range MaxNames {
		parties = append(parties, "John Doe")
	}
	d := Doc{Parties: append(parties, "Kristi Noem"), Judges: []string{string(make([]byte, MaxNameBytes)) + " Xinis"}}
	for _, q := range []string{`party:Noem`, `Noem`, `judge:Xinis`} {
		if _, ok := MustParse(t, q).Match(d); ok {
			t.Errorf("%s matched a name past the bounds", q)
		}
	}
	if _, ok := MustParse(t, `party:Doe`).Match(d); !ok {
		t.Errorf("party:Doe did not match the first names")
	}
}

func TestFieldSuggest(t *testing.T) {
	// A near miss is suggested from the field the term looks in only.
	q := MustParse(t, `judge:"Paula Xinnis" AND Order`)
	if got := q.Suggest(Doc{Text: "Order of Paula Xinnes", Judges: []string{"Paula Xinies"}}); !reflect.DeepEqual(got, []string{"Paula Xinies"}) {
		t.Errorf("Suggest = %q, want the judge's name only", got)
	}
}
