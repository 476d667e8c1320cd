package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"mime"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The step fields each mode takes; any other step field written on a step of that
// mode is an error.
var modeFields = map[string][]string{
	ModeSequential: {"requests", "concurrency", "warmup", "timeout"},
	ModeConcurrent: {"requests", "concurrency", "warmup", "timeout"},
	ModeRate:       {"rate", "duration", "warmup", "timeout"},
	ModeRamp:       {"rate", "rate_to", "duration", "warmup", "timeout"},
	ModeSweep:      {"levels", "requests_per_level", "warmup", "timeout"},
}

// Validate checks the scenario as a whole: the target, the request, each step
// against its mode, and that compare and expect entries name steps and strategies
// the scenario has. It expects defaults applied (Load does both) and returns nil,
// one *Error, or several joined and sorted by line (see Problems).
func (s *Scenario) Validate() error {
	v := newValidator(s)
	v.validate()
	return v.err()
}

// validator checks one scenario, naming the line of each field through s.lines.
type validator struct {
	*problems
	s *Scenario
	// steps maps each step name to the index of its first step.
	steps map[string]int
	// compared holds the names of steps some compare entry measures.
	compared map[string]bool
}

func newValidator(s *Scenario) validator {
	v := validator{s: s, problems: &problems{file: s.File}, steps: map[string]int{}, compared: map[string]bool{}}
	for i, st := range s.Steps {
		if _, dup := v.steps[st.Name]; !dup {
			v.steps[st.Name] = i
		}
	}
	for _, c := range s.Compare {
		v.compared[c.Step] = true
	}
	return v
}

// fail records a problem at path, on the line where path (or its nearest
// written parent) is.
func (v validator) fail(path, format string, args ...any) {
	v.add(v.line(path), path, format, args...)
}

// line returns the line of path or of its nearest parent written in the file.
// A missing top-level key gets the document's first line (where to add it);
// anything else not written, such as a field set in code, gets 0.
func (v validator) line(path string) int {
	for p := path; ; {
		if l, ok := v.s.lines[p]; ok {
			return l
		}
		cut := strings.LastIndexAny(p, ".[")
		if cut < 0 {
			break
		}
		p = p[:cut]
	}
	if !strings.ContainsAny(path, ".[") {
		return v.s.lines[""]
	}
	return 0
}

func (v validator) validate() {
	v.target()
	v.request()
	if len(v.s.Steps) == 0 {
		v.fail("steps", "no steps: a scenario needs at least one (modes: %s)", strings.Join(Modes(), ", "))
	}
	for i, st := range v.s.Steps {
		path := index("steps", i)
		v.step(st, path)
		v.relTimeout(st, i, path)
		if j := v.steps[st.Name]; j != i && st.Name != "" {
			v.fail(path+".name", "step name %q is already used by steps[%d] (line %d); give each step its own name",
				st.Name, j, v.line(index("steps", j)))
		}
	}
	for i, c := range v.s.Compare {
		v.compare(c, index("compare", i))
	}
	for i, e := range v.s.Expect {
		v.expect(e, index("expect", i))
	}
	v.baseline()
}

func (v validator) target() {
	t := v.s.Target
	hasURL := t.URL != "" || v.s.written("target.url")
	switch {
	case t.Builtin != nil && hasURL:
		v.fail("target", "both url and builtin are set; a scenario attacks one target")
	case t.Builtin == nil && !hasURL:
		v.fail("target", "no target: set url (an HTTP service) or builtin (the built-in translation target)")
	}
	if hasURL {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.fail("target.url", "%q is not an http or https URL with a host", RedactURL(t.URL))
		}
	}
	if t.Builtin != nil {
		v.builtin(*t.Builtin)
	}
	if t.Ideal < 0 {
		v.fail("target.ideal", "ideal %d is negative (0 means the core count or the concurrency)", t.Ideal)
	}
}

