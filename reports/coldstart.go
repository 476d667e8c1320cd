package reports

import (
	"fmt"
	"math"

	"contend/scenarios"
)

// coldStart finds requests of a cold burst that waited on the model load. With
// Server-Timing: requests sent while a load was under way whose wait covered
// most of it, against the wait of the requests after it. Without: a first burst
// much slower than the run's usual request.
func (sg *signals) coldStart(sc *scenarios.Scenario) []Diagnosis {
	if len(sg.loaders) > 0 {
		return sg.coldStartTimed()
	}
	if sg.haveST || (sc.Target.Builtin != nil && !sc.Target.Builtin.Cold) {
		return nil // the target reports its loads, or was warm: no load to find
	}
	return sg.coldStartUntimed()
}

func (sg *signals) coldStartTimed() []Diagnosis {
	var loadMs float64
	for _, l := range sg.loaders {
		loadMs = math.Max(loadMs, l.st.LoadMs)
	}
	var blocked, later []float64
	step := ""
	for _, seg := range sg.segs {
		for _, r := range seg.reqs {
			if r.st.LoadMs > 0 {
				continue
			}
			// A request sent before the load ended waited on it, even one sent a
			// moment before the loader itself (a burst's requests race to the lock).
			if !r.start.Before(sg.loadEnd) {
				if r.outcome == OK && r.st.Have {
					later = append(later, r.st.WaitMs)
				}
				continue
			}
			switch {
			case r.outcome == OK && r.st.Have && r.st.WaitMs >= coldBlockedShare*loadMs:
				blocked = append(blocked, r.st.WaitMs)
			case r.outcome == Timeout: // it timed out waiting: count its whole latency
				blocked = append(blocked, r.ms)
			default:
				continue
			}
			if step == "" {
				step = seg.step
			}
		}
	}
	if len(blocked) == 0 {
		return nil
	}
	ev := map[string]float64{"load_ms": loadMs, "blocked": float64(len(blocked)), "blocked_wait_ms": mean(blocked)}
	then := "no request came after the load"
	if len(later) > 0 {
		ev["later_wait_ms"] = mean(later)
		then = fmt.Sprintf("the %s after it waited %s on average", plural(len(later), "request", "requests"), fmtMs(mean(later)))
	}
	return []Diagnosis{{Kind: KindColdStart, Step: step, Basis: BasisServerTiming, Evidence: ev,
		Summary: fmt.Sprintf("%s of the cold burst waited on the model load (%s on average, of a %s load); %s: a one-time cold start",
			plural(len(blocked), "request", "requests"), fmtMs(mean(blocked)), fmtMs(loadMs), then)}}
}

// coldStartUntimed reads a cold start from latency alone: the first burst (the
// first step, if it sent requests together) was much slower than the service
// time measured on the rest of the run.
func (sg *signals) coldStartUntimed() []Diagnosis {
	if len(sg.segs) == 0 || sg.segs[0].c < 2 || len(sg.segs[0].reqs) == 0 {
		return nil
	}
	first := &sg.segs[0]
	burst := first.reqs[:min(first.c, len(first.reqs))]
	var rest []float64
	for i, seg := range sg.segs {
		for j, r := range seg.reqs {
			if (i == 0 && j < len(burst)) || r.outcome != OK {
				continue
			}
			rest = append(rest, r.ms)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	usual := median(rest)
	fastest := math.Inf(1)
	for _, r := range burst {
		fastest = math.Min(fastest, r.ms)
	}
	if fastest < coldLatencyRatio*usual {
		return nil
	}
	return []Diagnosis{{Kind: KindColdStart, Step: first.step, Basis: BasisLatency,
		Evidence: map[string]float64{"blocked": float64(len(burst)), "first_burst_min_ms": fastest, "usual_ms": usual},
		Summary: fmt.Sprintf("the first %s took at least %s, %.1fx the usual %s: they waited on a cold start "+
			"(no Server-Timing to confirm: judged from latency alone)",
			plural(len(burst), "request", "requests"), fmtMs(fastest), fastest/usual, fmtMs(usual))}}
}

// timeouts explains each step's timeouts: requests that waited in a queue
// longer than they ran, or a timeout shorter than the work itself.
func (sg *signals) timeouts() []Diagnosis {
	var out []Diagnosis
	byStep := map[string][]float64{}
	total := map[string]int{}
	var order []string
	for _, seg := range sg.segs {
		if _, seen := total[seg.step]; !seen {
			order = append(order, seg.step)
		}
		total[seg.step] += len(seg.reqs)
		for _, r := range seg.reqs {
			if r.outcome == Timeout {
				byStep[seg.step] = append(byStep[seg.step], r.ms)
			}
		}
	}
	for _, step := range order {
		lat := byStep[step]
		if len(lat) == 0 {
			continue
		}
		after := median(lat)
		n := fmt.Sprintf("%d of %d requests", len(lat), total[step])
		ev := map[string]float64{"timeouts": float64(len(lat)), "timeout_ms": after}
		d := Diagnosis{Kind: KindTimeouts, Step: step, Basis: BasisLatency, Evidence: ev}
		switch s := sg.service; {
		case s <= 0:
			d.Summary = fmt.Sprintf("%s timed out after %s and none succeeded: no service time to tell a queue from slow work",
				n, fmtMs(after))
		case after >= queueRatio*s:
			ev["service_ms"] = s
			ev["waited_ms"] = after - s
			d.Kind = KindQueueTimeouts
			d.Summary = fmt.Sprintf("%s timed out after %s, %.1fx the %s: they spent at least %s waiting "+
				"in line, not running", n, fmtMs(after), after/s, sg.oneRequest(s), fmtMs(after-s))
		case after < s:
			ev["service_ms"] = s
			d.Summary = fmt.Sprintf("%s timed out after %s, less than the %s: the timeout is shorter than the work",
				n, fmtMs(after), sg.oneRequest(s))
		default:
			ev["service_ms"] = s
			d.Summary = fmt.Sprintf("%s timed out after %s, between one and two service times (%s): too close to tell queueing from slow work",
				n, fmtMs(after), fmtMs(s))
		}
		out = append(out, d)
	}
	return out
}
