package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadFile reads, defaults and validates the scenario file at path; errors name
// path as given. A file that cannot be opened or read gives a wrapped os error;
// every problem in its content gives an *Error (see Load).
func LoadFile(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	return Load(f, path)
}

// Load reads one scenario from r, fills in defaults and validates it. file names
// the source in error messages and becomes Scenario.File.
//
// Decoding is strict: unknown keys, keys written twice, values of the wrong type
// and every rule of Validate are problems. Load reports all of them at once: a
// single *Error, or several joined with errors.Join and sorted by line, each
// formatted "file:line: field: msg". Only a failure to read r is returned as a
// plain wrapped error.
func Load(r io.Reader, file string) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: read: %w", file, err)
	}
	p := &problems{file: file}
	if len(data) > MaxFileSize {
		p.add(0, "", "larger than %d bytes; a scenario file is a page of YAML", MaxFileSize)
		return nil, p.err()
	}
	root := parse(data, p)
	if root == nil {
		return nil, p.err()
	}
	if root.Kind != yaml.MappingNode {
		// Nothing below a list or a scalar can be checked; say only that.
		p.add(root.Line, "", "got a %s, want a mapping of keys to values (name, target, steps, ...)", kindName(root))
		return nil, p.err()
	}
	d := &decoder{problems: p, lines: map[string]int{"": root.Line}, merging: map[*yaml.Node]bool{}}
	s := d.scenario(root)
	s.File = file
	s.lines = d.lines
	s.ApplyDefaults()

	// Checks on a field that already failed to decode would only repeat the
	// problem in other words, so they are dropped.
	decoded := &problems{file: file, list: p.list}
	v := newValidator(&s)
	v.validate()
	for _, e := range v.list {
		if !decoded.has(e.Field) {
			p.add(e.Line, e.Field, "%s", e.Msg)
		}
	}
	p.dropped += v.dropped
	if err := p.err(); err != nil {
		return nil, err
	}
	return &s, nil
}

// parse returns the root node of the only YAML document in data, or nil after
// recording why there is none.
func parse(data []byte, p *problems) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(0, "", "empty file: a scenario needs at least a target and steps")
		} else {
			syntaxError(p, err)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.add(extra.Line, "", "a second YAML document: a scenario file holds one (remove the ---)")
		return nil
	case !errors.Is(err, io.EOF):
		syntaxError(p, err)
		return nil
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		p.add(doc.Line, "", "empty document: a scenario needs at least a target and steps")
		return nil
	}
	return resolveAlias(doc.Content[0])
}

// yamlLine matches the line number yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// syntaxError records a yaml.v3 parse error as a problem on its line.
func syntaxError(p *problems, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	p.add(line, "", "invalid YAML: %s", msg)
}
