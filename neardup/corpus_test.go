package neardup

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The corpus the threshold is measured on, generated (no outside prose):
// stories about one court case, all written from the same pool of people,
// places and phrases, as a week of coverage of one case is. Each story is
// carried by outlets that edit it the way papers edit wire copy; some
// stories are follow-ups that reuse paragraphs of background from an
// earlier one, the hardest case for "different story, same topic".

var (
	people = []string{"Judge Paula Renfro", "Marco Ilescu", "Attorney General Dana Pruitt", "Deputy Solicitor General Evan Marsh",
		"Senator Ruth Calloway", "defense lawyer Simone Achebe", "Homeland Security Secretary Lionel Hart", "Ilescu's wife, Teodora",
		"Judge Amos Kettering", "spokeswoman Priya Venn", "Representative Carl Osei", "immigration lawyer Hal Brennan"}
	places = []string{"Greenbelt, Maryland", "Richmond", "the Supreme Court", "San Salvador", "the detention center in Louisiana",
		"the federal courthouse", "Capitol Hill", "the appeals court", "Baltimore", "the White House"}
	days     = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "late Sunday", "early Saturday"}
	subjects = []string{"%P", "The government", "Lawyers for %P", "The Justice Department", "A three-judge panel", "Prosecutors",
		"Advocates for migrants", "%P's office", "Court filings", "The administration", "Officials at %L", "Critics of the policy"}
	verbs = []string{"said", "argued", "told reporters", "wrote in a filing", "asked the court", "insisted", "warned",
		"acknowledged", "denied", "disclosed", "confirmed", "declined to say"}
	// A clause is built from parts, so that two stories share stock
	// phrases and names, as real ones do, but seldom a whole clause.
	openers = []string{"that", "that the", "that a", "that its", "that the new", "that no", "that every", "that one"}
	nouns   = []string{"order", "deportation", "hearing", "flight", "declaration", "ruling", "appeal", "filing", "transfer",
		"detention", "agreement", "statement", "record", "motion", "injunction", "transcript", "witness", "memo", "policy", "deadline"}
	preds = []string{"had been a mistake", "must be followed", "was beyond the court's reach", "would be delayed", "remained under seal",
		"was still in dispute", "raised questions about due process", "could come soon", "was thin", "would be honoured",
		"exceeded the judge's authority", "was under negotiation", "was filed late", "had been withdrawn", "named no one",
		"contradicted earlier testimony", "was signed by %P", "came from %L", "was sent to %L", "had never been disclosed",
		"was described as routine", "drew a sharp rebuke", "set off protests", "was drafted in haste", "surprised both sides"}
	tails = []string{"", "", " on %D", " in %L", ", according to a transcript", ", in a %N-page filing", ", citing national security",
		", without offering evidence", " during a hearing that lasted %N hours", ", a claim the other side disputed"}
	background = []string{
		"%P, a %N-year-old sheet-metal apprentice, was living in %L when he was detained.",
		"The case began when %P was deported despite a court order that barred his removal.",
		"An immigration judge had ruled years earlier that he could not be sent back because he faced danger there.",
		"The administration has called the case an example of its broader effort to speed deportations.",
		"%P has been held since the spring, and his family has held vigils outside %L.",
	}
)

type gen struct{ r *rand.Rand }

func (g gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g gen) fill(s string) string {
	for strings.Contains(s, "%") {
		switch {
		case strings.Contains(s, "%P"):
			s = strings.Replace(s, "%P", g.pick(people), 1)
		case strings.Contains(s, "%L"):
			s = strings.Replace(s, "%L", g.pick(places), 1)
		case strings.Contains(s, "%D"):
			s = strings.Replace(s, "%D", g.pick(days), 1)
		case strings.Contains(s, "%N"):
			s = strings.Replace(s, "%N", fmt.Sprint(2+g.r.IntN(60)), 1)
		default:
			return s
		}
	}
	return s
}

func (g gen) sentence() string {
	return g.fill(g.pick(subjects)+" "+g.pick(verbs)+" "+g.pick(openers)+" "+g.pick(nouns)+" "+g.pick(preds)+g.pick(tails)) + "."
}

// story is a story of 8–14 paragraphs of 1–3 sentences.
func (g gen) story() []string {
	var paras []string
	for range 8 + g.r.IntN(7) {
		var p []string
		for range 1 + g.r.IntN(3) {
			p = append(p, g.sentence())
		}
		paras = append(paras, strings.Join(p, " "))
	}
	return paras
}

// followUp is a new story that reuses up to three paragraphs of prev's
// background and adds background lines of its own.
func (g gen) followUp(prev []string) []string {
	paras := g.story()
	for i := range min(1+g.r.IntN(3), len(prev)) {
		paras = append(paras, prev[len(prev)-1-i])
	}
	paras = append(paras, g.fill(g.pick(background)))
	return paras
}

// outlet is paras as one outlet runs it: maybe trimmed from the end (up
// to 40%), a new first sentence, a few words changed, a credit line or an
// editor's note added.
func (g gen) outlet(paras []string) string {
	out := append([]string{}, paras...)
	if g.r.IntN(2) == 0 {
		out = out[:len(out)-g.r.IntN(len(out)*2/5+1)]
	}
	if g.r.IntN(2) == 0 {
		out[0] = g.sentence() + " " + out[0]
	}
	words := strings.Fields(strings.Join(out, "\n"))
	for range len(words) / 50 { // about 2 % of the words changed
		i := g.r.IntN(len(words))
		words[i] = g.pick([]string{"the", "on", "said", "court", "judge", "Tuesday", "federal", "lawyer"})
	}
	text := strings.Join(words, " ")
	switch g.r.IntN(3) {
	case 0:
		text += " Associated writers " + g.pick(people) + " and " + g.pick(people) + " contributed to this report."
	case 1:
		text = "Editor's note: this story has been updated with comment from " + g.pick(people) + ". " + text
	}
	return text
}

// corpus is n stories (every third a follow-up of the one before), each
// carried by k outlets: texts[s][o] is story s as outlet o runs it.
func corpus(seed uint64, n, k int) [][]string {
	g := gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	var out [][]string
	var prev []string
	for s := range n {
		paras := g.story()
		if s%3 == 2 {
			paras = g.followUp(prev)
		}
		prev = paras
		var texts []string
		for range k {
			texts = append(texts, g.outlet(paras))
		}
		out = append(out, texts)
	}
	return out
}
