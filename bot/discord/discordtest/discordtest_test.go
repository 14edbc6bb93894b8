package discordtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// post sends a message body to channel ch with token and returns the
// status and the message id answered.
func post(t *testing.T, s *Server, token, ch, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"api/v9/channels/"+ch+"/messages", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bot "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m struct{ ID string }
	json.Unmarshal(b, &m)
	return resp.StatusCode, m.ID
}

const msg = `{"content":"x","allowed_mentions":{"parse":[]}`

func TestNonce(t *testing.T) {
	s := New(t, "")
	s.AddChannel(Channel{ID: "1", Type: discordgo.ChannelTypeGuildText})
	s.AddChannel(Channel{ID: "2", Type: discordgo.ChannelTypeGuildText})
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	s.SetNow(func() time.Time { return now })

	_, a := post(t, s, "tok", "1", msg+`,"nonce":"n1","enforce_nonce":true}`)
	_, b := post(t, s, "tok", "1", msg+`,"nonce":"n1","enforce_nonce":true}`)
	if a == "" || a != b || len(s.Messages("")) != 1 {
		t.Fatalf("same nonce twice: ids %q %q, %d messages; want one message returned twice", a, b, len(s.Messages("")))
	}
	// Discord matches the author's nonces, in any channel.
	if _, c := post(t, s, "tok", "2", msg+`,"nonce":"n1","enforce_nonce":true}`); c != a {
		t.Errorf("same author, same nonce, other channel: id %q, want %q", c, a)
	}
	// Another author, or no enforce_nonce: a new message.
	if _, c := post(t, s, "other", "1", msg+`,"nonce":"n1","enforce_nonce":true}`); c == a {
		t.Error("another author's nonce returned our message")
	}
	if _, c := post(t, s, "tok", "1", msg+`,"nonce":"n1"}`); c == a {
		t.Error("a nonce without enforce_nonce returned the old message")
	}
	// After the window, the nonce is forgotten.
	now = now.Add(NonceWindow)
	if _, c := post(t, s, "tok", "1", msg+`,"nonce":"n1","enforce_nonce":true}`); c == a {
		t.Error("a nonce older than the window returned the old message")
	}
	if code, _ := post(t, s, "tok", "1", msg+`,"nonce":"12345678901234567890123456","enforce_nonce":true}`); code != 400 {
		t.Errorf("a 26-character nonce: HTTP %d, want 400", code)
	}
}

func TestToken(t *testing.T) {
	s := New(t, "right")
	s.AddChannel(Channel{ID: "1", Type: discordgo.ChannelTypeGuildText})
	if code, _ := post(t, s, "wrong", "1", msg+`}`); code != 401 {
		t.Errorf("wrong token: HTTP %d, want 401", code)
	}
	if code, _ := post(t, s, "right", "1", msg+`}`); code != 200 {
		t.Errorf("right token: HTTP %d, want 200", code)
	}
}

func TestArchivedThread(t *testing.T) {
	s := New(t, "")
	s.AddChannel(Channel{ID: "1", Type: discordgo.ChannelTypeGuildText})
	s.AddThread(Thread{ID: "9", Parent: "1", Archived: true})
	if code, _ := post(t, s, "tok", "9", msg+`}`); code != 200 {
		t.Fatalf("post in an archived thread: HTTP %d, want 200", code)
	}
	if th, _ := s.Thread("9"); th.Archived {
		t.Error("posting did not reopen the archived thread")
	}
	s.UpdateThread("9", func(th *Thread) { th.Locked = true })
	if code, _ := post(t, s, "tok", "9", msg+`}`); code != 400 {
		t.Errorf("post in a locked thread: HTTP %d, want 400 (160005)", code)
	}
}

func TestMessageLimit(t *testing.T) {
	s := New(t, "")
	s.AddChannel(Channel{ID: "1", Type: discordgo.ChannelTypeGuildText})
	s.AddChannel(Channel{ID: "2", Type: discordgo.ChannelTypeGuildText})
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	s.SetNow(func() time.Time { return now })
	s.SetMessageLimit(2, 5*time.Second)
	for i, want := range []int{200, 200, 429} {
		if code, _ := post(t, s, "tok", "1", msg+`}`); code != want {
			t.Errorf("post %d: HTTP %d, want %d", i+1, code, want)
		}
	}
	if code, _ := post(t, s, "tok", "2", msg+`}`); code != 200 {
		t.Errorf("another channel: HTTP %d, want 200", code)
	}
	now = now.Add(5 * time.Second)
	if code, _ := post(t, s, "tok", "1", msg+`}`); code != 200 {
		t.Errorf("after the window: HTTP %d, want 200", code)
	}
	if n := s.TooMany(); n != 1 {
		t.Errorf("TooMany = %d, want 1", n)
	}
}
