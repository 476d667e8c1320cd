package reports

import (
	"math"
	"testing"
)

// FuzzParseServerTiming: a target's Server-Timing header is untrusted input. Parsing
// it never panics and never yields a negative or non-finite duration.
func FuzzParseServerTiming(f *testing.F) {
	for _, seed := range []string{
		"wait;dur=12.5, load;dur=0, infer;dur=140.2",
		`wait;desc="lock";dur=3`,
		"infer;dur=NaN, wait;dur=-1, load;dur=1e309",
		"wait;;dur=, ,;dur=5,load",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		st := ParseServerTiming([]string{header})
		for name, v := range map[string]float64{"wait": st.WaitMs, "load": st.LoadMs, "infer": st.InferMs} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseServerTiming(%q): %s = %v", header, name, v)
			}
		}
		if !st.Have && (st.WaitMs != 0 || st.LoadMs != 0 || st.InferMs != 0) {
			t.Fatalf("ParseServerTiming(%q) = %+v: durations without Have", header, st)
		}
	})
}
