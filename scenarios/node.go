package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file holds the decoder's generic walk over yaml.Node trees: aliases,
// mappings with merge keys, lists and scalars, each recording a problem at its
// field path instead of stopping. decode.go applies it to the scenario's types.

// YAML tags the decoder looks at.
const (
	nullTag  = "!!null"
	boolTag  = "!!bool"
	intTag   = "!!int"
	floatTag = "!!float"
	mergeTag = "!!merge"
)

// decoder turns a yaml.Node tree into a Scenario, recording a problem for every
// value it cannot take and the line of every field it sees.
type decoder struct {
	*problems
	// lines maps each field path that holds a non-null value to its line.
	lines map[string]int
	// merging holds the mappings whose merge keys are being expanded, so that a
	// mapping merging itself through an anchor is caught rather than followed forever.
	merging map[*yaml.Node]bool
	// visited counts the entries walked; aliases and merge keys can make a small
	// file expand without bound, so the walk stops at maxVisits.
	visited int
}

// maxVisits bounds the entries one decode walks: far more than any real scenario
// holds (the shipped ones hold under a hundred), far fewer than aliases could make.
const maxVisits = 1 << 16

// visit counts n more entries and reports whether the walk may go on, recording
// one problem when it may not.
func (d *decoder) visit(n int, line int, path string) bool {
	if d.visited > maxVisits {
		return false
	}
	d.visited += n
	if d.visited > maxVisits {
		d.add(line, path, "more than %d values, counting every use of an alias or merge key", maxVisits)
		return false
	}
	return true
}

// pair is one key and value of a mapping, with the key's field path.
type pair struct {
	key  string
	path string
	line int
	val  *yaml.Node
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	// An alias of an alias is rejected by the parser, so one hop is enough;
	// the bound guards against a hand-built cycle.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.DocumentNode:
		return "document"
	case yaml.AliasNode:
		return "alias"
	}
	switch n.Tag {
	case nullTag:
		return "null"
	case boolTag:
		return "boolean"
	case intTag:
		return "whole number"
	case floatTag:
		return "number"
	}
	return "string"
}

func isNull(n *yaml.Node) bool {
	n = resolveAlias(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == nullTag)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// pairs returns the entries of a mapping node, with merge keys ("<<: *anchor")
// expanded so that keys written in the mapping itself win. It records a problem
// for a node that is not a mapping and for a key written twice.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		d.add(n.Line, path, "got a %s, want a mapping of keys to values", kindName(n))
		return nil
	}
	if d.merging[n] {
		d.add(n.Line, path, "a merge key (<<) refers back to its own mapping")
		return nil
	}
	if !d.visit(len(n.Content)/2, n.Line, path) {
		return nil
	}
	d.merging[n] = true
	defer delete(d.merging, n)
	var own, merged []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolveAlias(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, path, "got a %s as a key, want a name", kindName(k))
			continue
		}
		if k.Tag == mergeTag {
			merged = append(merged, d.merge(v, path)...)
			continue
		}
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, p, "key written twice (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		own = append(own, pair{key: k.Value, path: p, line: k.Line, val: v})
	}
	for _, m := range merged {
		if _, ok := seen[m.key]; !ok {
			seen[m.key] = m.line
			own = append(own, m)
		}
	}
	return own
}

