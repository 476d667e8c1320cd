package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	rep := seedReport()
	data := render(t, NewJSONReporter(rep))
	back, err := ReadJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rep) {
		t.Error("report read back differs from the one written")
	}
	// Every reporter renders the same from the saved JSON alone.
	for name, pair := range map[string][2]Reporter{
		"text":     {NewTextReporter(rep, true), NewTextReporter(back, true)},
		"markdown": {NewMarkdownReporter(rep), NewMarkdownReporter(back)},
		"junit":    {NewJUnitReporter(rep), NewJUnitReporter(back)},
		"html":     {NewHTMLReporter(rep), NewHTMLReporter(back)},
	} {
		t.Run(name, func(t *testing.T) {
			if !bytes.Equal(render(t, pair[0]), render(t, pair[1])) {
				t.Errorf("%s differs when rendered from report.json", name)
			}
		})
	}
}

// TestJSONSchema checks the field names DESIGN.md promises scripts.
func TestJSONSchema(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(render(t, NewJSONReporter(seedReport())), &doc); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var cur any = doc
		for _, key := range strings.Split(path, ".") {
			switch c := cur.(type) {
			case map[string]any:
				v, ok := c[key]
				if !ok {
					t.Errorf("%s: no %q", path, key)
					return nil
				}
				cur = v
			case []any:
				if len(c) == 0 {
					t.Errorf("%s: empty array before %q", path, key)
					return nil
				}
				cur = c[0].(map[string]any)[key]
			default:
				t.Errorf("%s: %T has no %q", path, cur, key)
				return nil
			}
		}
		return cur
	}
	tests := []struct {
		path string
		want any
	}{
		{"scenario", "seed-repro"}, {"host.cpus", 2.0}, {"host.go", "go1.26.8"}, {"host.onnxruntime", "1.30.0"},
		{"runs.target", "builtin"}, {"runs.strategy", "naive"},
		{"runs.steps.name", "sequential"}, {"runs.steps.mode", "sequential"}, {"runs.steps.concurrency", 1.0},
		{"runs.steps.requests", 4.0}, {"runs.steps.wall_s", 6.4}, {"runs.steps.ok", 4.0}, {"runs.steps.timeouts", 0.0},
		{"runs.steps.errors", 0.0}, {"runs.steps.latency_ms.p50", 1600.0}, {"runs.steps.latency_ms.max", 1600.0},
		{"runs.steps.server_ms.infer", 1600.0}, {"runs.steps.errors_by_class.4xx", 0.0}, {"runs.steps.throughput_rps", 0.625},
		{"runs.comparisons.base", "sequential"}, {"runs.comparisons.step", "concurrent"}, {"runs.comparisons.verdict", "serialized"},
		{"runs.comparisons.ideal", 2.0}, {"runs.scaling.usl.sigma", 1.0}, {"runs.scaling.levels.concurrency", 1.0},
		{"runs.expectations.name", "naive/concurrent: max_timeouts 0"}, {"runs.expectations.ok", false},
		{"runs.diagnosis.kind", KindLockSerialized},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := get(tt.path); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %v (%T), want %v", tt.path, got, got, tt.want)
			}
		})
	}
	for _, path := range []string{"runs.steps.latency_ms.p90", "runs.steps.latency_ms.p99", "runs.steps.server_ms.wait",
		"runs.steps.server_ms.load", "runs.comparisons.speedup", "runs.comparisons.efficiency", "runs.scaling.usl.kappa",
		"runs.scaling.usl.r2", "runs.expectations.detail", "runs.diagnosis.summary", "runs.diagnosis.evidence",
		"runs.steps.timeline.ok", "runs.steps.histogram.bins", "runs.steps.cpu_util", "runs.steps.target_cpu_s"} {
		get(path)
	}
	// The client timeout is there for the step that had one, absent where unknown.
	naive := doc["runs"].([]any)[0].(map[string]any)["steps"].([]any)
	if got := naive[1].(map[string]any)["timeout_ms"]; got != 10000.0 {
		t.Errorf("naive concurrent timeout_ms = %v, want 10000", got)
	}
	if got, ok := naive[0].(map[string]any)["timeout_ms"]; ok {
		t.Errorf("naive sequential timeout_ms = %v, want it absent (not known)", got)
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, in  string
		notReport bool
	}{
		{"not json", "scenario: x", false},
		{"empty object", "{}", true},
		{"wrong shape", `{"runs": "x"}`, false},
		{"other json", `{"latencies": {"p50": 1}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNotReport) != tt.notReport {
				t.Errorf("err = %v, ErrNotReport %v", err, tt.notReport)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	a, b := seedReport(), seedReport()
	b.Scenario, b.Partial = "soak", true
	b.Expectations = []Expectation{{Name: "x", Detail: "no run"}}
	got := Merge(a, nil, b)
	var labels []string
	for i := range got.Runs {
		labels = append(labels, got.Runs[i].Label())
	}
	if want := "naive,double-checked,naive #2,double-checked #2"; strings.Join(labels, ",") != want {
		t.Errorf("labels %v, want %s", labels, want)
	}
	if got.Scenario != "seed-repro + soak" || !got.Partial || got.Host != a.Host || len(got.Expectations) != 1 ||
		len(got.Baseline) != len(a.Baseline)+len(b.Baseline) {
		t.Errorf("merged %q partial %v host %+v expectations %d baseline %d", got.Scenario, got.Partial, got.Host, len(got.Expectations), len(got.Baseline))
	}
	if b.Runs[0].Strategy != "naive" {
		t.Error("Merge modified its input")
	}
	if one := Merge(a); !reflect.DeepEqual(one.Runs, a.Runs) || one.Scenario != a.Scenario || one.File != a.File {
		t.Error("merging one report changed it")
	}
	if empty := Merge(); empty.Runs == nil || len(empty.Runs) != 0 {
		t.Error("merging nothing should give an empty report")
	}
}
