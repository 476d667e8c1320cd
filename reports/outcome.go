package reports

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"syscall"

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

// ErrRunStopped is the error of a request cut off because the run was stopped.
var ErrRunStopped = errors.New(RunStoppedError)

// Outcomes are decided here, once: ClassifyLive for a result as the runner gets
// it, with the transport's real error; Classify for a result read back from a
// vegeta file, whose error is only text. Both give the same class for the same
// failure (TestClassify holds them to one table).

// ClassifyLive returns the outcome of a result just received: the status first,
// then err, the error the transport returned or read the body with (nil when
// none), judged by errors.Is and net.Error rather than by its text. A result
// that failed without a transport error (request.expect, vegeta's own) is OtherErr.
func ClassifyLive(r *vegeta.Result, err error) Outcome {
	if o, ok := byStatus(r); ok {
		return o
	}
	if err != nil {
		return classifyErr(err)
	}
	if r.Error == "" {
		return OK
	}
	return Classify(r)
}

// byStatus classifies a result by its status alone: a success without an error,
// any 4xx or 5xx.
func byStatus(r *vegeta.Result) (Outcome, bool) {
	switch {
	case r.Code >= 200 && r.Code < 400 && r.Error == "":
		return OK, true
	case r.Code >= 500:
		return Server5xx, true
	case r.Code >= 400:
		return Client4xx, true
	}
	return 0, false
}

func classifyErr(err error) Outcome {
	var ne net.Error
	switch {
	case errors.Is(err, ErrRunStopped), errors.Is(err, context.Canceled):
		return Cancelled // only the runner cancels: a run stopped with requests in flight
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return Timeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Refused
	}
	return OtherErr
}

// Classify returns the outcome of a vegeta result from its status and error
// text, as read back from a results file. The `METHOD "url": ` prefix vegeta puts
// before a transport error is left out: a URL may say anything ("/timeout").
func Classify(r *vegeta.Result) Outcome {
	if o, ok := byStatus(r); ok {
		return o
	}
	e := strings.ToLower(ErrorMessage(r.Error))
	switch {
	case strings.Contains(e, strings.ToLower(RunStoppedError)), strings.Contains(e, "context canceled"):
		return Cancelled
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return Timeout
	case strings.Contains(e, "connection refused") || strings.Contains(e, "connection reset") ||
		strings.Contains(e, "connection aborted") || strings.Contains(e, "broken pipe") ||
		strings.Contains(e, "eof"):
		return Refused
	}
	return OtherErr
}

// ErrorMessage returns a result's error without the `METHOD "url": ` prefix
// net/http's url.Error puts before it.
func ErrorMessage(msg string) string {
	if i := strings.Index(msg, `": `); i > 0 {
		if j := strings.Index(msg[:i], ` "`); j > 0 && !strings.ContainsAny(msg[:j], " :") {
			return msg[i+3:]
		}
	}
	return msg
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
