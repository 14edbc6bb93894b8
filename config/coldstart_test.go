package config

import (
	"strings"
	"testing"
	"time"
)

func TestDiscordColdStart(t *testing.T) {
	c, err := Parse([]byte("discord:\n  cold_start: 250ms\n"))
	if err != nil || c.Discord.ColdStart.D() != 250*time.Millisecond {
		t.Fatalf("cold_start 250ms: %v, %v", c.Discord.ColdStart.D(), err)
	}
	for _, bad := range []string{"2m", "-1s"} {
		if _, err := Parse([]byte("discord:\n  cold_start: " + bad + "\n")); err == nil || !strings.Contains(err.Error(), "discord.cold_start") {
			t.Errorf("cold_start %s: err %v, want one naming discord.cold_start", bad, err)
		}
	}
}
