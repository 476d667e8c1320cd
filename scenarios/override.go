package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Clone returns a deep copy of the scenario, sharing nothing with it.
func (s *Scenario) Clone() *Scenario {
	c := *s
	if b := s.Target.Builtin; b != nil {
		nb := *b
		nb.Strategies = slices.Clone(b.Strategies)
		c.Target.Builtin = &nb
	}
	c.Request.Headers = maps.Clone(s.Request.Headers)
	c.Request.Expect.JSON = clonePtr(s.Request.Expect.JSON)
	c.Steps = slices.Clone(s.Steps)
	for i := range c.Steps {
		c.Steps[i].Levels = slices.Clone(s.Steps[i].Levels)
		c.Steps[i].TimeoutOf = clonePtr(s.Steps[i].TimeoutOf)
	}
	c.Compare = slices.Clone(s.Compare)
	c.Expect = slices.Clone(s.Expect)
	for i := range c.Expect {
		c.Expect[i] = c.Expect[i].clone()
	}
	c.lines = maps.Clone(s.lines)
	return &c
}

func (e Expect) clone() Expect {
	e.MaxTimeouts = clonePtr(e.MaxTimeouts)
	e.MaxErrors = clonePtr(e.MaxErrors)
	e.MinSpeedup = clonePtr(e.MinSpeedup)
	e.MinEfficiency = clonePtr(e.MinEfficiency)
	e.MaxP99 = clonePtr(e.MaxP99)
	e.MaxSigma = clonePtr(e.MaxSigma)
	e.MaxRSSGrowth = clonePtr(e.MaxRSSGrowth)
	e.MaxGoroutineGrowth = clonePtr(e.MaxGoroutineGrowth)
	e.MaxFDGrowth = clonePtr(e.MaxFDGrowth)
	return e
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// WithStrategies returns a copy of a built-in scenario that runs names, in that
// order, instead of its own strategies (as `--strategy a,b` asks). Expectations
// naming a strategy left out are dropped from the copy; those naming none stay.
// It returns an error for a URL target, an empty list, or an invalid copy.
func (s *Scenario) WithStrategies(names ...string) (*Scenario, error) {
	if !s.IsBuiltin() {
		return nil, fmt.Errorf("scenario %q: strategies apply to the built-in target, not to %s", s.Name, RedactURL(s.Target.URL))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("scenario %q: no strategies given", s.Name)
	}
	c := s.Clone()
	c.Target.Builtin.Strategies = slices.Clone(names)
	c.Expect = slices.DeleteFunc(c.Expect, func(e Expect) bool {
		return e.Strategy != "" && !slices.Contains(names, e.Strategy)
	})
	c.forget("target.builtin.strategies")
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %q with strategies %v: %w", s.Name, names, err)
	}
	return c, nil
}

// WithURL returns a copy of the scenario that attacks the service at rawURL
// instead of its own target (as `--target URL` asks). A URL has no strategies,
// so expectations naming one are dropped from the copy; those naming none stay.
// The copy keeps Target.Ideal. It returns an error for an empty or invalid URL.
func (s *Scenario) WithURL(rawURL string) (*Scenario, error) {
	if rawURL == "" {
		return nil, fmt.Errorf("scenario %q: no target url given", s.Name)
	}
	c := s.Clone()
	c.Target.Builtin = nil
	c.Target.URL = rawURL
	c.Expect = slices.DeleteFunc(c.Expect, func(e Expect) bool { return e.Strategy != "" })
	c.forget("target")
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %q with target %s: %w", s.Name, RedactURL(rawURL), err)
	}
	return c, nil
}

// forget drops the recorded lines of path and everything under it, so errors about
// a value set in code do not point at the line of the value it replaced.
func (s *Scenario) forget(path string) {
	for p := range s.lines {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			delete(s.lines, p)
		}
	}
}
