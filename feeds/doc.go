// Package feeds fetches and parses news feeds: RSS 0.9x/1.0/2.0, Atom and
// JSON Feed through gofeed, and court-docket feeds through readers that other
// packages supply.
//
// Fetching. Fetch makes one conditional GET (If-None-Match, If-Modified-Since)
// with the caller's User-Agent, gzip, at most MaxRedirects redirects, a
// connect and a total timeout and a body cap (MaxBody, 10 MiB by default; a
// larger body is an error for that feed only). A 200 whose body hashes the
// same as the previous one counts as not modified, so feeds that send no
// validators are skipped without a parse. Non-2xx answers are *HTTPError,
// with the server's Retry-After for 429 and 503.
//
// The SSRF guard. Feeds added from chat are untrusted: Fetch refuses, at dial
// time, every address that is loopback, private, link-local, multicast,
// unspecified or otherwise not globally routable, so redirects and DNS
// changes between polls are covered too. CheckURL vets a URL before it is
// stored.
//
// Items. Every item gets a stable ID: its GUID, else its canonical link, else
// a hash of its title and date. A GUID that repeats inside one feed document is
// not trusted and the item falls back to its link. Titles and summaries are
// plain text (tags stripped, entities decoded, whitespace collapsed), at most
// MaxTitle and MaxSummary bytes. Links are canonical (Canonical): tracking
// parameters removed, so the same story seen in two feeds is one; an anchor
// in the page ("#post-3") is put back on the link, so a live blog's entries
// keep apart by id and an alert opens at the entry, while Item.Key ignores it.
//
// Hostile documents. Before gofeed parses a document, Parse makes it UTF-8
// (a byte order mark, else UTF-16/32 by the shape of its first characters,
// else the XML declaration's encoding, decoded with x/text) and refuses, in
// one allocation-free pass, more than MaxDepth levels of nesting,
// MaxElements elements or MaxEntries items (ErrStructure): gofeed has no
// limits of its own and a 10 MiB body can cost it gigabytes.
//
// Dedup. Item.FeedKey (feed and id) tells items of one feed apart; Item.Key
// (the canonical link) recognises one story across feeds. The store counts
// an item new unless its FeedKey was seen, or its Key was first seen in
// another feed.
//
// Scheduling. NextPoll gives the next poll after a success, max(interval,
// TTL, Cache-Control/Expires), and after a failure an exponential backoff
// with jitter capped at MaxBackoff that is never shorter than the server's
// Retry-After; a failing feed is never given up on.
package feeds
