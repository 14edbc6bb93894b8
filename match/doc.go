// Package match is the watch query language and its matcher.
//
// # Query syntax
//
// Words next to each other form a phrase: Abrego Garcia matches the two
// words adjacent and in that order. Quotes make a phrase explicit and turn
// operators into plain words: "Abrego Garcia", "or".
//
//	"Abrego Garcia" OR Xinis      either one
//	Abrego Garcia AND Xinis       both, anywhere in the item
//	"Abrego Garcia" Xinis         the same: a quoted phrase ends a term
//	Abrego Garcia NOT Bukele      the first without the second
//	Abrego Garcia -Bukele         the same: "-" negates the word right after it
//	Abrego -"El Salvador"         … or the quoted phrase, or the ( group )
//	(deport* OR removal) AND ICE  parentheses group; AND binds tighter than OR
//	negotiat*                     words that start with negotiat (3 letters or more before *)
//	"Joseph Mazzara~"             Mazzara or a spelling variant of it: Mazarra, Mazara
//	case:8:25-cv-00951            that docket number as courts and reporters write it:
//	                              8:25-cv-00951-PX, 25-cv-951, 8:25cv951, 25-cv-00951
//	party:"Abrego Garcia"         a party of a docket item named so (judge:Xinis, attorney:…)
//
// AND, OR and NOT are operators only in upper case. After a term, a NOT or
// "-" term means AND NOT, and a quoted phrase next to another term means
// AND ("Abrego Garcia" Xinis); bare words side by side stay one phrase, and
// other terms side by side need AND or OR between them (Abrego (Xinis) is an
// error). Canonical writes a query back with every operator spelled out, so
// that replies can show how it was read. A query needs a term that must
// appear: NOT Bukele alone, or Xinis OR -Bukele, would match nearly every
// item and is refused. A query has at most 500 characters and 50 terms (a
// phrase or a case: number is one term). Errors say what is wrong and at
// which character, counted from 1: `unbalanced "(" at 14`, `NOT needs
// something to negate at 22`.
//
// # Fields
//
// party:, judge: and attorney: take the one word right after the colon
// (judge:Xinis), or the quoted phrase right after it (party:"Abrego
// Garcia"), and match it only in the parties, judges or attorneys that a
// docket item's source names (Doc.Parties, Judges, Attorneys), each name
// on its own: a phrase never runs from one name into the next. Within the
// field the rules are those of any term: folding, whole words, "*" and
// "~" (judge:Xinnis~). Plain terms keep matching every field, the names
// included, so Xinis finds the judge too. A field term is one term: it
// ends a term like a quoted phrase (party:"Abrego Garcia" judge:Xinis
// means AND), but a bare word right after judge:Xinis is refused as
// ambiguous (write judge:"Paula Xinis", or an operator). Field names are
// read in any case. A word of letters followed by a colon and a word or
// quote that is no field (partie:Abrego, lawyer:"Ensign") is refused as
// an unknown field; "Update: Xinis" and "12:30" stay plain words.
//
// # Spelling variants
//
// A "~" right after a word of 5 letters or more asks for its spelling
// variants too, in a phrase as well as alone. A text word is a variant when,
// after the usual folding and with doubled letters written once (Mazzara,
// Mazarra and Mazara all become mazara), it equals the query word written
// the same way or is one edit from it: a letter added, dropped or changed,
// or two neighbours swapped (Xinnis, Bukelle, Serna for Cerna~). It is
// opt-in per word and refused on shorter words, which have too many
// lookalikes (Noem~ would match poem), on words of more than 32 letters,
// on prefixes (deport*~) and past 5 such words in a query.
//
// An alias (Query.WithAliases) is a confirmed alternative spelling of a
// watch: an exact phrase, folded like any other, OR-ed with the whole query.
// Query.Suggest finds candidates for a person to confirm: words of an item
// that miss a query word by up to two edits (same first letter, 5+
// letters) where the watch's other context is, such as "Joseph Mazarra"
// for "Joseph Mazzara".
//
// # Matching rules
//
// Matching is case- and accent-insensitive ("Abrego Garcia" matches
// "ÁBREGO GARCÍA") and works on whole words: Xinis matches "Xinis's" and
// "(Xinis)" but not "Xinisfoo"; ICE does not match "police". Every
// character that is not a letter or digit separates words, in queries and
// texts alike, so hyphens, apostrophes, punctuation, line breaks and runs of
// spaces are all the same: Abrego Garcia matches "Abrego-Garcia" and
// "Abrego\nGarcia", and AT&T matches "AT T". Typographic quotes and dashes
// count as their ASCII forms. A phrase must lie within one field; the query
// as a whole is evaluated over the item's title, text, docket fields and
// names together. Only the first MaxFieldBytes of a field are searched,
// and of the names, the first MaxNames of each list and MaxNameBytes of
// each name.
//
// A case: term matches docket numbers written in any field and the docket
// numbers of a docket item (Doc.Numbers). It compares year, case type and
// number (leading zeros ignored) and, when both the query and the text give
// an office ("8:"), the office: 1:25-cv-00951 does not match
// case:8:25-cv-00951, while 25-cv-951 does. Judge initials ("-PX") are
// ignored.
//
// # Results
//
// A match names the places where the query's terms matched, not counting
// negated terms: one Term per place, with the text as written in the item
// ("Ábrego García"; for a variant, the variant: "Mazarra"), its field ("title", "text", "docket", "article",
// or "party", "judge" or "attorney" for a name) and its byte offsets in
// that field (for a name, in that name), ordered by field and offset, at
// most MaxHitTerms.
// A case: term that matched only Doc.Numbers gives a Term with that number
// as Text, field "docket" and both offsets 0.
//
// # Matching many queries
//
// An Index holds many queries and matches each document against all of them
// at once: every folded word of the document is looked up in a hash table of
// the queries' anchor words (one per phrase), and only the phrases found
// there are verified and only the queries with a matching term evaluated. A
// word with "~" is filed under its collapsed form and each form of it with
// one letter deleted; a text word is looked up the same way, so variants
// cost a few more hash probes per word rather than a scan of the watches.
// Set and Remove publish a new version of the table without blocking
// matches in progress.
package match

// Syntax is a short summary of the query syntax for /watch help.
const Syntax = `Abrego Garcia        the words together, in order (quotes too: "Abrego Garcia")
A OR B, A AND B      either / both; AND binds tighter; group with ( )
"Abrego Garcia" B    a quoted phrase ends a term: the same as "Abrego Garcia" AND B
A NOT B, A -B        A without B; -"a phrase" works too
negotiat*            words starting with negotiat (3+ letters before *)
"Joseph Mazzara~"    ~ after a word (5+ letters): also Mazarra, Mazara (one letter off)
case:8:25-cv-00951   that docket number in any usual form (25-cv-951, 8:25cv951…)
party:"Abrego Garcia" judge:Xinis attorney:Ensign   only in the docket's names
Case, accents, hyphens and punctuation are ignored; whole words only.
AND, OR, NOT only in upper case; "or" in quotes is a plain word.`
