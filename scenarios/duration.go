package scenarios

import (
	"encoding/json"
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// ParseDuration reads a duration as Go writes it: "10s", "250ms", "1m30s".
// A bare number other than "0" is an error, so that "10" is never read as 10ns.
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return Duration{}, fmt.Errorf("%q is not a duration (want e.g. 10s, 250ms or 1m30s)", s)
	}
	return Duration{d}, nil
}

// MarshalText writes the duration as time.Duration.String does ("10s", "1m30s").
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.Duration.String()), nil
}

// UnmarshalText reads a duration written as ParseDuration accepts.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes the duration as a JSON string ("10s").
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.Duration.String())
}

// UnmarshalJSON reads a JSON string written as ParseDuration accepts.
func (d *Duration) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("duration %s: want a string such as \"10s\": %w", data, err)
	}
	return d.UnmarshalText([]byte(s))
}

// UnmarshalYAML reads a duration from a YAML scalar ("10s"); null leaves it unchanged.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n, "a duration such as 10s")
	if err != nil || s == nil {
		return err
	}
	return d.UnmarshalText([]byte(*s))
}

// scalarText returns a scalar node's text, nil for null, or an error naming what
// was wanted instead of a mapping or sequence.
func scalarText(n *yaml.Node, want string) (*string, error) {
	n = resolveAlias(n)
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("got a %s, want %s", kindName(n), want)
	}
	if n.Tag == nullTag {
		return nil, nil
	}
	return &n.Value, nil
}
