package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestShippedFilesLoad loads every scenario file in this directory from disk and
// from the binary, and checks that both agree and that each explains itself.
func TestShippedFilesLoad(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(f, ".yaml"))
	}
	if got := ShippedNames(); !reflect.DeepEqual(got, names) {
		t.Fatalf("ShippedNames() = %v, want the files on disk %v", got, names)
	}
	for _, name := range []string{"ci", "seed-repro", "soak", "soak-ci", "sweep"} {
		if !slices.Contains(names, name) {
			t.Errorf("no shipped scenario %q", name)
		}
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			fromDisk, err := LoadFile(f)
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			embedded, err := LoadShipped(strings.TrimSuffix(f, ".yaml"))
			if err != nil {
				t.Fatalf("Shipped: %v", err)
			}
			if embedded.File != "scenarios/"+f {
				t.Errorf("Shipped File = %q, want scenarios/%s", embedded.File, f)
			}
			embedded.File = fromDisk.File
			if !reflect.DeepEqual(embedded, fromDisk) {
				t.Errorf("embedded and on-disk scenarios differ")
			}
			if fromDisk.Name != strings.TrimSuffix(f, ".yaml") {
				t.Errorf("name = %q, want the file name", fromDisk.Name)
			}
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(text), "# "+fromDisk.Name+": ") {
				t.Errorf("file does not open with a comment explaining it (# %s: ...)", fromDisk.Name)
			}
		})
	}
}

func TestShippedRejectsUnknownNames(t *testing.T) {
	for _, name := range []string{"nope", "../go.mod", "sub/ci"} {
		t.Run(name, func(t *testing.T) {
			if s, err := LoadShipped(name); err == nil {
				t.Errorf("LoadShipped(%q) = %v, want an error", name, s.Name)
			}
		})
	}
	if s, err := LoadShipped("ci.yaml"); err != nil || s.Name != "ci" {
		t.Errorf(`LoadShipped("ci.yaml") = %v, %v; want the ci scenario`, s, err)
	}
}

// TestShippedContents checks what each shipped scenario promises in the brief.
func TestShippedContents(t *testing.T) {
	load := func(name string) *Scenario {
		s, err := LoadShipped(name)
		if err != nil {
			t.Fatalf("LoadShipped(%q): %v", name, err)
		}
		return s
	}
	expectFor := func(s *Scenario, strategy, step string) Expect {
		for _, e := range s.Expect {
			if e.Strategy == strategy && e.Step == step {
				return e
			}
		}
		t.Fatalf("%s: no expectation for strategy %q step %q", s.Name, strategy, step)
		return Expect{}
	}
	step := func(s *Scenario, name string) Step {
		st, ok := s.StepByName(name)
		if !ok {
			t.Fatalf("%s: no step %q", s.Name, name)
		}
		return st
	}

	seed := load("seed-repro")
	ci := load("ci")
	sweep := load("sweep")
	soak := load("soak")
	soakCI := load("soak-ci")
	soakCIStep := step(soakCI, "soak")
	soakExpect, soakCIExpect := expectFor(soak, "", "soak"), expectFor(soakCI, "", "soak")
	seedExpect := expectFor(seed, StrategyDoubleChecked, "concurrent")
	ciExpect := expectFor(ci, "", "concurrent")
	soakStep := step(soak, "soak")

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"seed strategies", seed.Strategies(), []string{"naive", "double-checked"}},
		{"seed size", seed.Target.Builtin.Size, SizeBase},
		{"seed cold", seed.Target.Builtin.Cold, true},
		{"seed body translates en-hi", strings.Contains(seed.Request.Body, `"source": "en", "target": "hi"`), true},
		{"seed sequential", step(seed, "sequential").Requests, 4},
		{"seed burst outnumbers the cores", step(seed, "concurrent").Concurrency >= 8, true},
		{"seed cold start has its own timeout", step(seed, "cold-start").Timeout.Duration >= 10*time.Second, true},
		// The burst times out at a multiple of the measured sequential latency,
		// between double-checked's ~5.5 t and naive's last requests at 8-10 t.
		{"seed burst timeout", *step(seed, "concurrent").TimeoutOf, RelTimeout{Factor: 7.5, Step: "sequential"}},
		{"seed compares", slices.Contains(seed.Compare, Compare{Base: "sequential", Step: "concurrent"}), true},
		{"seed max timeouts", *seedExpect.MaxTimeouts, 0},
		{"seed min speedup", *seedExpect.MinSpeedup, 1.6},

		{"ci strategies", ci.Strategies(), []string{"double-checked"}},
		{"ci size", ci.Target.Builtin.Size, SizeBase},
		{"ci compares", ci.Compare, []Compare{{Base: "sequential", Step: "concurrent"}}},
		{"ci max timeouts", *ciExpect.MaxTimeouts, 0},
		{"ci max errors", *ciExpect.MaxErrors, 0},
		{"ci min speedup", *ciExpect.MinSpeedup, 1.3},

		{"sweep strategies", sweep.Strategies(), []string{"naive", "double-checked"}},
		{"sweep levels", step(sweep, "sweep").Levels, []int{1, 2, 4, 8}},
		{"sweep rate mode", step(sweep, "rate").Mode, ModeRate},

		{"soak strategies", soak.Strategies(), []string{"double-checked"}},
		{"soak mode", soakStep.Mode, ModeRate},
		{"soak duration", soakStep.PlannedDuration(), 10 * time.Minute},
		{"soak max errors", *soakExpect.MaxErrors, 0},
		{"soak max timeouts", *soakExpect.MaxTimeouts, 0},
		{"soak bounds memory", soakExpect.MaxRSSGrowth != nil && soakExpect.MaxRSSGrowth.Bytes, true},
		{"soak bounds goroutines", soakExpect.MaxGoroutineGrowth != nil, true},
		{"soak bounds open files", soakExpect.MaxFDGrowth != nil, true},

		{"soak-ci strategies", soakCI.Strategies(), soak.Strategies()},
		{"soak-ci target", *soakCI.Target.Builtin, *soak.Target.Builtin},
		{"soak-ci request", soakCI.Request, soak.Request},
		{"soak-ci mode", soakCIStep.Mode, ModeRate},
		{"soak-ci duration", soakCIStep.PlannedDuration(), time.Minute},
		{"soak-ci rate at most the soak's", soakCIStep.Rate.PerSecond() <= soakStep.Rate.PerSecond(), true},
		{"soak-ci max errors", *soakCIExpect.MaxErrors, 0},
		// Timeouts on a shared CI machine measure the neighbours (see soak-ci.yaml).
		{"soak-ci leaves timeouts to the full soak", soakCIExpect.MaxTimeouts == nil, true},
		{"soak-ci bounds every resource", soakCIExpect.MaxRSSGrowth != nil && soakCIExpect.MaxGoroutineGrowth != nil && soakCIExpect.MaxFDGrowth != nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}

	// Every ci expectation judges whatever strategy runs, so naive can fail it.
	for _, e := range ci.Expect {
		if e.Strategy != "" {
			t.Errorf("ci expectation at line %d names strategy %q; it must judge every run", e.Line, e.Strategy)
		}
	}
	if naive, err := ci.WithStrategies(StrategyNaive); err != nil || len(naive.Expect) != len(ci.Expect) {
		t.Errorf("ci with naive: %v, expectations %d of %d", err, len(naive.Expect), len(ci.Expect))
	}
}
