package main

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/wirewatch/wirewatch/bot/discord"
	"github.com/wirewatch/wirewatch/bot/slack"
	"github.com/wirewatch/wirewatch/config"
)

// printSettings writes one line per setting of c, named by its YAML path
// (poll.interval: 5m), defaults included, so check shows every key the file
// could set and what it is now. Feeds and watches, lists of their own, are
// left to the caller. It walks the Config struct, so a key added there is
// shown without a change here.
func printSettings(w io.Writer, c *config.Config) {
	settings(w, reflect.ValueOf(c).Elem(), "", c)
}

func settings(w io.Writer, v reflect.Value, path string, c *config.Config) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		key := config.KeyPath(path, name)
		fv := v.Field(i)
		switch {
		case key == "discord.gateway":
			fmt.Fprintf(w, "%s: %t\n", key, c.Discord.GatewayOn())
		case fv.Kind() == reflect.Struct:
			settings(w, fv, key, c)
		case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
			// feeds, watches: listed by the caller
		case fv.Kind() == reflect.Map:
			if fv.Len() == 0 {
				fmt.Fprintf(w, "%s: (none)\n", key)
				continue
			}
			keys := fv.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
			for _, k := range keys {
				sub := config.KeyPath(key, fmt.Sprint(k))
				mv := fv.MapIndex(k)
				if mv.Kind() == reflect.Struct {
					settings(w, mv, sub, c)
				} else {
					fmt.Fprintf(w, "%s: %s\n", sub, show(mv))
				}
			}
		case fv.IsZero() && adapterDefaults[key] != 0:
			fmt.Fprintf(w, "%s: %s\n", key, shortDuration(adapterDefaults[key]))
		default:
			fmt.Fprintf(w, "%s: %s\n", key, show(fv))
		}
	}
}

// adapterDefaults are the durations an adapter uses for a key left unset:
// check shows the value in force, which the config package cannot know.
var adapterDefaults = map[string]time.Duration{
	"slack.post_interval": slack.DefaultPostEvery,
	"slack.edit_interval": slack.DefaultEditEvery,
	"discord.cold_start":  discord.DefaultColdStart,
}

// show writes a value as it would be written in the file.
func show(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "(default)"
		}
		v = v.Elem()
	}
	if d, ok := v.Interface().(config.Duration); ok {
		if d == 0 {
			return "(default)"
		}
		return shortDuration(d.D())
	}
	switch v.Kind() {
	case reflect.Slice:
		var parts []string
		for i := range v.Len() {
			parts = append(parts, show(v.Index(i)))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
	}
	return fmt.Sprint(v.Interface())
}

// shortDuration writes d as the file would: 2160h, 1h30m, 90s (not
// 2160h0m0s).
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
