package main

import (
	"fmt"
	"strings"
	"time"
)

// Goals from the issue that asked for `make bench`.
const (
	goalVsVegeta         = 0.95 // contend's request rate over vegeta's, at least
	goalVsHey            = 1.0  // contend's request rate over hey's, at least
	goalCPUVsHey         = 1.0  // contend's generator CPU per request over hey's, at most
	stretchVsVegeta      = 1.3  // contend's request rate over vegeta's: the stretch goal
	goalOverhead         = 0.05 // target over direct ONNX calls, below
	goalParallelWall     = 0.6  // double-checked: 4 concurrent / 4 sequential wall, at most
	goalSerializedWallLo = 0.85 // naive: "about 1.0" read as at least this
)

// renderMarkdown writes the results as bench/RESULTS.md.
func renderMarkdown(r *results) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# contend benchmarks\n\n")
	w("Written by `make bench` (cmd/contend-bench) on %s, in %s. Every figure below was measured in that\n",
		r.started.UTC().Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	w("one run on this machine, where the load generators and the servers they attack share the same cores.\n\n")
	renderMachine(w, r.machine)
	renderGoals(w, r)
	if r.cfg.only != nil {
		w("**Partial run** (--only): some parts were not measured.\n\n")
	}
	if len(r.loadgen.tools) > 0 {
		renderLoadgen(w, r.loadgen)
	}
	if len(r.scaling) > 0 {
		renderScaling(w, r.scaling, r.cfg, r.machine.cores)
	}
	if len(r.overhead.concurrency) > 0 {
		renderOverhead(w, r.overhead)
	}
	if len(r.cold) > 0 {
		renderCold(w, r.cold)
	}
	renderPhases(w, r.phases, r.machine.cores)
	return b.String()
}

type writef func(format string, args ...any)

func renderMachine(w writef, m machine) {
	w("| machine | |\n|---|---|\n")
	for _, kv := range [][2]string{
		{"cores", fmt.Sprint(m.cores)},
		{"CPU", m.cpu},
		{"OS", m.kernel},
		{"Go", m.goVersion},
		{"vegeta", m.vegeta},
		{"hey", m.hey},
		{"wrk", m.wrk},
		{"ONNX Runtime", m.ort},
	} {
		w("| %s | %s |\n", kv[0], cell(kv[1]))
	}
	w("\n")
}

// goal is one row of the goals table.
type goal struct {
	what     string
	measured string
	met      bool
}

func goals(r *results) []goal {
	var out []goal
	lg := r.loadgen
	vegeta, hey := lg.tool(toolVegeta), lg.tool(toolHey)
	for _, name := range []string{toolContendBurst, toolContendUnpace} {
		c := lg.tool(name)
		if c == nil || vegeta == nil || hey == nil {
			continue
		}
		rv := ratio(median(c.rps()), median(vegeta.rps()))
		rh := ratio(median(c.rps()), median(hey.rps()))
		cGen, _ := c.cpuPerRequest()
		hGen, _ := hey.cpuPerRequest()
		rc := ratio(cGen, hGen)
		out = append(out,
			goal{fmt.Sprintf("%s >= %.2fx vegeta", name, goalVsVegeta), fmt.Sprintf("%.2fx", rv), rv >= goalVsVegeta},
			goal{fmt.Sprintf("%s >= hey", name), fmt.Sprintf("%.2fx hey", rh), rh >= goalVsHey},
			goal{fmt.Sprintf("%s generator CPU/request <= hey's", name), fmt.Sprintf("%.2fx hey", rc), rc > 0 && rc <= goalCPUVsHey},
			goal{fmt.Sprintf("%s >= %.1fx vegeta (stretch)", name, stretchVsVegeta), fmt.Sprintf("%.2fx", rv), rv >= stretchVsVegeta})
	}
	if ov, ok := r.overhead.translate.metrics["overhead-ratio"]; ok {
		out = append(out, goal{fmt.Sprintf("target overhead over direct ONNX calls < %.0f%%", goalOverhead*100),
			fmt.Sprintf("%+.1f%%", ov*100), ov < goalOverhead})
	}
	for _, l := range r.overhead.concurrency {
		wr := l.metrics["wall-ratio"]
		switch l.sub {
		case "double-checked":
			out = append(out, goal{fmt.Sprintf("double-checked: 4 concurrent / 4 sequential wall <= %.1f", goalParallelWall),
				fmt.Sprintf("%.2f", wr), wr <= goalParallelWall})
		case "naive":
			out = append(out, goal{fmt.Sprintf("naive: 4 concurrent / 4 sequential wall ~1.0 (>= %.2f)", goalSerializedWallLo),
				fmt.Sprintf("%.2f", wr), wr >= goalSerializedWallLo})
		}
	}
	return out
}

