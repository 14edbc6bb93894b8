package discord

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/wirewatch/wirewatch/bot/discord/discordtest"
)

// fakeDiscord is the shared Discord stand-in (package discordtest) with
// the helpers this package's tests use.
type fakeDiscord struct {
	*discordtest.Server
	edits chan fakeReq // interaction reply edits, as they come
}

type fakeReq = discordtest.Request

// fakeToken is the bot token the stand-in requires.
const fakeToken = "test"

func newFake(t *testing.T) *fakeDiscord {
	s := discordtest.New(t, fakeToken)
	return &fakeDiscord{Server: s, edits: s.Edits}
}

// adapter builds a Discord adapter whose requests all go to the fake.
func (f *fakeDiscord) adapter(t *testing.T, mod func(*Options)) *Discord {
	t.Helper()
	o := Options{
		APIURL:        f.URL,
		Token:         fakeToken,
		ApplicationID: "555",
		TimeZone:      time.UTC,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		ColdStart:     -1, // every test adapter is a fresh process
	}
	if mod != nil {
		mod(&o)
	}
	d, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

func (f *fakeDiscord) requests(method, prefix string) []fakeReq {
	return f.Requests(method, prefix)
}

// thread is thread id as the stand-in has it, or nil.
func (f *fakeDiscord) thread(id string) *discordtest.Thread {
	th, ok := f.Thread(id)
	if !ok {
		return nil
	}
	return &th
}

// content is message id's content ("" when there is none).
func (f *fakeDiscord) content(id string) string {
	m, _ := f.Message(id)
	return m.Content
}

func (f *fakeDiscord) setThread(id string, fn func(*discordtest.Thread)) {
	if !f.UpdateThread(id, fn) {
		panic("no thread " + id)
	}
}