func (v validator) builtin(b Builtin) {
	const path = "target.builtin"
	if len(b.Strategies) == 0 {
		v.fail(path+".strategies", "no strategies (valid: %s)", strings.Join(KnownStrategies(), ", "))
	}
	seen := map[string]bool{}
	for i, name := range b.Strategies {
		p := index(path+".strategies", i)
		switch {
		case !slices.Contains(KnownStrategies(), name):
			v.fail(p, "unknown strategy %q (valid: %s)", name, strings.Join(KnownStrategies(), ", "))
		case seen[name]:
			v.fail(p, "strategy %q is listed twice", name)
		}
		seen[name] = true
	}
	if !slices.Contains(Sizes(), b.Size) {
		v.fail(path+".size", "unknown size %q (valid: %s)", b.Size, strings.Join(Sizes(), ", "))
	}
	if b.LoadDelay.Duration < 0 {
		v.fail(path+".load_delay", "load_delay %s is negative", b.LoadDelay)
	}
	if b.IntraOpThreads < 0 {
		v.fail(path+".intra_op_threads", "intra_op_threads %d is negative (0 lets ONNX Runtime choose)", b.IntraOpThreads)
	}
}

func (v validator) request() {
	r := v.s.Request
	if !isToken(r.Method) {
		v.fail("request.method", "%q is not an HTTP method (want a token such as POST or GET)", r.Method)
	}
	if u, err := url.ParseRequestURI(r.Path); err != nil || !strings.HasPrefix(r.Path, "/") || u.Host != "" {
		v.fail("request.path", "%q is not a path (want one starting with /, such as /translate)", r.Path)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Headers)) {
		value, p := r.Headers[name], "request.headers."+name
		if !isToken(name) {
			v.fail(p, "%q is not a valid header name", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			v.fail(p, "header value holds a line break or NUL")
		}
	}
	if ct, ok := r.Header("Content-Type"); ok && r.Body != "" && isJSONType(ct) && !json.Valid([]byte(r.Body)) {
		v.fail("request.body", "body is not valid JSON, but Content-Type is %s", ct)
	}
	if r.Timeout.Duration <= 0 {
		v.fail("request.timeout", "timeout %s must be positive", r.Timeout)
	}
	if r.PastMaxBody != "" && r.PastMaxBody != PastMaxBodyRead && r.PastMaxBody != PastMaxBodyClose {
		v.fail("request.past_max_body", "past_max_body %q must be %s (read the rest and count it) or %s (stop reading and close the connection)",
			r.PastMaxBody, PastMaxBodyRead, PastMaxBodyClose)
	}
	if r.MaxBody < 0 || r.MaxBody > MaxMaxBody {
		v.fail("request.max_body", "max_body %d must be between 0 (keep no body) and %d bytes", r.MaxBody, MaxMaxBody)
	}
	if st := r.Expect.Status; v.s.written("request.expect.status") && (st < 200 || st > 399) {
		v.fail("request.expect.status", "status %d is not a success (want 200-399); any other status already counts as an error", st)
	}
}

