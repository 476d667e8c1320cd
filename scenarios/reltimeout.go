package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// RelTimeout is a step's client timeout written as a multiple of the median
// latency an earlier step measured on the same target: "7x sequential". It keeps
// a timeout meaningful on machines of different speed: a burst that should not
// time out on a fixed lock-free target still does not when every request takes
// twice as long, while requests queued behind a lock still do.
type RelTimeout struct {
	Factor float64 // above 0
	Step   string  // the earlier step whose median successful latency is scaled
}

// String writes the timeout as the file does ("7x sequential").
func (r RelTimeout) String() string {
	return strconv.FormatFloat(r.Factor, 'f', -1, 64) + "x " + r.Step
}

// Of returns the timeout for a measured median latency, at most the longest
// time.Duration.
func (r RelTimeout) Of(median time.Duration) time.Duration {
	d := math.Round(r.Factor * float64(median))
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(d)
}

// ParseRelTimeout reads "<factor>x <step>", ok false when s is not in that form
// (so that the caller may read it as a plain duration instead). A factor that is
// not a positive number is an error.
func ParseRelTimeout(s string) (r RelTimeout, ok bool, err error) {
	factor, step, found := strings.Cut(strings.TrimSpace(s), " ")
	if !found || !strings.HasSuffix(factor, "x") {
		return RelTimeout{}, false, nil
	}
	step = strings.TrimSpace(step)
	f, perr := strconv.ParseFloat(strings.TrimSuffix(factor, "x"), 64)
	switch {
	case perr != nil || math.IsNaN(f) || math.IsInf(f, 0):
		return RelTimeout{}, true, fmt.Errorf("%q: %q is not a factor (want e.g. 7x sequential)", s, factor)
	case f <= 0:
		return RelTimeout{}, true, fmt.Errorf("%q: the factor must be above 0", s)
	case step == "":
		return RelTimeout{}, true, fmt.Errorf("%q names no step (want e.g. 7x sequential)", s)
	}
	return RelTimeout{Factor: f, Step: step}, true, nil
}
