package reports

import (
	"fmt"
	"strings"
)

// CallSite is one place where a Go target's goroutines waited on a lock or a
// channel during a step, from the delta of the target's block or mutex profile
// (/debug/pprof/block, /debug/pprof/mutex) taken before and after the step.
type CallSite struct {
	// Profile is "block" (time goroutines spent waiting, where they waited) or
	// "mutex" (time others waited on a lock, charged where it was held).
	Profile  string  `json:"profile"`
	Function string  `json:"function"` // e.g. target.(*naive).Acquire
	File     string  `json:"file"`     // the last two path elements: target/locking.go
	Line     int     `json:"line"`
	DelayMs  float64 `json:"delay_ms"` // time blocked at the site during the step
	// Share is DelayMs over the profile's whole blocked time in the step.
	Share float64 `json:"share"`
}

// String is the call site as a report shows it:
// "target.(*naive).Acquire, target/locking.go:137: 92% of blocked time".
func (c CallSite) String() string {
	return fmt.Sprintf("%s, %s:%d: %.0f%% of %s time", c.Function, c.File, c.Line, c.Share*100, profileWords(c.Profile))
}

func profileWords(p string) string {
	if p == "mutex" {
		return "mutex wait"
	}
	return "blocked"
}

// callSitesText joins the top call sites of one profile for a summary.
func callSitesText(sites []CallSite) string {
	var parts []string
	for _, c := range sites {
		parts = append(parts, c.String())
	}
	return strings.Join(parts, "; ")
}

// topSites returns the call sites of the step named step, block profile first.
func topSites(run *Run, step string) []CallSite {
	st := run.StepNamed(step)
	if st == nil {
		return nil
	}
	return st.Contention
}

// minSiteShare: call sites with less of the blocked time are not named in a
// finding's summary (they stay in its call_sites).
const minSiteShare = 0.1

// withCallSites names, in a scaling finding, the call sites where the
// diagnosed step's goroutines blocked: the block profile's (where they waited),
// else the mutex profile's (where the lock was held).
func withCallSites(d *Diagnosis, run *Run) {
	sites := topSites(run, d.Step)
	if len(sites) == 0 {
		return
	}
	d.CallSites = sites
	for _, prof := range []string{"block", "mutex"} {
		var named []CallSite
		for _, c := range sites {
			if c.Profile == prof && c.Share >= minSiteShare {
				named = append(named, c)
			}
		}
		if len(named) > 0 {
			d.Summary += "; where requests blocked (" + prof + " profile): " + callSitesText(named)
			return
		}
	}
}
