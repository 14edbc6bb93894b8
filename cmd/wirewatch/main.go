// Command wirewatch polls news and court-docket feeds, matches new items
// against watches and posts threaded alerts to Slack, Discord or stdout.
// See the README for the commands and the configuration file.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/wirewatch/wirewatch/feeds"
)

func main() {
	feeds.SetGC(os.Getenv)
	os.Exit(runMain(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
}

// runMain runs one command with SIGINT and SIGTERM turned into context
// cancellation and nothing more; the commands shut down from there, and a
// daemon stopped so exits 0. Once the first signal is in, the next one is no
// longer caught: a second Ctrl-C ends a shutdown that hangs.
func runMain(args []string, e env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	return cli(ctx, args, e)
}
