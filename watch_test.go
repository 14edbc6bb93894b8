package wirewatch

import (
	"strings"
	"testing"
)

func TestParseDestination(t *testing.T) {
	for _, tc := range []struct {
		in, wantErr string // wantErr "": accepted
	}{
		{in: "stdout"},
		{in: "slack:C0123456789"},
		{in: "slack:G01AB2CD3E"},
		{in: "discord:112233445566778899"},
		{in: "slack:general", wantErr: `"general" is not a Slack channel id; write the id`},
		{in: "slack:#general", wantErr: "C0123456789"},
		{in: "slack:c0123456789", wantErr: "not a Slack channel id"},
		{in: "slack:1C", wantErr: "not a Slack channel id"},
		{in: "discord:general", wantErr: `"general" is not a Discord channel id; write the id, a number`},
		{in: "discord:12ab", wantErr: "Copy Channel ID"},
		{in: "slack:", wantErr: "missing"},
		{in: "email:x@example.org", wantErr: "want stdout, slack:<channel id> or discord:<channel id>"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDestination(tc.in)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v, want accepted", err)
			case tc.wantErr == "" && string(d) != tc.in:
				t.Fatalf("got %q, want %q", d, tc.in)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}
