package harness

import "contend/reports"

// ReportRun returns the run as package reports reads it. Each step already is a
// reports.StepInput; a step's Err is not carried per step: the run's Err says
// why it stopped.
func (t *TargetResult) ReportRun() reports.RunInput {
	in := reports.RunInput{
		Target:   reports.TargetURL,
		Strategy: t.Strategy,
		URL:      t.URL,
		LogPath:  t.LogPath,
		CPU:      t.CPUSource,
		Steps:    make([]reports.StepInput, 0, len(t.Steps)),
	}
	if t.Strategy != "" {
		in.Target = reports.TargetBuiltin
	}
	if t.Err != nil {
		in.Err = t.Err.Error()
	}
	for _, s := range t.Steps {
		in.Steps = append(in.Steps, s.StepInput)
	}
	return in
}
