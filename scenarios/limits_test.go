package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLoadStopsExpandingAliases feeds Load small files whose aliases and merge
// keys would expand exponentially, and checks it answers quickly with a problem.
func TestLoadStopsExpandingAliases(t *testing.T) {
	mergeBomb := func() string {
		var b strings.Builder
		b.WriteString("defs:\n  - &m0 {X-A: a, X-B: b}\n")
		for i := 1; i <= 60; i++ {
			fmt.Fprintf(&b, "  - &m%d {<<: [*m%d, *m%d]}\n", i, i-1, i-1)
		}
		b.WriteString("target: {url: 'http://127.0.0.1:1'}\nrequest: {headers: {<<: *m60}}\nsteps: [{mode: sequential, requests: 1}]\n")
		return b.String()
	}
	listBomb := func() string {
		var b strings.Builder
		b.WriteString("defs: &l0 [" + strings.Repeat("1, ", 2000) + "1]\n")
		b.WriteString("target: {url: 'http://127.0.0.1:1'}\nsteps:\n")
		for i := 0; i < 3000; i++ {
			fmt.Fprintf(&b, "  - {name: s%d, mode: sweep, levels: *l0}\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"merge keys", mergeBomb(), "values, counting every use of an alias or merge key"},
		{"aliased lists", listBomb(), "values, counting every use of an alias or merge key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Load(strings.NewReader(tt.in), "bomb.yaml")
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("Load took %v", took)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadCapsProblems(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "bad%d: 1\n", i)
	}
	_, err := Load(strings.NewReader(b.String()), "many.yaml")
	got := Problems(err)
	if len(got) != maxProblems+1 {
		t.Fatalf("got %d problems, want %d kept and a summary", len(got), maxProblems)
	}
	// 250 unknown keys, no target and no steps: 252 problems, 100 kept.
	if want := "many.yaml: 152 more problems not shown"; got[len(got)-1].Error() != want {
		t.Errorf("last problem = %q, want %q", got[len(got)-1], want)
	}
}

func TestLoadRejectsHugeFiles(t *testing.T) {
	in := "name: x\n" + strings.Repeat("# padding\n", MaxFileSize/10+1)
	_, err := Load(strings.NewReader(in), "big.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml: larger than 1048576 bytes") {
		t.Errorf("err = %v, want the size limit", err)
	}
}

// TestLoadBoundsCounts checks that counts past the documented bounds are refused
// with the file, line and field, before anything could allocate or send for them,
// and that the bounds themselves are accepted.
func TestLoadBoundsCounts(t *testing.T) {
	tests := []struct {
		name  string
		steps string
		want  []string // prefixes of each problem, in order; none: the file loads
	}{
		{"a billion requests", "  - name: a\n    mode: concurrent\n    concurrency: 1\n    requests: 1000000000\n",
			[]string{"t.yaml:8: steps[0].requests: requests 1000000000 is above the limit of 1000000 a step"}},
		{"max int64 requests", "  - {mode: concurrent, concurrency: 1, requests: 9223372036854775807}\n",
			[]string{"t.yaml:5: steps[0].requests: requests 9223372036854775807 is above the limit of 1000000 a step"}},
		{"sequential requests", "  - {mode: sequential, requests: 1000001}\n",
			[]string{"t.yaml:5: steps[0].requests: requests 1000001 is above the limit"}},
		{"requests at the bound", "  - {mode: concurrent, concurrency: 10000, requests: 1000000}\n", nil},
		{"concurrency", "  - name: c\n    mode: concurrent\n    requests: 20000\n    concurrency: 10001\n",
			[]string{"t.yaml:8: steps[0].concurrency: concurrency 10001 is above the limit of 10000 workers"}},
		{"default concurrency of a big burst", "  - {mode: concurrent, requests: 20000}\n",
			[]string{"t.yaml:5: steps[0].concurrency: concurrency 20000 is above the limit of 10000 workers"}},
		{"warmup", "  - {mode: sequential, requests: 1, warmup: 1000001}\n",
			[]string{"t.yaml:5: steps[0].warmup: warmup 1000001 is above the limit of 1000000 requests a step"}},
		{"sweep level", "  - mode: sweep\n    levels: [1, 10001]\n    requests_per_level: 20000\n",
			[]string{"t.yaml:6: steps[0].levels[1]: level 10001 is above the limit of 10000 workers"}},
		{"sweep total", "  - mode: sweep\n    levels: [1, 2, 4]\n    requests_per_level: 400000\n",
			[]string{"t.yaml:7: steps[0].requests_per_level: 3 levels x requests_per_level 400000 is above the limit of 1000000 requests a step"}},
		{"huge requests_per_level", "  - {mode: sweep, levels: [1], requests_per_level: 9223372036854775807}\n",
			[]string{"t.yaml:5: steps[0].requests_per_level: 1 levels x requests_per_level 9223372036854775807 is above the limit"}},
		{"rate times duration", "  - mode: rate\n    rate: 1000/s\n    duration: 1001s\n",
			[]string{"t.yaml:7: steps[0].duration: rate 1000/s over 16m41s comes to 1e+06 requests, above the limit of 1000000 a step"}},
		{"huge rate", "  - {mode: rate, rate: 9223372036854775807/ns, duration: 1s}\n",
			[]string{"t.yaml:5: steps[0].duration: rate 9223372036854775807/1ns over 1s comes to 9.22e+27 requests, above the limit"}},
		{"ramp times duration", "  - {mode: ramp, rate: 1/s, rate_to: 2000/s, duration: 1000s}\n",
			[]string{"t.yaml:5: steps[0].duration: a ramp from 1/s to 2000/s over 16m40s comes to 1e+06 requests, above the limit"}},
		{"duration", "  - {mode: rate, rate: 1/h, duration: 25h}\n",
			[]string{"t.yaml:5: steps[0].duration: duration 25h0m0s is above the limit of 24h0m0s a step"}},
		{"duration at the bound", "  - {mode: rate, rate: 10/s, duration: 24h}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, head+"steps:\n"+tt.steps, tt.want)
		})
	}
}

// TestLoadRefusesStepsThatCannotSend checks that a rate or ramp step whose rate
// is too slow to send a single request before its duration ends is refused, and
// that one request exactly is enough.
func TestLoadRefusesStepsThatCannotSend(t *testing.T) {
	tests := []struct {
		name string
		step string
		want []string
	}{
		{"1/10s over 2s", "  - {mode: rate, rate: 1/10s, duration: 2s}\n", []string{
			"t.yaml:5: steps[0].duration: rate 1/10s over 2s comes to 0.2 requests: the step ends at its duration and could not send one; " +
				"raise the rate or make the duration at least 10s"}},
		{"1/m over 5s", "  - mode: rate\n    rate: 1/m\n    duration: 5s\n", []string{
			"t.yaml:7: steps[0].duration: rate 1/m over 5s comes to 0.0833 requests: the step ends at its duration and could not send one; " +
				"raise the rate or make the duration at least 1m0s"}},
		{"ramp 1/h to 1/h over 2s", "  - {mode: ramp, rate: 1/h, rate_to: 1/h, duration: 2s}\n", []string{
			"t.yaml:5: steps[0].duration: a ramp from 1/h to 1/h over 2s comes to 0.000556 requests: the step ends at its duration and could not send one; " +
				"raise the rate or make the duration at least 1h0m0s"}},
		{"no duration could do", "  - {mode: rate, rate: 1/100h, duration: 1h}\n", []string{
			"t.yaml:5: steps[0].duration: rate 1/100h0m0s over 1h0m0s comes to 0.01 requests: the step ends at its duration and could not send one; " +
				"raise the rate\n"}},
		{"exactly one request", "  - {mode: rate, rate: 1/2s, duration: 2s}\n", nil},
		{"exactly one at 10/s", "  - {mode: rate, rate: 10/s, duration: 100ms}\n", nil},
		{"ramp of one request", "  - {mode: ramp, rate: 1/4s, rate_to: 3/4s, duration: 2s}\n", nil},
		{"a bad rate is reported alone", "  - {mode: rate, rate: 1/x, duration: 2s}\n", []string{
			`t.yaml:5: steps[0].rate: "1/x" is not a rate`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, head+"steps:\n"+tt.step, tt.want)
		})
	}
}

// checkProblems loads src as t.yaml and checks its problems start with want, in
// order (a want ending in a newline must match the whole problem); no want: it
// must load.
func checkProblems(t *testing.T, src string, want []string) {
	t.Helper()
	s, err := Load(strings.NewReader(src), "t.yaml")
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if s == nil {
			t.Fatal("Load returned no scenario")
		}
		return
	}
	got := Problems(err)
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), err)
	}
	for i, e := range got {
		w, whole := strings.CutSuffix(want[i], "\n")
		if msg := e.Error(); !strings.HasPrefix(msg, w) || whole && msg != w {
			t.Errorf("problem %d:\n got  %s\n want %s", i, msg, want[i])
		}
	}
}
