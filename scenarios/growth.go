package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Growth bounds how fast a resource of the target may grow during a step, as a
// soak measures it: the least-squares slope of the samples, per unit of time.
// It is written "<amount>/<period>":
//
//	20MB/min    memory: 20 megabytes a minute (B, KB, MB, GB are powers of 1000;
//	            KiB, MiB, GiB powers of 1024)
//	5/min       goroutines or file descriptors: five a minute
//	2%/min      any resource: 2% of its value at the start of the fit, a minute
//
// The period is s, min (or m), h, or a Go duration such as 10s.
type Growth struct {
	// Amount is the growth allowed per Per: bytes when Bytes, a fraction of the
	// starting value when Relative (0.02 = 2%), else a count.
	Amount   float64
	Bytes    bool
	Relative bool
	Per      time.Duration
}

// sizeUnits are the memory units ParseGrowth accepts, matched without regard to case.
var sizeUnits = []struct {
	name  string
	bytes float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"b", 1},
}

// ParseGrowth reads a growth bound written as Growth documents: "20MB/min",
// "5/min", "2%/min", "1MiB/10s". The amount may not be negative.
func ParseGrowth(s string) (Growth, error) {
	bad := func(why string) (Growth, error) {
		return Growth{}, fmt.Errorf("%q is not a growth bound (%s; want e.g. 20MB/min, 5/min or 2%%/min)", s, why)
	}
	amountText, perText, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return bad("no /period")
	}
	var g Growth
	amountText = strings.TrimSpace(amountText)
	num := strings.TrimRightFunc(amountText, func(r rune) bool { return r == '%' || unicode.IsLetter(r) })
	unit := strings.TrimSpace(amountText[len(num):])
	num = strings.TrimSpace(num)
	scale := 1.0
	switch lower := strings.ToLower(unit); {
	case unit == "":
	case unit == "%":
		g.Relative, scale = true, 0.01
	default:
		found := false
		for _, u := range sizeUnits {
			if lower == u.name {
				g.Bytes, scale, found = true, u.bytes, true
				break
			}
		}
		if !found {
			return bad(fmt.Sprintf("unknown unit %q", unit))
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return bad("the amount is not a number")
	}
	if v < 0 {
		return bad("the amount is negative")
	}
	g.Amount = v * scale
	switch p := strings.TrimSpace(perText); p {
	case "s", "sec":
		g.Per = time.Second
	case "m", "min":
		g.Per = time.Minute
	case "h":
		g.Per = time.Hour
	default:
		d, err := time.ParseDuration(p)
		if err != nil || d <= 0 {
			return bad(fmt.Sprintf("%q is not a period", p))
		}
		g.Per = d
	}
	return g, nil
}

// IsZero reports whether the bound is unset.
func (g Growth) IsZero() bool { return g.Per == 0 }

// PerMinute returns the bound as an amount per minute (bytes, a count, or a fraction).
func (g Growth) PerMinute() float64 {
	if g.Per <= 0 {
		return 0
	}
	return g.Amount * float64(time.Minute) / float64(g.Per)
}

// String writes the bound as ParseGrowth reads it: "20MB/min", "5/min", "2%/min"
// (memory in the largest decimal unit that keeps the amount at least 1).
func (g Growth) String() string {
	var amount string
	switch {
	case g.Relative:
		amount = strconv.FormatFloat(g.Amount*100, 'f', -1, 64) + "%"
	case g.Bytes:
		amount = FormatBytes(g.Amount)
	default:
		amount = strconv.FormatFloat(g.Amount, 'f', -1, 64)
	}
	var per string
	switch g.Per {
	case time.Second:
		per = "s"
	case time.Minute:
		per = "min"
	case time.Hour:
		per = "h"
	default:
		per = g.Per.String()
	}
	return amount + "/" + per
}

// FormatBytes writes a byte count in the largest decimal unit (B, KB, MB, GB) that
// keeps it at least 1, with up to three significant decimals: "20MB", "1.5GB".
func FormatBytes(b float64) string {
	units := []struct {
		name string
		size float64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}}
	for _, u := range units {
		if v := math.Round(b/u.size*1000) / 1000; math.Abs(v) >= 1 {
			return strconv.FormatFloat(v, 'f', -1, 64) + u.name
		}
	}
	return strconv.FormatFloat(math.Round(b*1000)/1000, 'f', -1, 64) + "B"
}

// MarshalText writes the bound as String does.
func (g Growth) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads a bound written as ParseGrowth accepts.
func (g *Growth) UnmarshalText(text []byte) error {
	v, err := ParseGrowth(string(text))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// MarshalJSON writes the bound as a JSON string ("20MB/min").
func (g Growth) MarshalJSON() ([]byte, error) { return json.Marshal(g.String()) }

// UnmarshalJSON reads a JSON string written as ParseGrowth accepts.
func (g *Growth) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("growth %s: want a string such as \"20MB/min\": %w", data, err)
	}
	return g.UnmarshalText([]byte(s))
}

// UnmarshalYAML reads a bound from a YAML scalar ("20MB/min"); null leaves it unchanged.
func (g *Growth) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalarText(n, "a growth bound such as 20MB/min")
	if err != nil || s == nil {
		return err
	}
	return g.UnmarshalText([]byte(*s))
}
