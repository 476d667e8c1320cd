package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	neturl "net/url"
	"os"
	"syscall"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// FuzzParseServerTiming: a target's Server-Timing header is untrusted input. Parsing
// it never panics and never yields a negative or non-finite duration.
func FuzzParseServerTiming(f *testing.F) {
	for _, seed := range []string{
		"wait;dur=12.5, load;dur=0, infer;dur=140.2",
		`wait;desc="lock";dur=3`,
		"infer;dur=NaN, wait;dur=-1, load;dur=1e309",
		"wait;;dur=, ,;dur=5,load",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		st := ParseServerTiming([]string{header})
		for name, v := range map[string]float64{"wait": st.WaitMs, "load": st.LoadMs, "infer": st.InferMs} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseServerTiming(%q): %s = %v", header, name, v)
			}
		}
		if !st.Have && (st.WaitMs != 0 || st.LoadMs != 0 || st.InferMs != 0) {
			t.Fatalf("ParseServerTiming(%q) = %+v: durations without Have", header, st)
		}
	})
}

// TestClassify holds both classifiers to one table: each failure as the runner
// gets it (the real error, judged by ClassifyLive) and as a vegeta file keeps it
// (net/http's `Post "url": ...` text, judged by Classify) must get the same
// class. The URL says "timeout", "refused" and "eof" to prove neither reads it.
func TestClassify(t *testing.T) {
	const url = "http://127.0.0.1:1/timeout/refused/eof"
	opErr := func(op string, err error) error {
		return &net.OpError{Op: op, Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, Err: os.NewSyscallError(op, err)}
	}
	tests := []struct {
		name string
		code uint16
		err  error  // the transport's error; nil for a status or a check failure
		msg  string // vegeta's text when err is nil
		want Outcome
	}{
		{name: "ok", code: 200, want: OK},
		{name: "redirect", code: 302, want: OK},
		{name: "4xx", code: 413, msg: "413 Request Entity Too Large", want: Client4xx},
		{name: "5xx", code: 504, msg: "504 Gateway Timeout", want: Server5xx},
		{name: "deadline", err: context.DeadlineExceeded, want: Timeout},
		{name: "body after the deadline", code: 200, err: fmt.Errorf("reading the body: %w", context.DeadlineExceeded), want: Timeout},
		{name: "dial timeout", err: &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}, want: Timeout},
		{name: "refused", err: opErr("connect", syscall.ECONNREFUSED), want: Refused},
		{name: "reset", err: opErr("read", syscall.ECONNRESET), want: Refused},
		{name: "broken pipe", err: opErr("write", syscall.EPIPE), want: Refused},
		{name: "eof", err: io.EOF, want: Refused},
		{name: "short body", code: 200, err: io.ErrUnexpectedEOF, want: Refused},
		{name: "run stopped", err: ErrRunStopped, want: Cancelled},
		{name: "cancelled", err: context.Canceled, want: Cancelled},
		{name: "tls", err: errors.New("tls: bad certificate"), want: OtherErr},
		{name: "expect failed", code: 200, msg: "response is not JSON: invalid character 'g'", want: OtherErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := vegeta.Result{Code: tt.code, Error: tt.msg}
			saved := live
			if tt.err != nil {
				live.Error = tt.err.Error()
				saved.Error = live.Error
				if tt.code == 0 { // a transport error: net/http quotes the URL before it
					saved.Error = (&neturl.Error{Op: "Post", URL: url, Err: tt.err}).Error()
				}
			}
			if got := ClassifyLive(&live, tt.err); got != tt.want {
				t.Errorf("ClassifyLive(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if got := Classify(&saved); got != tt.want {
				t.Errorf("Classify(%q) = %v, want %v", saved.Error, got, tt.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
