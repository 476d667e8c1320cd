package scenarios

import "gopkg.in/yaml.v3"

// The keys each mapping accepts, in the order a scenario file lists them. Validate
// relies on stepKeys starting with name and mode, and on expectKeys starting with
// strategy and step (the rest are load settings and thresholds).
var (
	scenarioKeys = []string{"name", "target", "request", "steps", "compare", "expect", "baseline"}
	targetKeys   = []string{"builtin", "url", "ideal"}
	builtinKeys  = []string{"strategies", "size", "cold", "load_delay", "intra_op_threads"}
	requestKeys  = []string{"method", "path", "headers", "body", "timeout", "max_body", "past_max_body", "expect"}
	responseKeys = []string{"status", "json"}
	stepKeys     = []string{"name", "mode", "requests", "concurrency", "rate", "rate_to", "duration",
		"levels", "requests_per_level", "warmup", "timeout"}
	compareKeys = []string{"base", "step"}
	expectKeys  = []string{"strategy", "step", "max_timeouts", "max_errors", "min_speedup",
		"min_efficiency", "max_p99", "max_sigma", "max_rss_growth", "max_goroutine_growth", "max_fd_growth"}
	baselineKeys = []string{"max_speedup_drop", "max_p99_rise"}
)

// scenario decodes the document's root mapping.
func (d *decoder) scenario(n *yaml.Node) Scenario {
	var s Scenario
	d.fields(n, "", scenarioKeys, func(p pair) {
		switch p.key {
		case "name":
			s.Name = d.str(p.val, p.path)
		case "target":
			s.Target = d.target(p.val, p.path)
		case "request":
			s.Request = d.request(p.val, p.path)
		case "steps":
			for i, item := range d.items(p.val, p.path) {
				s.Steps = append(s.Steps, d.step(item, index(p.path, i)))
			}
		case "compare":
			for i, item := range d.items(p.val, p.path) {
				s.Compare = append(s.Compare, d.compare(item, index(p.path, i)))
			}
		case "expect":
			for i, item := range d.items(p.val, p.path) {
				s.Expect = append(s.Expect, d.expect(item, index(p.path, i)))
			}
		case "baseline":
			s.Baseline = d.baseline(p.val, p.path)
		}
	})
	return s
}

func (d *decoder) target(n *yaml.Node, path string) Target {
	var t Target
	d.fields(n, path, targetKeys, func(p pair) {
		switch p.key {
		case "builtin":
			b := d.builtin(p.val, p.path)
			t.Builtin = &b
		case "url":
			t.URL = d.str(p.val, p.path)
		case "ideal":
			t.Ideal = d.integer(p.val, p.path)
		}
	})
	return t
}

func (d *decoder) builtin(n *yaml.Node, path string) Builtin {
	var b Builtin
	d.fields(n, path, builtinKeys, func(p pair) {
		switch p.key {
		case "strategies":
			b.Strategies = d.strings(p.val, p.path)
		case "size":
			b.Size = d.str(p.val, p.path)
		case "cold":
			b.Cold = d.boolean(p.val, p.path)
		case "load_delay":
			b.LoadDelay = d.duration(p.val, p.path)
		case "intra_op_threads":
			b.IntraOpThreads = d.integer(p.val, p.path)
		}
	})
	return b
}

func (d *decoder) request(n *yaml.Node, path string) Request {
	var r Request
	d.fields(n, path, requestKeys, func(p pair) {
		switch p.key {
		case "method":
			r.Method = d.str(p.val, p.path)
		case "path":
			r.Path = d.str(p.val, p.path)
		case "headers":
			r.Headers = map[string]string{}
			for _, h := range d.pairs(p.val, p.path) {
				d.lines[h.path] = h.line
				r.Headers[h.key] = d.str(h.val, h.path)
			}
		case "body":
			r.Body = d.str(p.val, p.path)
		case "timeout":
			r.Timeout = d.duration(p.val, p.path)
		case "max_body":
			r.MaxBody = int64(d.integer(p.val, p.path))
		case "past_max_body":
			r.PastMaxBody = d.str(p.val, p.path)
		case "expect":
			r.Expect = d.responseExpect(p.val, p.path)
		}
	})
	return r
}

