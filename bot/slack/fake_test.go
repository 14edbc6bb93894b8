package slack

import (
	"testing"

	"github.com/wirewatch/wirewatch/bot/slack/slacktest"
)

// fakeSlack is the shared stand-in, slacktest.Server, as this package's
// tests use it.
type fakeSlack struct {
	*slacktest.Server
}

func newFakeSlack(testing.TB) *fakeSlack {
	return &fakeSlack{slacktest.New(slacktest.Options{})}
}

// startHTTP serves the stand-in on loopback and returns its API URL.
func (f *fakeSlack) startHTTP(t testing.TB) string { return f.Start(t) }
