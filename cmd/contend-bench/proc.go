package main

import (
	"fmt"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/procfs"
)

// What the bench reads of processes and of the machine, through procfs and
// expfmt rather than by hand.

// processCPU returns the CPU time (user and system) process pid has used so far.
func processCPU(pid int) (time.Duration, error) {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0, fmt.Errorf("process cpu: %w", err)
	}
	st, err := p.Stat()
	if err != nil {
		return 0, fmt.Errorf("process cpu: %w", err)
	}
	return fromSeconds(st.CPUTime()), nil
}

// machineBusy returns the CPU time every core of the machine has spent busy (not
// idle, not waiting on I/O) since boot. Guest time is already counted in user.
func machineBusy() (time.Duration, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, fmt.Errorf("machine cpu: %w", err)
	}
	st, err := fs.Stat()
	if err != nil {
		return 0, fmt.Errorf("machine cpu: %w", err)
	}
	c := st.CPUTotal
	return fromSeconds(c.User + c.Nice + c.System + c.IRQ + c.SoftIRQ + c.Steal), nil
}

// procStatus returns a memory field of /proc/PID/status, "VmRSS" or "VmHWM", in bytes.
func procStatus(pid int, field string) (float64, error) {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", field, err)
	}
	st, err := p.NewStatus()
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", field, err)
	}
	switch field {
	case "VmRSS":
		return float64(st.VmRSS), nil
	case "VmHWM":
		return float64(st.VmHWM), nil
	}
	return 0, fmt.Errorf("read %s: not a memory field this bench knows", field)
}

func fromSeconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// metricValue returns the value of metric name's first sample in a Prometheus
// text exposition: a counter, gauge or untyped series, or the _sum or _count of
// a histogram or summary. ok is false when the page does not parse or lacks it.
func metricValue(text, name string) (float64, bool) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		return 0, false
	}
	if fam, ok := fams[name]; ok && len(fam.GetMetric()) > 0 {
		m := fam.GetMetric()[0]
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
		return 0, false
	}
	for _, suffix := range []string{"_sum", "_count"} {
		base, ok := strings.CutSuffix(name, suffix)
		fam := fams[base]
		if !ok || fam == nil || len(fam.GetMetric()) == 0 {
			continue
		}
		return sumOrCount(fam.GetMetric()[0], suffix == "_sum")
	}
	return 0, false
}

func sumOrCount(m *dto.Metric, sum bool) (float64, bool) {
	switch {
	case m.Histogram != nil && sum:
		return m.GetHistogram().GetSampleSum(), true
	case m.Histogram != nil:
		return float64(m.GetHistogram().GetSampleCount()), true
	case m.Summary != nil && sum:
		return m.GetSummary().GetSampleSum(), true
	case m.Summary != nil:
		return float64(m.GetSummary().GetSampleCount()), true
	}
	return 0, false
}