func renderGoals(w writef, r *results) {
	w("## Goals\n\n| goal | measured | met |\n|---|---:|---|\n")
	for _, g := range goals(r) {
		w("| %s | %s | %s |\n", g.what, g.measured, yesNo(g.met))
	}
	w("\n")
}

func renderLoadgen(w writef, lg loadgenResult) {
	w("## 1. Request generation\n\n")
	w("Each tool attacks the same trivial server (a separate Go process answering 200 \"ok\" on 127.0.0.1)\n")
	w("at full speed with %d concurrent connections for %s, in %d interleaved rounds (the order rotates\n",
		lg.concurrency, seconds(lg.duration), lg.rounds)
	w("each round). Requests per second are successful responses over each tool's own wall time; the\n")
	w("ratio is the tool's median over vegeta's median. CPU per request is the median over the rounds of the\n")
	w("generator's own CPU time (user + system; for vegeta its attack only, not `vegeta report`) and of the\n")
	w("trivial server's, from /proc, over the requests completed. Other load is the CPU the rest of the machine\n")
	w("(neither the tool nor the server) used meanwhile, in cores, from /proc/stat: the noise behind the numbers.\n\n")
	w("| tool | command | req/s (median) | rounds (req/s) | ratio to vegeta | failed | generator CPU/req | CPU/req ratio to vegeta | server CPU/req | other load |\n")
	w("|---|---|---:|---|---:|---:|---:|---:|---:|---:|\n")
	vegeta := lg.tool(toolVegeta)
	vegetaCPU := 0.0
	if vegeta != nil {
		vegetaCPU, _ = vegeta.cpuPerRequest()
	}
	for _, t := range lg.tools {
		rounds := make([]string, len(t.runs))
		for i, run := range t.runs {
			rounds[i] = fmt.Sprintf("%.0f", run.rps)
		}
		rv := 0.0
		if vegeta != nil {
			rv = ratio(median(t.rps()), median(vegeta.rps()))
		}
		gen, srv := t.cpuPerRequest()
		w("| %s | `%s` | %.0f | %s | %.2fx | %d | %.1f us | %.2fx | %.1f us | %.2f cores |\n", t.name, t.command, median(t.rps()),
			strings.Join(rounds, ", "), rv, t.failed(), gen, ratio(gen, vegetaCPU), srv, t.otherCores())
	}
	w("\n")
}

func renderScaling(w writef, rows []scalingRow, cfg config, cores int) {
	w("## 2. Scaling of the built-in target per strategy\n\n")
	w("`contend serve` with the base models (one ONNX Runtime thread per inference), warmed, one child process\n")
	w("per strategy, driven by the Runner's sweep step: %d requests at each concurrency level. Throughput is\n", cfg.perLevel)
	w("successful requests per second of each level's wall time. The report's USL fit uses only the levels up\n")
	w("to the machine's %d cores (past them a flat line is the hardware); the last columns fit every level.\n\n", cores)
	w("| strategy |")
	for _, c := range cfg.levels {
		w(" X(%d) req/s |", c)
	}
	last := cfg.levels[len(cfg.levels)-1]
	w(" X(%d)/X(1) | p50 at c=%d | target CPU at c=%d | USL sigma | USL kappa | sigma, kappa (all levels) | diagnosis |\n|---|",
		last, last, last)
	for range cfg.levels {
		w("---:|")
	}
	w("---:|---:|---:|---:|---:|---|---|\n")
	for _, s := range rows {
		w("| %s |", s.strategy)
		for _, c := range cfg.levels {
			w(" %.2f |", s.throughputAt(c))
		}
		p50, cpu := 0.0, "-"
		for _, l := range s.levels {
			if l.Concurrency == last {
				p50 = l.P50
				if l.CPUUtil != nil {
					cpu = fmt.Sprintf("%.2f cores", *l.CPUUtil)
				}
			}
		}
		sigma, kappa, all := "-", "-", "-"
		if s.fit != nil {
			sigma, kappa = fmt.Sprintf("%.3f", s.fit.Sigma), fmt.Sprintf("%.3f", s.fit.Kappa)
		}
		if s.fitAll != nil {
			all = fmt.Sprintf("%.3f, %.3f", s.fitAll.Sigma, s.fitAll.Kappa)
		}
		w(" %.2fx | %.0f ms | %s | %s | %s | %s | %s |\n", ratio(s.throughputAt(last), s.throughputAt(1)), p50,
			cpu, sigma, kappa, all, cell(s.diagnosis))
	}
	for _, s := range rows {
		if s.note != "" {
			w("\n%s fit: %s.", s.strategy, s.note)
		}
	}
	w("\n\n")
}

