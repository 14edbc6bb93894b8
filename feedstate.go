package wirewatch

import "time"

// FeedState is what the poller keeps about a feed between polls.
type FeedState struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	BodyHash     string    `json:"body_hash,omitempty"`
	Title        string    `json:"title,omitempty"` // the feed's own title
	Seeded       bool      `json:"seeded"`          // the first poll is done
	LastPoll     time.Time `json:"last_poll,omitzero"`
	LastResult   string    `json:"last_result,omitempty"` // "ok", "not modified", "error"
	LastOK       time.Time `json:"last_ok,omitzero"`
	NextPoll     time.Time `json:"next_poll,omitzero"`
	Errors       int       `json:"errors"` // consecutive
	LastError    string    `json:"last_error,omitempty"`
	LastBuild    time.Time `json:"last_build,omitzero"` // channel lastBuildDate (PACER staleness)
	BuildSeen    time.Time `json:"build_seen,omitzero"` // when LastBuild last moved
	Stale        bool      `json:"stale,omitempty"`     // a court feed whose LastBuild stopped moving
	Items        int       `json:"items"`               // items in the last parsed body
	Skipped      int       `json:"skipped,omitempty"`   // items the reader could not use
}
