package reports

import (
	"math"
	"strconv"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Outcome is the class of one request's result. Timeouts are kept apart from other
// failures because a queue behind a lock shows up as timeouts first.
type Outcome int

// The outcome classes: a success, the target's failures from the mildest, then
// the requests the run itself cut off.
const (
	OK        Outcome = iota // 2xx or 3xx
	Timeout                  // the client timeout fired before the response arrived
	Refused                  // the connection was refused or reset: the target is down
	Client4xx                // the target answered 4xx
	Server5xx                // the target answered 5xx
	OtherErr                 // anything else, such as a response failing request.expect
	// Cancelled requests were in flight when the run was stopped (Ctrl-C, q in
	// the dashboard): neither the target's failure nor a success, so they are
	// counted apart, as interrupted iterations are in k6.
	Cancelled

	// NumOutcomes is the number of classes, for arrays indexed by Outcome.
	NumOutcomes = int(Cancelled) + 1
)

// RunStoppedError is the error the runner records for a request cut off because
// the run was stopped; Classify counts it as Cancelled.
const RunStoppedError = "request cancelled: the run was stopped"

var outcomeNames = [NumOutcomes]string{"ok", "timeout", "refused", "4xx", "5xx", "other", "cancelled"}

// String returns the outcome's short name as used in reports ("ok", "timeout", ...).
func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return "outcome(" + strconv.Itoa(int(o)) + ")"
	}
	return outcomeNames[o]
}

// Classify returns the outcome of one vegeta result.
func Classify(r *vegeta.Result) Outcome {
	switch {
	case r.Code >= 200 && r.Code < 400 && r.Error == "":
		return OK
	case r.Code >= 500:
		return Server5xx
	case r.Code >= 400:
		return Client4xx
	}
	if strings.Contains(r.Error, RunStoppedError) {
		return Cancelled // first: the message quotes the URL, which may say anything
	}
	e := strings.ToLower(r.Error)
	switch {
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return Timeout
	case strings.Contains(e, "connection refused") || strings.Contains(e, "connection reset") ||
		strings.Contains(e, "broken pipe") || strings.Contains(e, "eof"):
		return Refused
	case strings.Contains(e, "context canceled"):
		// Only the runner cancels: a run stopped with requests in flight.
		return Cancelled
	}
	return OtherErr
}

// ServerTiming holds the durations, in milliseconds, that a target reported in its
// Server-Timing header. Have is false when the header was absent or had none of them.
type ServerTiming struct {
	WaitMs, LoadMs, InferMs float64
	Have                    bool
}

// ParseServerTiming reads the wait, load and infer metrics from Server-Timing header
// values such as "wait;dur=12.5, load;dur=0, infer;dur=140.2". Unknown metrics and
// malformed entries are ignored.
func ParseServerTiming(values []string) ServerTiming {
	var st ServerTiming
	for _, v := range values {
		for _, entry := range strings.Split(v, ",") {
			parts := strings.Split(entry, ";")
			name := strings.TrimSpace(parts[0])
			var dst *float64
			switch name {
			case "wait":
				dst = &st.WaitMs
			case "load":
				dst = &st.LoadMs
			case "infer":
				dst = &st.InferMs
			default:
				continue
			}
			for _, p := range parts[1:] {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(k, "dur") {
					continue
				}
				f, err := strconv.ParseFloat(strings.Trim(val, `"`), 64)
				if err != nil || !(f >= 0) || math.IsInf(f, 0) { // rejects NaN too
					continue
				}
				*dst = f
				st.Have = true
			}
		}
	}
	return st
}