func renderOverhead(w writef, g goBenchResult) {
	w("## 3. Target overhead and concurrency (`go test -bench ./target/`)\n\n")
	w("Commands: `%s`.\n\n", strings.Join(g.commands, "`, `"))
	t := g.translate
	w("BenchmarkTranslate alternates one translation through HTTP on loopback with the same translation\n")
	w("called on the ONNX sessions directly (%s models, %d iterations).\n\n", g.models, t.iters)
	w("| direct ms/op | via HTTP ms/op | overhead |\n|---:|---:|---:|\n")
	w("| %.1f | %.1f | %+.1f%% |\n\n", t.metrics["direct-ns/op"]/1e6, t.metrics["http-ns/op"]/1e6, t.metrics["overhead-ratio"]*100)
	w("BenchmarkConcurrency: 4 concurrent requests over 4 sequential ones, wall time, warm server.\n\n")
	w("| strategy | wall ratio | iterations | ms/op (8 requests) |\n|---|---:|---:|---:|\n")
	for _, l := range g.concurrency {
		w("| %s | %.2f | %d | %.0f |\n", l.sub, l.metrics["wall-ratio"], l.iters, l.metrics["ns/op"]/1e6)
	}
	w("\n")
}

func renderCold(w writef, rows []coldRow) {
	w("## 4. Cold start (`contend serve --strategy eager`)\n\n")
	w("Medians over the repeats. Ready is process start to the first 200 from /readyz (ONNX Runtime init\n")
	w("and both model loads included; the Runner's own spawn and readiness poll, every 50 ms); load is the server's own contend_model_load_seconds for both models.\n")
	w("Memory is from /proc/PID/status: VmHWM, the peak resident set while loading, and VmRSS once loaded\n")
	w("(buffers freed after the load go back to the OS gradually, so it varies by a few hundred MiB), then\n")
	w("after one translation in each direction.\n\n")
	w("| size | repeats | ready | load both models | peak VmHWM | VmRSS loaded | process_resident_memory_bytes | VmRSS after 2 translations | first request |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		w("| %s | %d | %.2f s | %.2f s | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB | %.0f ms |\n", r.size, len(r.samples),
			r.medianOf(func(s coldSample) float64 { return s.ready.Seconds() }),
			r.medianOf(func(s coldSample) float64 { return s.load.Seconds() }),
			r.medianOf(func(s coldSample) float64 { return s.rssPeak })/(1<<20),
			r.medianOf(func(s coldSample) float64 { return s.rssLoaded })/(1<<20),
			r.medianOf(func(s coldSample) float64 { return s.rssMetrics })/(1<<20),
			r.medianOf(func(s coldSample) float64 { return s.rssServed })/(1<<20),
			r.medianOf(func(s coldSample) float64 { return float64(s.firstReq) / float64(time.Millisecond) }))
	}
	w("\n")
}

func renderPhases(w writef, phases []phaseLoad, cores int) {
	w("## Machine load during the run\n\n")
	w("CPU of this run (the driver and every process it started) and of everything else on the %d-core\n", cores)
	w("machine, averaged over each part, from getrusage and /proc/stat. Other load above zero means other\n")
	w("processes competed for the cores, and the part's figures are lower and noisier than on a quiet machine.\n\n")
	w("| part | wall | this run | other load | load average at start |\n|---|---:|---:|---:|---:|\n")
	for _, p := range phases {
		w("| %s | %.0f s | %.2f cores | %.2f cores | %.2f |\n", p.name, p.wall.Seconds(),
			ratio(p.own.Seconds(), p.wall.Seconds()), p.otherCores(), p.loadStart)
	}
	w("\n")
}

// cell makes s safe in a Markdown table cell ("-" for empty).
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