// merge returns the entries a merge key brings in: one mapping or a list of them,
// earlier mappings winning over later ones.
func (d *decoder) merge(v *yaml.Node, path string) []pair {
	v = resolveAlias(v)
	if v.Kind != yaml.SequenceNode {
		return d.pairs(v, path)
	}
	if !d.visit(len(v.Content), v.Line, path) {
		return nil
	}
	var out []pair
	have := map[string]bool{}
	for _, item := range v.Content {
		for _, p := range d.pairs(item, path) {
			if !have[p.key] {
				have[p.key] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// fields walks a mapping whose keys must be among valid, calling set for each
// entry with a non-null value and recording its line.
func (d *decoder) fields(n *yaml.Node, path string, valid []string, set func(p pair)) {
	for _, p := range d.pairs(n, path) {
		if !contains(valid, p.key) {
			d.add(p.line, p.path, "unknown key%s; valid keys are %s", suggest(p.key, valid), strings.Join(valid, ", "))
			continue
		}
		if isNull(p.val) {
			continue
		}
		d.lines[p.path] = p.line
		set(p)
	}
}

// items returns the elements of a list node, recording a problem for anything else.
func (d *decoder) items(n *yaml.Node, path string) []*yaml.Node {
	n = resolveAlias(n)
	if n.Kind != yaml.SequenceNode {
		d.add(n.Line, path, "got a %s, want a list", kindName(n))
		return nil
	}
	if !d.visit(len(n.Content), n.Line, path) {
		return nil
	}
	return n.Content
}

func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	s, err := scalarText(n, want)
	if err != nil {
		d.add(n.Line, path, "%v", err)
		return "", false
	}
	if s == nil {
		return "", false
	}
	return *s, true
}

func (d *decoder) str(n *yaml.Node, path string) string {
	s, _ := d.scalar(n, path, "a string")
	return s
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	s, ok := d.scalar(n, path, "true or false")
	if !ok {
		return false
	}
	if resolveAlias(n).Tag != boolTag {
		d.add(n.Line, path, "%q is not true or false", s)
		return false
	}
	var b bool
	if err := resolveAlias(n).Decode(&b); err != nil {
		d.add(n.Line, path, "%q is not true or false", s)
	}
	return b
}

func (d *decoder) integer(n *yaml.Node, path string) int {
	s, ok := d.scalar(n, path, "a whole number")
	if !ok {
		return 0
	}
	var i int
	if resolveAlias(n).Tag != intTag || resolveAlias(n).Decode(&i) != nil {
		d.add(n.Line, path, "%q is not a whole number", s)
		return 0
	}
	return i
}

func (d *decoder) number(n *yaml.Node, path string) float64 {
	s, ok := d.scalar(n, path, "a number")
	if !ok {
		return 0
	}
	var f float64
	tag := resolveAlias(n).Tag
	if (tag != intTag && tag != floatTag) || resolveAlias(n).Decode(&f) != nil {
		d.add(n.Line, path, "%q is not a number", s)
		return 0
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.add(n.Line, path, "%q is not a finite number", s)
		return 0
	}
	return f
}

// yamlValue is a value type whose pointer reads itself from a YAML node.
type yamlValue[T any] interface {
	*T
	UnmarshalYAML(*yaml.Node) error
}

// value reads a Duration, Rate or Growth, recording its error at path.
func value[T any, P yamlValue[T]](d *decoder, n *yaml.Node, path string) T {
	var v T
	if err := P(&v).UnmarshalYAML(n); err != nil {
		d.add(n.Line, path, "%v", err)
	}
	return v
}

func (d *decoder) duration(n *yaml.Node, path string) Duration { return value[Duration](d, n, path) }

// stepTimeout reads a step's timeout: a duration, or a multiple of an earlier
// step's median latency ("7x sequential").
func (d *decoder) stepTimeout(n *yaml.Node, path string) (Duration, *RelTimeout) {
	s, err := scalarText(n, "a duration such as 10s, or 7x sequential")
	if err != nil || s == nil {
		return d.duration(n, path), nil // reports the error, or leaves a null unset
	}
	rel, ok, err := ParseRelTimeout(*s)
	switch {
	case ok && err != nil:
		d.add(n.Line, path, "%v", err)
		return Duration{}, nil
	case ok:
		return Duration{}, &rel
	}
	v, err := ParseDuration(*s)
	if err != nil {
		d.add(n.Line, path, "%q is neither a duration (10s, 250ms) nor a multiple of an earlier step's latency (7x sequential)", *s)
	}
	return v, nil
}

func (d *decoder) rate(n *yaml.Node, path string) Rate { return value[Rate](d, n, path) }

func (d *decoder) growth(n *yaml.Node, path string) Growth { return value[Growth](d, n, path) }

// list reads a sequence with each, recording every item's line.
func list[T any](d *decoder, n *yaml.Node, path string, each func(*yaml.Node, string) T) []T {
	items := d.items(n, path)
	out := make([]T, 0, len(items))
	for i, item := range items {
		p := index(path, i)
		d.lines[p] = item.Line
		out = append(out, each(item, p))
	}
	return out
}

func (d *decoder) strings(n *yaml.Node, path string) []string { return list(d, n, path, d.str) }

func (d *decoder) integers(n *yaml.Node, path string) []int { return list(d, n, path, d.integer) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// suggest returns ` (did you mean "x"?)` for the valid name closest to s, when one
// is within a couple of edits, else "".
func suggest(s string, valid []string) string {
	best, bestDist := "", 3
	for _, v := range valid {
		if d := editDistance(strings.ToLower(s), v); d < bestDist {
			best, bestDist = v, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
