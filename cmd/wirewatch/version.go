package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

// userAgent names wirewatch and its version to the feeds' servers.
func userAgent() string {
	return "wirewatch/" + version + " (+https://github.com/wirewatch/wirewatch)"
}

func versionInfo() string {
	s := fmt.Sprintf("wirewatch %s %s %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" {
			s += " commit " + rev[:min(12, len(rev))] + dirty
		}
	}
	return s
}