func (d *decoder) responseExpect(n *yaml.Node, path string) ResponseExpect {
	var e ResponseExpect
	d.fields(n, path, responseKeys, func(p pair) {
		switch p.key {
		case "status":
			e.Status = d.integer(p.val, p.path)
		case "json":
			v := d.boolean(p.val, p.path)
			e.JSON = &v
		}
	})
	return e
}

func (d *decoder) step(n *yaml.Node, path string) Step {
	st := Step{Line: resolveAlias(n).Line}
	d.lines[path] = st.Line
	d.fields(n, path, stepKeys, func(p pair) {
		switch p.key {
		case "name":
			st.Name = d.str(p.val, p.path)
		case "mode":
			st.Mode = d.str(p.val, p.path)
		case "requests":
			st.Requests = d.integer(p.val, p.path)
		case "concurrency":
			st.Concurrency = d.integer(p.val, p.path)
		case "rate":
			st.Rate = d.rate(p.val, p.path)
		case "rate_to":
			st.RateTo = d.rate(p.val, p.path)
		case "duration":
			st.Duration = d.duration(p.val, p.path)
		case "levels":
			st.Levels = d.integers(p.val, p.path)
		case "requests_per_level":
			st.RequestsPerLevel = d.integer(p.val, p.path)
		case "warmup":
			st.Warmup = d.integer(p.val, p.path)
		case "timeout":
			st.Timeout, st.TimeoutOf = d.stepTimeout(p.val, p.path)
		}
	})
	return st
}

func (d *decoder) compare(n *yaml.Node, path string) Compare {
	var c Compare
	d.lines[path] = resolveAlias(n).Line
	d.fields(n, path, compareKeys, func(p pair) {
		switch p.key {
		case "base":
			c.Base = d.str(p.val, p.path)
		case "step":
			c.Step = d.str(p.val, p.path)
		}
	})
	return c
}

func (d *decoder) expect(n *yaml.Node, path string) Expect {
	e := Expect{Line: resolveAlias(n).Line}
	d.lines[path] = e.Line
	d.fields(n, path, expectKeys, func(p pair) {
		switch p.key {
		case "strategy":
			e.Strategy = d.str(p.val, p.path)
		case "step":
			e.Step = d.str(p.val, p.path)
		case "max_timeouts":
			v := d.integer(p.val, p.path)
			e.MaxTimeouts = &v
		case "max_errors":
			v := d.integer(p.val, p.path)
			e.MaxErrors = &v
		case "min_speedup":
			v := d.number(p.val, p.path)
			e.MinSpeedup = &v
		case "min_efficiency":
			v := d.number(p.val, p.path)
			e.MinEfficiency = &v
		case "max_p99":
			v := d.duration(p.val, p.path)
			e.MaxP99 = &v
		case "max_sigma":
			v := d.number(p.val, p.path)
			e.MaxSigma = &v
		case "max_rss_growth":
			v := d.growth(p.val, p.path)
			e.MaxRSSGrowth = &v
		case "max_goroutine_growth":
			v := d.growth(p.val, p.path)
			e.MaxGoroutineGrowth = &v
		case "max_fd_growth":
			v := d.growth(p.val, p.path)
			e.MaxFDGrowth = &v
		}
	})
	return e
}

func (d *decoder) baseline(n *yaml.Node, path string) Baseline {
	var b Baseline
	d.fields(n, path, baselineKeys, func(p pair) {
		switch p.key {
		case "max_speedup_drop":
			b.MaxSpeedupDrop = d.number(p.val, p.path)
		case "max_p99_rise":
			b.MaxP99Rise = d.number(p.val, p.path)
		}
	})
	return b
}
