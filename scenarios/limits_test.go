package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLoadStopsExpandingAliases feeds Load small files whose aliases and merge
// keys would expand exponentially, and checks it answers quickly with a problem.
func TestLoadStopsExpandingAliases(t *testing.T) {
	mergeBomb := func() string {
		var b strings.Builder
		b.WriteString("defs:\n  - &m0 {X-A: a, X-B: b}\n")
		for i := 1; i <= 60; i++ {
			fmt.Fprintf(&b, "  - &m%d {<<: [*m%d, *m%d]}\n", i, i-1, i-1)
		}
		b.WriteString("target: {url: 'http://127.0.0.1:1'}\nrequest: {headers: {<<: *m60}}\nsteps: [{mode: sequential, requests: 1}]\n")
		return b.String()
	}
	listBomb := func() string {
		var b strings.Builder
		b.WriteString("defs: &l0 [" + strings.Repeat("1, ", 2000) + "1]\n")
		b.WriteString("target: {url: 'http://127.0.0.1:1'}\nsteps:\n")
		for i := 0; i < 3000; i++ {
			fmt.Fprintf(&b, "  - {name: s%d, mode: sweep, levels: *l0}\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"merge keys", mergeBomb(), "values, counting every use of an alias or merge key"},
		{"aliased lists", listBomb(), "values, counting every use of an alias or merge key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Load(strings.NewReader(tt.in), "bomb.yaml")
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("Load took %v", took)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadCapsProblems(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "bad%d: 1\n", i)
	}
	_, err := Load(strings.NewReader(b.String()), "many.yaml")
	got := Problems(err)
	if len(got) != maxProblems+1 {
		t.Fatalf("got %d problems, want %d kept and a summary", len(got), maxProblems)
	}
	// 250 unknown keys, no target and no steps: 252 problems, 100 kept.
	if want := "many.yaml: 152 more problems not shown"; got[len(got)-1].Error() != want {
		t.Errorf("last problem = %q, want %q", got[len(got)-1], want)
	}
}

func TestLoadRejectsHugeFiles(t *testing.T) {
	in := "name: x\n" + strings.Repeat("# padding\n", MaxFileSize/10+1)
	_, err := Load(strings.NewReader(in), "big.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml: larger than 1048576 bytes") {
		t.Errorf("err = %v, want the size limit", err)
	}
}
