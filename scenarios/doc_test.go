package scenarios

import (
	"os"
	"strings"
	"testing"
)

// TestDocExampleLoads keeps the package documentation's complete scenario file
// valid: it is cut out of doc.go and loaded.
func TestDocExampleLoads(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "// A complete file")
	if !ok {
		t.Fatal("doc.go has no complete example")
	}
	var yaml strings.Builder
	for _, line := range strings.Split(rest, "\n")[1:] {
		if !strings.HasPrefix(line, "//") {
			break
		}
		if text, ok := strings.CutPrefix(line, "//\t"); ok {
			yaml.WriteString(text + "\n")
		} else if line != "//" {
			break
		}
	}
	s, err := Load(strings.NewReader(yaml.String()), "doc.go example")
	if err != nil {
		t.Fatalf("the example in doc.go does not load:\n%v\n%s", err, yaml.String())
	}
	if got, want := len(s.Steps), len(Modes()); got != want {
		t.Errorf("example has %d steps, want one per mode (%d)", got, want)
	}
	seen := map[string]bool{}
	for _, st := range s.Steps {
		seen[st.Mode] = true
	}
	for _, m := range Modes() {
		if !seen[m] {
			t.Errorf("example shows no %s step", m)
		}
	}
}
