package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// shipped holds the scenario files that ship with contend, so that the binary
// runs them (`contend demo` runs seed-repro) without the source tree.
//
//go:embed *.yaml
var shipped embed.FS

// ShippedNames returns the names of the shipped scenarios ("ci", "seed-repro",
// ...), sorted.
func ShippedNames() []string {
	entries, err := fs.ReadDir(shipped, ".")
	if err != nil {
		return nil // cannot happen: the embedded root always reads
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	return names
}

// LoadShipped loads the shipped scenario called name ("seed-repro" or "seed-repro.yaml");
// errors and Scenario.File name it as scenarios/NAME.yaml.
func LoadShipped(name string) (*Scenario, error) {
	file := strings.TrimSuffix(name, ".yaml") + ".yaml"
	if path.Base(file) != file {
		return nil, fmt.Errorf("shipped scenario %q: not a plain name (shipped: %s)", name, strings.Join(ShippedNames(), ", "))
	}
	f, err := shipped.Open(file)
	if err != nil {
		return nil, fmt.Errorf("shipped scenario %q: not found (shipped: %s): %w", name, strings.Join(ShippedNames(), ", "), err)
	}
	defer f.Close()
	return Load(f, path.Join("scenarios", file))
}
