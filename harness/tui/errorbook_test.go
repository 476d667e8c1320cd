package tui

import (
	"fmt"
	"strings"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// TestDefaultClass: the errors view names a failure by the outcome its event
// carries, with the status for HTTP errors.
func TestDefaultClass(t *testing.T) {
	tests := []struct {
		name string
		r    vegeta.Result
		o    reports.Outcome
		want string
	}{
		{"ok", vegeta.Result{Code: 200}, reports.OK, "ok"},
		{"client timeout", vegeta.Result{Error: timeoutError}, reports.Timeout, "timeout"},
		{"refused", vegeta.Result{Error: "dial tcp 127.0.0.1:9: connect: connection refused"}, reports.Refused, "refused"},
		{"busy", vegeta.Result{Code: 503, Error: "503 Service Unavailable"}, reports.Server5xx, "http 503"},
		{"bad request", vegeta.Result{Code: 422, Error: "422 Unprocessable Entity"}, reports.Client4xx, "http 422"},
		{"cancelled run", vegeta.Result{Error: "context canceled"}, reports.Cancelled, "cancelled"},
		{"garbage", vegeta.Result{Code: 200, Error: "response is not JSON: invalid character 'g'"}, reports.OtherErr, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultClass(&tt.r, tt.o); got != tt.want {
				t.Errorf("class %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorBook(t *testing.T) {
	var b errorBook
	for i := range 5 {
		b.add("naive", "timeout", timeoutError)
		b.add("naive", "http 503", fmt.Sprintf("503 Service Unavailable (retry %d)", i))
	}
	b.add("double-checked", "timeout", "  line one\n\tline two  ")
	b.add("naive", "timeout", strings.Repeat("x", 1000))

	type class struct {
		run, name string
		count     int
		samples   int
	}
	var got []class
	for _, c := range b.classes {
		got = append(got, class{c.run, c.name, c.count, len(c.samples)})
	}
	want := []class{
		{"naive", "timeout", 6, 2},  // one distinct message, then the long one
		{"naive", "http 503", 5, 3}, // five distinct messages, three kept
		{"double-checked", "timeout", 1, 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || b.total != 12 {
		t.Errorf("classes %v total %d, want %v total 12", got, b.total, want)
	}
	if s := b.classes[2].samples[0]; s != "line one line two" {
		t.Errorf("sample %q, want it on one line", s)
	}
	if s := b.classes[0].samples[1]; len([]rune(s)) != maxSampleLen || !strings.HasSuffix(s, "…") {
		t.Errorf("long sample kept as %d runes, want %d ending in an ellipsis", len([]rune(s)), maxSampleLen)
	}
}

func TestErrorBookIsBounded(t *testing.T) {
	var b errorBook
	for i := range 3 * maxErrorClasses {
		b.add("naive", fmt.Sprintf("http %d", 400+i), "status")
	}
	if len(b.classes) != maxErrorClasses+1 {
		t.Fatalf("%d classes, want %d and an \"other\"", len(b.classes), maxErrorClasses)
	}
	last := b.classes[len(b.classes)-1]
	if last.name != "other" || last.count != 2*maxErrorClasses || b.total != 3*maxErrorClasses {
		t.Errorf("last class %+v, total %d: want the overflow counted as other", last, b.total)
	}
}
