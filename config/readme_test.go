package config

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// readmeConfig is the YAML reference of README.md's Configuration section.
func readmeConfig(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		tb.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Configuration\n")
	if !ok {
		tb.Fatal("README.md has no Configuration section")
	}
	_, block, ok := strings.Cut(section, "\n```yaml\n")
	if !ok {
		tb.Fatal("README.md's Configuration section has no yaml block")
	}
	block, _, _ = strings.Cut(block, "\n```")
	return []byte(block)
}

// structKeys lists the YAML paths t can hold: feeds.url for a key of every
// feed, channels.*.digest for a key under any map key.
func structKeys(t reflect.Type, path string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		if t.Kind() == reflect.Map {
			path += ".*"
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[Duration]() {
		return []string{path}
	}
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
		out = append(out, structKeys(f.Type, name)...)
	}
	return out
}

// nodeKeys lists the YAML paths written in n, in structKeys' form.
func nodeKeys(n *yaml.Node, path string, out map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			nodeKeys(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if path == "channels" {
				k = "*"
			}
			if path != "" {
				k = path + "." + k
			}
			out[k] = true
			nodeKeys(n.Content[i+1], k, out)
		}
	}
}

// TestREADMEConfigReference: the README's config reference is a valid file,
// and it shows every key there is.
func TestREADMEConfigReference(t *testing.T) {
	block := readmeConfig(t)
	if _, err := Parse(block); err != nil {
		t.Fatalf("README.md's config reference does not load: %v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(block, &doc); err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	nodeKeys(&doc, "", shown)
	keys := structKeys(reflect.TypeFor[Config](), "")
	slices.Sort(keys)
	for _, k := range keys {
		if !shown[k] {
			t.Errorf("README.md's config reference does not show %s", k)
		}
	}
}
