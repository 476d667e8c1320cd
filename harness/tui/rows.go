package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"contend/scenarios"
)

// indexedRow is a comparison row with its run's position in the plan.
type indexedRow struct {
	index int
	row   Row
}

// addRow puts the row in plan order, replacing an earlier row of the same run.
func (m *model) addRow(index int, row Row) {
	for i := range m.rows {
		if m.rows[i].index == index {
			m.rows[i].row = row
			return
		}
	}
	m.rows = append(m.rows, indexedRow{index: index, row: row})
	sort.SliceStable(m.rows, func(i, j int) bool { return m.rows[i].index < m.rows[j].index })
}

// stepLabel names a step, with its level for sweep steps.
func stepLabel(s scenarios.Step, level int) string {
	name := orElse(s.Name, s.Mode)
	if level > 0 {
		name += " @" + strconv.Itoa(level)
	}
	return name
}

// withTimeout adds the step's client timeout to its description, when known:
// with a relative timeout ("7.5x sequential") it is only known once the run
// measured the step it scales.
func withTimeout(desc string, timeout time.Duration) string {
	if timeout <= 0 {
		return desc
	}
	return desc + ", timeout " + fmtDur(timeout)
}

// describe says what a step does, in a few words.
func describe(s scenarios.Step, level, total int, d time.Duration) string {
	reqs := func(n int) string {
		if n == 1 {
			return "1 request"
		}
		return strconv.Itoa(n) + " requests"
	}
	if total == 0 {
		total = s.Requests
	}
	switch s.Mode {
	case scenarios.ModeSequential:
		return "sequential, " + reqs(total)
	case scenarios.ModeConcurrent:
		return fmt.Sprintf("%d concurrent, %s", s.Concurrency, reqs(total))
	case scenarios.ModeRate:
		return fmt.Sprintf("rate %s for %s", rateString(s.Rate), fmtDur(orDur(d, s.Duration.Duration)))
	case scenarios.ModeRamp:
		return fmt.Sprintf("ramp %s to %s over %s", rateString(s.Rate), rateString(s.RateTo),
			fmtDur(orDur(d, s.Duration.Duration)))
	case scenarios.ModeSweep:
		levels := make([]string, len(s.Levels))
		for i, l := range s.Levels {
			levels[i] = strconv.Itoa(l)
		}
		desc := "sweep " + strings.Join(levels, ",")
		if level > 0 {
			desc = fmt.Sprintf("sweep level %d of %s", level, strings.Join(levels, ","))
		}
		if total > 0 {
			desc += ", " + reqs(total)
		}
		return desc
	}
	if total > 0 {
		return s.Mode + ", " + reqs(total)
	}
	return s.Mode
}

func orDur(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// rateString writes a rate as scenario files do: "20/s", "300/m", "5/100ms".
func rateString(r scenarios.Rate) string {
	switch r.Per {
	case 0:
		return strconv.Itoa(r.Freq)
	case time.Second:
		return strconv.Itoa(r.Freq) + "/s"
	case time.Minute:
		return strconv.Itoa(r.Freq) + "/m"
	case time.Hour:
		return strconv.Itoa(r.Freq) + "/h"
	}
	return strconv.Itoa(r.Freq) + "/" + r.Per.String()
}

// fmtDur writes a duration short and steady: 850µs, 4.2ms, 320ms, 6.4s, 2m05s.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + "µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// fmtMs writes a latency given in milliseconds.
func fmtMs(ms float64) string {
	return fmtDur(time.Duration(ms * float64(time.Millisecond)))
}
