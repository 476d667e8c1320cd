package main

import (
	"strings"
	"testing"
	"time"

	"contend/reports"
)

// TestNaiveCallSite: against the built-in naive target, the diagnosis names the
// naive lock's call site (from the target's block profile over the step) with
// its share of the blocked time, in report.json and in the text report.
func TestNaiveCallSite(t *testing.T) {
	// The base models: a request takes ~200 ms, so waiting on the lock is most of a
	// queued request's time however busy the machine (the tiny models' 2 ms requests
	// are mostly the server's own overhead, and a neighbour blurs them).
	requireProvisioned(t, "base")
	path := writeScenario(t, "name: callsite\ntarget:\n  builtin: {strategies: [naive], size: base, intra_op_threads: 1}\n"+
		"request:\n  body: '{\"text\": \"the water is cold\", \"source\": \"en\", \"target\": \"hi\"}'\n  timeout: 30s\n"+
		"steps:\n  - {name: sequential, mode: sequential, requests: 4, warmup: 1}\n"+
		"  - {name: concurrent, mode: concurrent, concurrency: 4, requests: 8}\n")
	out := t.TempDir()
	r := contend(t, 5*time.Minute, "run", path, "--no-tui", "--out", out)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	rep := readFullReport(t, out)
	d := findDiagnosis(rep.Runs[0].Diagnosis, reports.KindLockSerialized)
	if d == nil {
		t.Fatalf("no lock-serialized finding: %+v", rep.Runs[0].Diagnosis)
	}
	if len(d.CallSites) == 0 {
		t.Fatalf("the finding names no call site: %+v", d)
	}
	top := d.CallSites[0]
	if top.Profile != "block" || top.Function != "target.(*naive).Acquire" || top.File != "target/locking.go" || top.Line == 0 {
		t.Errorf("top call site %+v, want the block profile's target.(*naive).Acquire in target/locking.go", top)
	}
	if top.Share <= 0 || top.Share > 1 {
		t.Errorf("share %v out of (0, 1]", top.Share)
	}
	if !strings.Contains(d.Summary, top.String()) {
		t.Errorf("summary %q does not name %q", d.Summary, top.String())
	}
	st := rep.Runs[0].StepNamed("concurrent")
	if st == nil || len(st.Contention) == 0 {
		t.Errorf("the concurrent step carries no contention: %+v", st)
	}
	if !strings.Contains(r.stdout, "target.(*naive).Acquire, target/locking.go:") || !strings.Contains(r.stdout, "% of blocked time") {
		t.Errorf("the text report does not name the call site:\n%s", r.stdout)
	}
}

func findDiagnosis(ds []reports.Diagnosis, kind string) *reports.Diagnosis {
	for i := range ds {
		if ds[i].Kind == kind {
			return &ds[i]
		}
	}
	return nil
}
