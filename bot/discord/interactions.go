package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/wirewatch/wirewatch"
)

const (
	// signatureWindow is how far X-Signature-Timestamp may be from now, in
	// either direction. discordgo.VerifyInteraction checks no age at all.
	signatureWindow = 5 * time.Minute
	// maxInteraction bounds the body of one interaction.
	maxInteraction = 256 << 10
)

func parsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("DISCORD_PUBLIC_KEY: want %d bytes in hex, as the developer portal shows it", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// verify checks Discord's Ed25519 signature over timestamp+body and that
// the timestamp is within signatureWindow of now.
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
func verify(key ed25519.PublicKey, now time.Time, sigHex, ts string, body []byte) error {
	if len(key) != ed25519.PublicKeySize {
		return errors.New("no public key configured (DISCORD_PUBLIC_KEY)")
	}
	if sigHex == "" || ts == "" {
		return errors.New("missing X-Signature-Ed25519 or X-Signature-Timestamp")
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("malformed signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("malformed timestamp")
	}
	if age := now.Sub(time.Unix(sec, 0)); age > signatureWindow || age < -signatureWindow {
		return fmt.Errorf("timestamp %s away from now, outside ±%s", age.Round(time.Second), signatureWindow)
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return errors.New("bad signature")
	}
	return nil
}

// interactionLife is how long Discord may deliver an interaction: its token
// is valid for 15 minutes
// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object).
const interactionLife = 15 * time.Minute

// alreadyHandled answers an interaction delivered a second time.
const alreadyHandled = "This command was already handled; a repeated delivery of it is not run again."

// firstDelivery reports whether interaction i (whose ids Discord never
// reuses) is seen for the first time, over HTTP or the gateway, and then
// remembers it until expires. A copy is logged and must not be run: the
// same signed request replayed, or the gateway replaying events on resume.
func (d *Discord) firstDelivery(i *discordgo.Interaction, expires time.Time) bool {
	if i.Type == discordgo.InteractionPing {
		return true
	}
	if d.replays.First(i.ID, d.now(), expires) {
		return true
	}
	d.log.Warn("discord interaction already handled: not run again", "interaction_id", i.ID)
	return false
}

// InteractionsHandler serves POST /discord/interactions, Discord's HTTP
// interactions endpoint: requests are verified (Ed25519 with
// DISCORD_PUBLIC_KEY, timestamp within 5 minutes) and refused with 401
// otherwise; PING gets PONG; commands are answered inline, or deferred and
// finished through the REST API when they take longer.
func (d *Discord) InteractionsHandler(c wirewatch.Commander) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteraction))
		if err != nil {
			http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if d.publicKey == nil {
			d.noKeyOnce.Do(func() {
				d.log.Error("discord interactions endpoint called but DISCORD_PUBLIC_KEY is not set: refusing every request")
			})
		}
		if err := verify(d.publicKey, d.now(), r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body); err != nil {
			// Discord itself sends bad signatures to check we refuse them:
			// not worth more than a debug line.
			d.log.Debug("discord interaction refused", "err", err)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "malformed interaction", http.StatusBadRequest)
			return
		}
		// The signature is accepted for signatureWindow after its
		// timestamp: remember the interaction that long.
		sec, _ := strconv.ParseInt(r.Header.Get("X-Signature-Timestamp"), 10, 64)
		var resp *discordgo.InteractionResponse
		var later func()
		if d.firstDelivery(&i, time.Unix(sec, 0).Add(signatureWindow)) {
			resp, later = d.answer(r.Context(), c, &i)
		} else {
			resp = ephemeral(alreadyHandled)
		}
		b, err := json.Marshal(resp)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		if later != nil {
			go later()
		}
	})
}
