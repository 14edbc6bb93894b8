package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxKeyErrors bounds how many mistakes one check reports.
const maxKeyErrors = 20

var (
	durationType    = reflect.TypeFor[Duration]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	plainKey        = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// checkKeys walks the document against Config before it is decoded, so a
// mistake is named the way the user wrote it: its YAML path and line
// ("line 3: unknown key poll.intervall"), never a Go type ("in type
// config.Poll"), which is all the decoder can say.
func checkKeys(doc *yaml.Node) []error {
	k := keyChecker{}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		k.node(doc.Content[0], reflect.TypeFor[Config](), "")
	}
	return k.errs
}

type keyChecker struct{ errs []error }

func (k *keyChecker) bad(n *yaml.Node, path, format string, a ...any) {
	if len(k.errs) == maxKeyErrors {
		k.errs = append(k.errs, fmt.Errorf("(more mistakes not shown)"))
	}
	if len(k.errs) > maxKeyErrors {
		return
	}
	msg := fmt.Sprintf(format, a...)
	if path != "" {
		msg = path + ": " + msg
	}
	k.errs = append(k.errs, &lineError{line: n.Line, msg: msg})
}

// node checks n against a value of type t at path.
func (k *keyChecker) node(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the default
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			k.bad(n, path, "want a duration such as 90s, 5m or 1h30m, got %s", kindName(n))
		} else if _, err := time.ParseDuration(n.Value); err != nil {
			k.bad(n, path, "%q is not a duration (write it like 90s, 5m or 1h30m)", n.Value)
		}
		return
	case t.Kind() != reflect.Struct && reflect.PointerTo(t).Implements(unmarshalerType):
		return // a value with its own syntax says what is wrong with it
	}
	switch t.Kind() {
	case reflect.Struct:
		k.mapping(n, t, path)
	case reflect.Slice:
		switch {
		case n.Kind == yaml.SequenceNode:
			for i, item := range n.Content {
				k.node(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			}
		case n.Kind == yaml.ScalarNode && strings.HasSuffix(path, ".to"):
			// A watch's single destination may be written as a string.
		default:
			k.bad(n, path, "want a list, got %s", kindName(n))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			k.bad(n, path, "want keys and values, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k.node(n.Content[i+1], t.Elem(), KeyPath(path, n.Content[i].Value))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			k.bad(n, path, "%s is not true or false", valueName(n))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			k.bad(n, path, "%s is not a whole number", valueName(n))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			k.bad(n, path, "want a single value, got %s", kindName(n))
		}
	}
}

// mapping checks the keys of n against struct t's yaml names.
func (k *keyChecker) mapping(n *yaml.Node, t reflect.Type, path string) {
	fields := map[string]reflect.Type{}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = f.Type
		names = append(names, name)
	}
	if n.Kind != yaml.MappingNode {
		k.bad(n, path, "want keys (%s), got %s", strings.Join(names, ", "), kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		ft, ok := fields[key.Value]
		if !ok {
			where := "the file's keys are"
			if path != "" {
				where = path + " has"
			}
			hint := ""
			if l := strings.ToLower(key.Value); strings.Contains(l, "token") || strings.Contains(l, "secret") || strings.Contains(l, "key") {
				hint = "; secrets come from the environment only (SLACK_BOT_TOKEN, DISCORD_BOT_TOKEN… in the README), never from the file"
			}
			k.bad(key, "", "unknown key %s; %s %s%s", KeyPath(path, key.Value), where, strings.Join(names, ", "), hint)
			continue
		}
		k.node(value, ft, KeyPath(path, key.Value))
	}
}

// join writes the path of key under path, quoting keys that are not plain
// words (channels."slack:C0123456789").
func KeyPath(path, key string) string {
	if !plainKey.MatchString(key) {
		key = fmt.Sprintf("%q", key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "keys and values"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func valueName(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("%q", n.Value)
	}
	return kindName(n)
}
