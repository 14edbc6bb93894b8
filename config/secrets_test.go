package config

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSecretsStayOutOfStructuredOutput: a secret written as JSON or YAML,
// or logged by slog's text and JSON handlers (which use MarshalText), prints
// as <secret>.
func TestSecretsStayOutOfStructuredOutput(t *testing.T) {
	s := SecretsFromEnv(func(k string) string { return "xoxb-very-secret-" + k })
	var outs []string

	j, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	y, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(y))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("starting", "token", s.SlackBotToken, "secrets", s)
		outs = append(outs, b.String())
	}
	for _, out := range outs {
		if strings.Contains(out, "very-secret") {
			t.Errorf("secret leaked in %s", out)
		}
		// encoding/json writes < and > as \u003c and \u003e.
		if !strings.Contains(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(out), "<secret>") {
			t.Errorf("got %s, want the secrets shown as <secret>", out)
		}
	}
}
