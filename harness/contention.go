package harness

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/google/pprof/profile"

	"contend/reports"
)

// Profiles taken around every step of a Go target that serves /debug/pprof.
var contentionProfiles = []string{"block", "mutex"}

// TopCallSites is how many call sites per profile a step keeps.
const TopCallSites = 3

// maxProfileBody caps a downloaded profile.
const maxProfileBody = 32 << 20

// profiler takes a target's block and mutex profiles; the zero value (no base)
// takes none.
type profiler struct {
	client *http.Client
	base   string // the /debug/pprof/ URL, "" for none
}

// siteDelays is the blocked time, in nanoseconds, per call site of one profile.
type siteDelays map[siteKey]float64

type siteKey struct {
	function, file string
	line           int
}

// snapshot returns each profile's blocked time by call site now; nil when the
// target serves none.
func (p *profiler) snapshot(ctx context.Context) map[string]siteDelays {
	if p == nil || p.base == "" {
		return nil
	}
	out := make(map[string]siteDelays)
	for _, name := range contentionProfiles {
		body, code, err := get(ctx, p.client, strings.TrimSuffix(p.base, "/")+"/"+name, maxProfileBody)
		if err != nil || code != http.StatusOK {
			continue
		}
		prof, err := profile.Parse(bytes.NewReader(body))
		if err != nil {
			continue
		}
		out[name] = delaysBySite(prof)
	}
	return out
}

// delta returns the top call sites of what was blocked between before and now.
func (p *profiler) delta(ctx context.Context, before map[string]siteDelays) []reports.CallSite {
	if before == nil {
		return nil
	}
	after := p.snapshot(ctx)
	var out []reports.CallSite
	for _, name := range contentionProfiles {
		a, ok := after[name]
		if !ok {
			continue
		}
		b := before[name]
		var sites []reports.CallSite
		var total float64 // ms, as each site's DelayMs: one site alone has a share of exactly 1
		for k, v := range a {
			d := v - b[k]
			if d <= 0 {
				continue
			}
			total += d / 1e6
			sites = append(sites, reports.CallSite{Profile: name, Function: k.function, File: k.file, Line: k.line, DelayMs: d / 1e6})
		}
		if total <= 0 {
			continue
		}
		sort.Slice(sites, func(i, j int) bool { return sites[i].DelayMs > sites[j].DelayMs })
		for i := range sites {
			sites[i].Share = sites[i].DelayMs / total
			// Kept to the microsecond, but a site that waited less than that
			// still shows its delay: a share above zero beside 0 ms would read as
			// a contradiction.
			if r := math.Round(sites[i].DelayMs*1000) / 1000; r > 0 {
				sites[i].DelayMs = r
			}
		}
		out = append(out, sites[:min(len(sites), TopCallSites)]...)
	}
	return out
}

// delaysBySite sums a block or mutex profile's delay (its last sample value,
// nanoseconds) by the call site of each sample: the innermost frame that is
// neither the runtime's, sync's nor a lock primitive's own (Lock, Unlock, Wait:
// their caller is where a reader looks).
func delaysBySite(p *profile.Profile) siteDelays {
	out := make(siteDelays)
	idx := len(p.SampleType) - 1
	for i, st := range p.SampleType {
		if st.Type == "delay" {
			idx = i
		}
	}
	if idx < 0 {
		return out
	}
	for _, s := range p.Sample {
		if idx >= len(s.Value) || s.Value[idx] <= 0 {
			continue
		}
		if k, ok := callSite(s); ok {
			out[k] += float64(s.Value[idx])
		}
	}
	return out
}

// callSite picks a sample's call site (see delaysBySite).
func callSite(s *profile.Sample) (siteKey, bool) {
	var fallback *siteKey
	for _, loc := range s.Location {
		for _, ln := range loc.Line { // innermost (inlined) first
			if ln.Function == nil {
				continue
			}
			name := ln.Function.Name
			if systemFrame(name) {
				continue
			}
			k := siteKey{function: shortFunc(name), file: shortFile(ln.Function.Filename), line: int(ln.Line)}
			if lockPrimitive(name) {
				if fallback == nil {
					fallback = &k
				}
				continue
			}
			return k, true
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return siteKey{}, false
}

// systemFrame reports whether a function belongs to the runtime or the standard
// library's synchronisation.
func systemFrame(name string) bool {
	for _, p := range []string{"runtime.", "sync.", "internal/", "sync/atomic."} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// lockPrimitive reports whether a function is a lock's own method, whose caller
// is the call site.
func lockPrimitive(name string) bool {
	for _, m := range []string{".Lock", ".RLock", ".Unlock", ".RUnlock", ".TryLock", ".Wait"} {
		if strings.HasSuffix(name, m) {
			return true
		}
	}
	return false
}

// shortFunc drops a function's package path up to its last element:
// contend/target.(*naive).Acquire -> target.(*naive).Acquire.
func shortFunc(name string) string {
	slash := strings.LastIndexByte(name, '/')
	if slash < 0 {
		return name
	}
	return name[slash+1:]
}

// shortFile keeps a source file's last two path elements: target/locking.go.
func shortFile(file string) string {
	dir, base := path.Split(path.Clean(file))
	return path.Join(path.Base(dir), base)
}

// pprofBase returns the /debug/pprof/ URL to profile: explicit when given (a
// URL), else with PprofAuto the target's own when it answers there on loopback;
// "" when there is none.
func pprofBase(ctx context.Context, c *http.Client, explicit, base string) string {
	switch explicit {
	case "":
		return ""
	case PprofAuto:
	default:
		return explicit
	}
	u, err := url.Parse(base)
	if err != nil || !isLoopback(u.Hostname()) {
		return ""
	}
	root := joinURL(rootURL(base), "/debug/pprof/")
	_, code, err := get(ctx, c, root, 1<<20)
	if err != nil || code != http.StatusOK {
		return ""
	}
	return root
}
