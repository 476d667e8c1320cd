package scenarios

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ParseRate reads a rate written as vegeta's -rate flag takes it: "20/s", "300/m",
// "5/100ms", or a bare "20" meaning 20 per second. A frequency of 0 gives the zero
// Rate (unset); a negative frequency or a period that is not positive is an error.
func ParseRate(s string) (Rate, error) {
	bad := func() (Rate, error) {
		return Rate{}, fmt.Errorf("%q is not a rate (want N/s, N/m or N/<duration>)", s)
	}
	freqText, perText, hasPer := strings.Cut(strings.TrimSpace(s), "/")
	freq, err := strconv.Atoi(freqText)
	if err != nil || freq < 0 {
		return bad()
	}
	per := time.Second
	if hasPer {
		switch perText {
		case "ns", "us", "µs", "ms", "s", "m", "h":
			perText = "1" + perText
		}
		per, err = time.ParseDuration(perText)
		if err != nil || per <= 0 {
			return bad()
		}
	}
	if freq == 0 {
		return Rate{}, nil
	}
	return Rate{Freq: freq, Per: per}, nil
}

// IsZero reports whether the rate is unset (no frequency).
func (r Rate) IsZero() bool { return r.Freq == 0 }

// String writes the rate as ParseRate reads it: "20/s", "300/m", "5/100ms", or "0"
// for the zero Rate.
func (r Rate) String() string {
	if r.Freq == 0 || r.Per <= 0 {
		return "0"
	}
	var per string
	switch r.Per {
	case time.Second:
		per = "s"
	case time.Minute:
		per = "m"
	case time.Hour:
		per = "h"
	default:
		per = r.Per.String()
	}
	return strconv.Itoa(r.Freq) + "/" + per
}

// MarshalText writes the rate as String does.
func (r Rate) MarshalText() ([]byte, error) {
	return []byte(r.String()), nil
}

// UnmarshalText reads a rate written as ParseRate accepts.
func (r *Rate) UnmarshalText(text []byte) error {
	v, err := ParseRate(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalJSON writes the rate as a JSON string ("20/s").
func (r Rate) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.String())
}

// UnmarshalJSON reads a JSON string written as ParseRate accepts, or a bare
// JSON number meaning requests per second.
func (r *Rate) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("rate %s: want a string such as \"20/s\": %w", data, err)
		}
		s = n.String()
	}
	return r.UnmarshalText([]byte(s))
}

// UnmarshalYAML reads a rate from a YAML scalar ("20/s" or 20); null leaves it unchanged.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n, "a rate such as 20/s")
	if err != nil || s == nil {
		return err
	}
	return r.UnmarshalText([]byte(*s))
}
