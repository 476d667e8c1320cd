package harness

import (
	"bytes"
	"context"
	"math"
	"net/http"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// cpuMetric is the Prometheus process collector's counter of CPU time used.
const cpuMetric = "process_cpu_seconds_total"

// maxMetricsBody caps how much of a /metrics page is read.
const maxMetricsBody = 4 << 20

// scrapeCPU returns the target's process_cpu_seconds_total from base/metrics, ok
// false when the page or the metric is absent.
func scrapeCPU(ctx context.Context, c *http.Client, base string) (float64, bool) {
	body, code, err := get(ctx, c, joinURL(rootURL(base), "/metrics"), maxMetricsBody)
	if err != nil || code != http.StatusOK {
		return 0, false
	}
	return parseCPUSeconds(body)
}

// parseCPUSeconds finds process_cpu_seconds_total in a Prometheus text exposition.
// Labelled series are summed (a plain process exports one, unlabelled).
func parseCPUSeconds(page []byte) (float64, bool) {
	v, ok := parseMetrics(page, cpuMetric)[cpuMetric]
	return v, ok
}

// parseMetrics finds the named metrics in a Prometheus text exposition (parsed
// by prometheus/common's expfmt) and returns the value of each one present:
// labelled series of one name are summed. A page expfmt rejects yields nothing:
// a value from a page that does not parse is not a measurement. Negative, NaN
// and infinite values are skipped.
func parseMetrics(page []byte, names ...string) map[string]float64 {
	out := make(map[string]float64, len(names))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(page))
	if err != nil {
		return out
	}
	for _, name := range names {
		fam, ok := fams[name]
		if !ok {
			continue
		}
		sum, any := 0.0, false
		for _, m := range fam.GetMetric() {
			var v float64
			switch {
			case m.Counter != nil:
				v = m.GetCounter().GetValue()
			case m.Gauge != nil:
				v = m.GetGauge().GetValue()
			case m.Untyped != nil:
				v = m.GetUntyped().GetValue()
			default:
				continue
			}
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			sum, any = sum+v, true
		}
		if any {
			out[name] = sum
		}
	}
	return out
}

// cpuMeter samples the target's CPU counter around steps.
type cpuMeter struct {
	client *http.Client
	base   string
	// optional: the target may have no /metrics (an external service); after one
	// failed sample the meter stops asking, so a missing or hanging endpoint
	// costs one probe timeout per run, not two per step.
	optional bool
	missing  bool
	// proc, when set, is read instead of /metrics: an external target's process
	// on this machine, with its children.
	proc *procCPU
}

// sample returns the counter now, or -1 when it cannot be read.
func (m *cpuMeter) sample(ctx context.Context) float64 {
	if m.proc != nil {
		return m.proc.seconds()
	}
	if m.missing {
		return -1
	}
	v, ok := scrapeCPU(ctx, m.client, m.base)
	if !ok {
		m.missing = m.optional
		return -1
	}
	return v
}

// cpuDelta returns after-before, or -1 when either sample is unknown.
func cpuDelta(before, after float64) float64 {
	if before < 0 || after < 0 || after < before {
		return -1
	}
	return after - before
}
