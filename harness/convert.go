package harness

import "contend/reports"

// ReportRun converts the run into the input of package reports (which must not
// import harness). A step's Err is not carried per step: the run's Err says why
// it stopped.
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
		step := reports.StepInput{
			Step:             s.Step,
			Wall:             s.Wall,
			Results:          s.Results,
			TargetCPUSeconds: s.TargetCPUSeconds,
			HostCPUSeconds:   s.HostCPUSeconds,
			RunnableThreads:  s.RunnableThreads,
			Cores:            s.Cores,
			RawPath:          s.RawPath,
			Timeout:          s.Timeout,
		}
		step.Resources = s.Resources
		step.Contention = s.Contention
		for _, l := range s.Levels {
			step.Levels = append(step.Levels, reports.LevelInput{
				Concurrency:      l.Concurrency,
				Wall:             l.Wall,
				Results:          l.Results,
				TargetCPUSeconds: l.TargetCPUSeconds,
				HostCPUSeconds:   l.HostCPUSeconds,
				RunnableThreads:  l.RunnableThreads,
				RawPath:          l.RawPath,
			})
		}
		in.Steps = append(in.Steps, step)
	}
	return in
}
