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
