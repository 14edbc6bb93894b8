package match

import (
	"reflect"
	"testing"
)

// TestTree: the expression tree a query reads as, with its terms as
// written: phrases without their quotes, "*" and "~" as flags, case: and
// field terms told apart, aliases OR-ed with the whole query.
func TestTree(t *testing.T) {
	q, err := Parse(`"Abrego Garcia" (negotiat* OR Mazzara~) -case:8:25-cv-00951 judge:Xinis`)
	if err != nil {
		t.Fatal(err)
	}
	if q, err = q.WithAliases("Kilmar Abrego"); err != nil {
		t.Fatal(err)
	}
	want := Node{Op: OpOr, Kids: []Node{
		{Op: OpAnd, Kids: []Node{
			{Op: OpTerm, Words: []string{"Abrego", "Garcia"}},
			{Op: OpOr, Kids: []Node{
				{Op: OpTerm, Words: []string{"negotiat"}, Prefix: true},
				{Op: OpTerm, Words: []string{"Mazzara"}, Variant: true},
			}},
			{Op: OpNot, Kids: []Node{{Op: OpTerm, Case: "8:25-cv-00951"}}},
			{Op: OpTerm, Words: []string{"Xinis"}, Field: "judge"},
		}},
		{Op: OpTerm, Words: []string{"Kilmar", "Abrego"}},
	}}
	if got := q.Tree(); !reflect.DeepEqual(got, want) {
		t.Errorf("tree\n got %+v\nwant %+v", got, want)
	}
}
