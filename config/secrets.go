package config

import "os"

// Secret is a credential from the environment. It prints as "<secret>" so it
// cannot leak through a log line or an error.
type Secret string

func (Secret) String() string   { return "<secret>" }
func (Secret) GoString() string { return "<secret>" }

// MarshalText keeps secrets out of JSON and YAML output.
func (Secret) MarshalText() ([]byte, error) { return []byte("<secret>"), nil }

// Reveal returns the secret itself, for the one call that needs it.
func (s Secret) Reveal() string { return string(s) }

// Secrets are the credentials wirewatch reads from the environment.
type Secrets struct {
	SlackBotToken        Secret
	SlackSigningSecret   Secret
	SlackAppToken        Secret
	DiscordBotToken      Secret
	DiscordPublicKey     Secret
	CourtListenerToken   Secret
	CourtListenerWebhook Secret
}

// SecretsFromEnv reads the secrets from the environment via getenv (os.Getenv
// when nil).
func SecretsFromEnv(getenv func(string) string) Secrets {
	if getenv == nil {
		getenv = os.Getenv
	}
	return Secrets{
		SlackBotToken:        Secret(getenv("SLACK_BOT_TOKEN")),
		SlackSigningSecret:   Secret(getenv("SLACK_SIGNING_SECRET")),
		SlackAppToken:        Secret(getenv("SLACK_APP_TOKEN")),
		DiscordBotToken:      Secret(getenv("DISCORD_BOT_TOKEN")),
		DiscordPublicKey:     Secret(getenv("DISCORD_PUBLIC_KEY")),
		CourtListenerToken:   Secret(getenv("COURTLISTENER_TOKEN")),
		CourtListenerWebhook: Secret(getenv("COURTLISTENER_WEBHOOK_SECRET")),
	}
}
