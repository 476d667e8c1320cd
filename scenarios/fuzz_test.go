package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad checks that no input makes Load panic, and that every failure is
// reported as *Error values that name the file.
func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, broken := range []string{
		"",
		"~",
		"- a\n- b\n",
		"steps: [\n",
		"name: x\n\tsteps: []\n",
		head + "steps: [{mode: rate, rate: 20/x, duration: 10}]\n",
		head + "steps:\n  - &s {mode: sequential, requests: 1, <<: *s}\n",
		head + "steps: [{mode: sweep, levels: [3, 2, 0], requests_per_level: -1}]\n",
		"target: {url: 'http://[::1'}\nsteps: [{mode: sequential}]\nexpect: [{}]\ncompare: [{}]\n",
		"a: &a [*a, *a]\n",
		"target: {builtin: {strategies: [naive, naive], size: 5, cold: 2}}\nrequest: {headers: {'': x}}\n",
		head + "steps: [{mode: ramp, rate: 9999999999999999999, rate_to: 1/0s}]\n---\n",
		head + "steps: [{name: a, mode: sequential, requests: 1, timeout: 1e400x a}, {mode: sequential, requests: 1, timeout: -0x a}]\n",
		// Counts that once passed and crashed the runner (issue 10), and their neighbours.
		head + "steps: [{mode: concurrent, concurrency: 1, requests: 1000000000}]\n",
		head + "steps: [{mode: concurrent, concurrency: 1, requests: 9223372036854775807}]\n",
		head + "steps: [{mode: concurrent, requests: -9223372036854775808, warmup: 9223372036854775807}]\n",
		head + "steps: [{mode: sweep, levels: [1, 9223372036854775807], requests_per_level: 9223372036854775807}]\n",
		head + "steps: [{mode: rate, rate: 9223372036854775807/ns, duration: 2562047h}]\n",
		// Rates too slow to send one request in their duration (issue 10).
		head + "steps: [{mode: rate, rate: 1/10s, duration: 2s}]\n",
		head + "steps: [{mode: rate, rate: 1/m, duration: 5s}]\n",
		head + "steps: [{mode: ramp, rate: 1/h, rate_to: 1/h, duration: 2s}]\n",
	} {
		f.Add([]byte(broken))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load(strings.NewReader(string(data)), "fuzz.yaml")
		if err == nil {
			if s == nil {
				t.Fatal("Load returned neither a scenario nor an error")
			}
			if verr := s.Validate(); verr != nil {
				t.Fatalf("a loaded scenario fails Validate: %v", verr)
			}
			return
		}
		if s != nil {
			t.Fatal("Load returned a scenario with its error")
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error is not an *Error: %T %v", err, err)
		}
		for _, p := range Problems(err) {
			if p.File != "fuzz.yaml" || p.Msg == "" {
				t.Fatalf("problem without its file or message: %+v", p)
			}
		}
	})
}
