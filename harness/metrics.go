package harness

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
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

// parseMetrics finds the named metrics in a Prometheus text exposition and returns
// the value of each one present: labelled series of one name are summed. Negative,
// NaN and infinite values are skipped.
func parseMetrics(page []byte, names ...string) map[string]float64 {
	out := make(map[string]float64, len(names))
	sc := bufio.NewScanner(bytes.NewReader(page))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		for _, name := range names {
			if v, ok := sampleValue(line, name); ok {
				out[name] += v
				break
			}
		}
	}
	return out
}

// sampleValue returns the value of an exposition line when it is a sample of the
// metric called name.
func sampleValue(line, name string) (float64, bool) {
	rest, ok := strings.CutPrefix(line, name)
	if !ok || rest == "" {
		return 0, false
	}
	switch rest[0] {
	case ' ', '\t':
	case '{':
		end := strings.LastIndexByte(rest, '}')
		if end < 0 {
			return 0, false
		}
		rest = rest[end+1:]
	default:
		return 0, false // a longer metric name sharing the prefix
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
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
