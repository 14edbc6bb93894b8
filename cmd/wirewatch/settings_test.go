package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wirewatch/wirewatch/config"
)

// yamlKeys lists every setting of the Config struct by its YAML path, but
// not the keys inside feeds and watches, which check lists item by item.
func yamlKeys(t reflect.Type, path string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		if path != "" {
			name = path + "." + name
		}
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Struct:
			out = append(out, yamlKeys(ft, name)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
		default:
			out = append(out, name)
		}
	}
	return out
}

// TestCheckShowsEverySetting: check prints a line for every key of the
// file, defaults included, with the value in force.
func TestCheckShowsEverySetting(t *testing.T) {
	cfg := MustConfig(t, `timezone: America/New_York
retention: 720h
poll:
  interval: 90s
feeds:
  - url: https://a.example/rss
watches:
  - query: Xinis
    to: stdout
`)
	r := runCLI(t, "", "check", "-config", cfg)
	if r.code != 0 {
		t.Fatalf("check: code %d, stderr %s", r.code, r.stderr)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(r.stdout, "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			lines[k] = v
		}
	}
	keys := yamlKeys(reflect.TypeFor[config.Config](), "")
	if len(keys) < 15 {
		t.Fatalf("found only %d keys in config.Config: %v", len(keys), keys)
	}
	for _, k := range keys {
		if _, ok := lines[k]; !ok {
			t.Errorf("check prints no line for %s:\n%s", k, r.stdout)
		}
	}
	for k, want := range map[string]string{
		"timezone": "America/New_York", "retention": "720h", "poll.interval": "1m30s", "poll.timeout": "30s",
		"poll.workers": "16", "allow_private_feeds": "false", "log.level": "info", "discord.gateway": "true",
		"slack.admins": "[]", "http.listen": `""`, "courtlistener.api_url": config.DefaultCourtListener,
		"slack.post_interval": "1s", "slack.edit_interval": "1.2s", "discord.cold_start": "5s",
	} {
		if got := lines[k]; got != want {
			t.Errorf("check: %s: got %q, want %q", k, got, want)
		}
	}
}