func isJSONType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2), as
// methods and header names must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// isStepName reports whether s can name a step: letters, digits, '.', '_' and
// '-', not starting with '.' or '-', since step names become file names under --out.
func isStepName(s string) bool {
	if s == "" || s[0] == '.' || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// present reports whether a step field was written in the file or, for a step
// built in code, holds a value.
func (v validator) present(st Step, path, field string) bool {
	if v.s.written(path + "." + field) {
		return true
	}
	switch field {
	case "requests":
		return st.Requests != 0
	case "concurrency":
		return st.Concurrency != 0
	case "rate":
		return !st.Rate.IsZero()
	case "rate_to":
		return !st.RateTo.IsZero()
	case "duration":
		return st.Duration.Duration != 0
	case "levels":
		return len(st.Levels) > 0
	case "requests_per_level":
		return st.RequestsPerLevel != 0
	case "warmup":
		return st.Warmup != 0
	case "timeout":
		return st.Timeout.Duration != 0 || st.TimeoutOf != nil
	}
	return false
}

func (v validator) step(st Step, path string) {
	if !isStepName(st.Name) {
		v.fail(path+".name", "%q is not a step name (want letters, digits, '.', '_' or '-'; names become file names)", st.Name)
	}
	fields, ok := modeFields[st.Mode]
	if !ok {
		if st.Mode == "" {
			v.fail(path+".mode", "no mode (valid: %s)", strings.Join(Modes(), ", "))
		} else {
			v.fail(path+".mode", "unknown mode %q (valid: %s)", st.Mode, strings.Join(Modes(), ", "))
		}
		return
	}
	for _, f := range stepKeys[2:] {
		if !slices.Contains(fields, f) && v.present(st, path, f) {
			v.fail(path+"."+f, "%s does not belong to a %s step (%s steps take %s)",
				f, st.Mode, st.Mode, strings.Join(fields, ", "))
		}
	}
	if st.Warmup < 0 {
		v.fail(path+".warmup", "warmup %d is negative", st.Warmup)
	} else if st.Warmup > MaxRequests {
		v.fail(path+".warmup", "warmup %d is above the limit of %d requests a step", st.Warmup, MaxRequests)
	}
	if v.present(st, path, "timeout") && st.TimeoutOf == nil && st.Timeout.Duration <= 0 {
		v.fail(path+".timeout", "timeout %s must be positive", st.Timeout)
	}
	switch st.Mode {
	case ModeSequential, ModeConcurrent:
		v.requestBound(st, path)
	case ModeRate, ModeRamp:
		v.timeBound(st, path)
	case ModeSweep:
		v.sweep(st, path)
	}
}

// relTimeout checks that a relative timeout scales a step that runs before the
// i-th on the same target.
func (v validator) relTimeout(st Step, i int, path string) {
	rel := st.TimeoutOf
	if rel == nil {
		return
	}
	path += ".timeout"
	if st.Timeout.Duration != 0 {
		v.fail(path, "a step's timeout is a duration or a multiple of an earlier step's latency (%s), not both", rel)
	}
	if !(rel.Factor > 0) || math.IsInf(rel.Factor, 0) {
		v.fail(path, "timeout %s: the factor must be a positive number", rel)
	}
	j, ok := v.steps[rel.Step]
	switch {
	case ok && j < i:
		return
	case rel.Step == st.Name:
		v.fail(path, "timeout %s scales the step's own latency; name an earlier step", rel)
	default:
		earlier := make([]string, 0, i)
		for _, e := range v.s.Steps[:i] {
			earlier = append(earlier, e.Name)
		}
		what := "the first step has none before it"
		if len(earlier) > 0 {
			what = "earlier steps: " + strings.Join(earlier, ", ")
		}
		if ok {
			v.fail(path, "timeout %s: step %q runs later; it must run before this one (%s)", rel, rel.Step, what)
		} else {
			v.fail(path, "timeout %s: no earlier step is named %q (%s)", rel, rel.Step, what)
		}
	}
}

func (v validator) requestBound(st Step, path string) {
	if st.Requests < 1 {
		v.fail(path+".requests", "a %s step needs requests of at least 1 (got %d)", st.Mode, st.Requests)
		return
	}
	if st.Requests > MaxRequests {
		v.fail(path+".requests", "requests %d is above the limit of %d a step; split the load into several steps", st.Requests, MaxRequests)
	}
	switch {
	case st.Mode == ModeSequential && st.Concurrency != 1:
		v.fail(path+".concurrency", "a sequential step sends one request at a time (got concurrency %d); use mode: concurrent", st.Concurrency)
	case st.Concurrency < 1:
		v.fail(path+".concurrency", "concurrency must be at least 1 (got %d)", st.Concurrency)
	case st.Concurrency > MaxConcurrency:
		v.fail(path+".concurrency", "concurrency %d is above the limit of %d workers", st.Concurrency, MaxConcurrency)
	case st.Concurrency > st.Requests:
		v.fail(path+".concurrency", "concurrency %d is more than requests %d: the extra workers would have nothing to send",
			st.Concurrency, st.Requests)
	}
}

func (v validator) timeBound(st Step, path string) {
	if st.Rate.PerSecond() <= 0 {
		v.fail(path+".rate", "a %s step needs a rate above 0, such as 20/s", st.Mode)
	}
	if st.Mode == ModeRamp && st.RateTo.PerSecond() <= 0 {
		v.fail(path+".rate_to", "a ramp step needs rate_to above 0: it ramps from rate to rate_to")
	}
	if st.Duration.Duration <= 0 {
		v.fail(path+".duration", "a %s step needs a positive duration, such as 30s (got %s)", st.Mode, st.Duration)
	} else if st.Duration.Duration > MaxDuration {
		v.fail(path+".duration", "duration %s is above the limit of %s a step", st.Duration, MaxDuration)
	}
	if v.has(path+".rate") || v.has(path+".rate_to") || v.has(path+".duration") {
		return
	}
	// The duration ends the step whatever the rate, so a rate too slow to fall
	// due within it would send nothing.
	what := "rate " + st.Rate.String()
	if st.Mode == ModeRamp {
		what = fmt.Sprintf("a ramp from %s to %s", st.Rate, st.RateTo)
	}
	switch n := st.OfferedRequests(); {
	case n < 1-1e-9: // a little slack for float rounding of exactly one request
		fix := "raise the rate"
		if need := float64(st.Duration.Duration) / n; need <= float64(MaxDuration) {
			fix += " or make the duration at least " + time.Duration(need).Round(time.Millisecond).String()
		}
		v.fail(path+".duration", "%s over %s comes to %.3g requests: the step ends at its duration and could not send one; %s",
			what, st.Duration, n, fix)
	case n > MaxRequests:
		v.fail(path+".duration", "%s over %s comes to %.3g requests, above the limit of %d a step", what, st.Duration, n, MaxRequests)
	}
}

func (v validator) sweep(st Step, path string) {
	if len(st.Levels) == 0 {
		v.fail(path+".levels", "a sweep step needs levels, such as [1, 2, 4, 8]")
	}
	for i, l := range st.Levels {
		switch {
		case l < 1:
			v.fail(index(path+".levels", i), "level %d must be at least 1", l)
		case l > MaxConcurrency:
			v.fail(index(path+".levels", i), "level %d is above the limit of %d workers", l, MaxConcurrency)
		case i > 0 && l <= st.Levels[i-1]:
			v.fail(index(path+".levels", i), "level %d does not rise above %d: levels must go up", l, st.Levels[i-1])
		}
	}
	if st.RequestsPerLevel < 1 {
		v.fail(path+".requests_per_level", "requests_per_level must be at least 1 (got %d)", st.RequestsPerLevel)
	} else if st.RequestsPerLevel > MaxRequests || len(st.Levels)*st.RequestsPerLevel > MaxRequests {
		v.fail(path+".requests_per_level", "%d levels x requests_per_level %d is above the limit of %d requests a step",
			len(st.Levels), st.RequestsPerLevel, MaxRequests)
	} else if top := slices.Max(append([]int{0}, st.Levels...)); st.RequestsPerLevel < top {
		v.fail(path+".requests_per_level", "requests_per_level %d is below the top level %d, which would never reach its concurrency",
			st.RequestsPerLevel, top)
	}
}

// stepRef checks that name, at path, names a step, and returns it.
func (v validator) stepRef(name, path string) (Step, bool) {
	if name == "" {
		v.fail(path, "no step given (steps: %s)", strings.Join(v.stepNames(), ", "))
		return Step{}, false
	}
	i, ok := v.steps[name]
	if !ok {
		v.fail(path, "unknown step %q (steps: %s)", name, strings.Join(v.stepNames(), ", "))
		return Step{}, false
	}
	return v.s.Steps[i], true
}

// stepNames returns the first few distinct step names, for messages.
func (v validator) stepNames() []string {
	const show = 12
	var names []string
	for i, st := range v.s.Steps {
		if v.steps[st.Name] != i {
			continue // a repeated name
		}
		if len(names) == show {
			return append(names, "...")
		}
		names = append(names, st.Name)
	}
	return names
}

func (v validator) compare(c Compare, path string) {
	for _, ref := range []struct{ name, key string }{{c.Base, "base"}, {c.Step, "step"}} {
		st, ok := v.stepRef(ref.name, path+"."+ref.key)
		if ok && st.Mode != ModeSequential && st.Mode != ModeConcurrent {
			v.fail(path+"."+ref.key, "step %q is a %s step; only sequential and concurrent steps have a speedup to compare",
				st.Name, st.Mode)
		}
	}
	if c.Base != "" && c.Base == c.Step {
		v.fail(path+".step", "step %q is compared with itself", c.Step)
	}
}

func (v validator) expect(e Expect, path string) {
	v.expectStrategy(e, path)
	st, stepOK := v.stepRef(e.Step, path+".step")
	if e.MaxTimeouts == nil && e.MaxErrors == nil && e.MinSpeedup == nil && e.MinEfficiency == nil &&
		e.MaxP99 == nil && e.MaxSigma == nil && e.MaxRSSGrowth == nil && e.MaxGoroutineGrowth == nil && e.MaxFDGrowth == nil {
		v.fail(path, "no threshold: set at least one of %s", strings.Join(expectKeys[2:], ", "))
	}
	if e.MaxTimeouts != nil && *e.MaxTimeouts < 0 {
		v.fail(path+".max_timeouts", "max_timeouts %d is negative", *e.MaxTimeouts)
	}
	if e.MaxErrors != nil && *e.MaxErrors < 0 {
		v.fail(path+".max_errors", "max_errors %d is negative", *e.MaxErrors)
	}
	if e.MaxP99 != nil && e.MaxP99.Duration <= 0 {
		v.fail(path+".max_p99", "max_p99 %s must be positive", *e.MaxP99)
	}
	if e.MaxSigma != nil && *e.MaxSigma < 0 {
		v.fail(path+".max_sigma", "max_sigma %g is negative", *e.MaxSigma)
	}
	for _, g := range []struct {
		key string
		val *float64
	}{{"min_speedup", e.MinSpeedup}, {"min_efficiency", e.MinEfficiency}} {
		if g.val == nil {
			continue
		}
		if *g.val <= 0 {
			v.fail(path+"."+g.key, "%s %g must be above 0", g.key, *g.val)
		}
		if stepOK && !v.compared[e.Step] {
			v.fail(path+"."+g.key, "%s needs a compare entry with step: %s, which measures it", g.key, e.Step)
		}
	}
	if e.MaxSigma != nil && stepOK && st.Mode != ModeSweep {
		v.fail(path+".max_sigma", "max_sigma needs a sweep step, but %q is a %s step", st.Name, st.Mode)
	}
	v.growth(e, path)
}

// growth checks the resource growth bounds of an expectation: memory takes a size
// or a percentage, goroutines and file descriptors a count or a percentage.
func (v validator) growth(e Expect, path string) {
	if g := e.MaxRSSGrowth; g != nil && !g.IsZero() && !g.Bytes && !g.Relative {
		v.fail(path+".max_rss_growth", "max_rss_growth %s has no unit; want a size such as 20MB/min or a percentage such as 2%%/min", g)
	}
	for _, c := range []struct {
		key string
		g   *Growth
	}{{"max_goroutine_growth", e.MaxGoroutineGrowth}, {"max_fd_growth", e.MaxFDGrowth}} {
		if c.g != nil && c.g.Bytes {
			v.fail(path+"."+c.key, "%s %s is a size; want a count such as 5/min or a percentage such as 2%%/min", c.key, c.g)
		}
	}
}

func (v validator) expectStrategy(e Expect, path string) {
	if e.Strategy == "" {
		return
	}
	p := path + ".strategy"
	switch {
	case !v.s.IsBuiltin():
		v.fail(p, "the target is a url, which has no strategies; leave strategy out")
	case !slices.Contains(KnownStrategies(), e.Strategy):
		v.fail(p, "unknown strategy %q (valid: %s)", e.Strategy, strings.Join(KnownStrategies(), ", "))
	case !slices.Contains(v.s.Strategies(), e.Strategy):
		v.fail(p, "strategy %q is not run by this scenario (target.builtin.strategies: %s)",
			e.Strategy, strings.Join(v.s.Strategies(), ", "))
	}
}

func (v validator) baseline() {
	b := v.s.Baseline
	if b.MaxSpeedupDrop < 0 || b.MaxSpeedupDrop >= 1 {
		v.fail("baseline.max_speedup_drop", "max_speedup_drop %g is not a fraction in [0, 1) (0.10 allows a 10%% drop)", b.MaxSpeedupDrop)
	}
	if b.MaxP99Rise < 0 {
		v.fail("baseline.max_p99_rise", "max_p99_rise %g is negative (0.25 allows a 25%% rise)", b.MaxP99Rise)
	}
}
