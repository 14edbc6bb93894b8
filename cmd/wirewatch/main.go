// Command wirewatch polls news and court-docket feeds, matches new items
// against watches and posts threaded alerts to Slack, Discord or stdout.
// See the README for the commands and the configuration file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Signals become context cancellation and nothing more; the commands
	// shut down from there.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(cli(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
}
