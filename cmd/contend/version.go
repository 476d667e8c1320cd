package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"contend/models"
)

// The modules whose versions a bug report needs, in the order `contend version` lists them.
var reportedModules = []struct{ label, path string }{
	{"vegeta", "github.com/tsenart/vegeta/v12"},
	{"onnxruntime_go", "github.com/yalue/onnxruntime_go"},
	{"bubbletea", "github.com/charmbracelet/bubbletea"},
}

// versionInfo is what `contend version` prints; its JSON names are stable for scripts.
type versionInfo struct {
	Contend  string `json:"contend"`            // module version, or the VCS pseudo-version
	Revision string `json:"revision,omitempty"` // VCS commit the binary was built from
	Time     string `json:"time,omitempty"`     // commit time (RFC 3339)
	Modified bool   `json:"modified"`           // built from a tree with uncommitted changes
	Go       string `json:"go"`                 // toolchain, e.g. go1.26.8
	Platform string `json:"platform"`           // GOOS/GOARCH
	// Modules maps each reported module's label to its version; "" when not linked in.
	Modules map[string]string `json:"modules"`
	// ONNXRuntime is the loaded library's own version; ONNXRuntimeError says why it is "".
	ONNXRuntime      string `json:"onnxruntime,omitempty"`
	ONNXRuntimeLib   string `json:"onnxruntime_lib,omitempty"`
	ONNXRuntimeError string `json:"onnxruntime_error,omitempty"`
}

// buildVersion reads contend's own version and its dependencies' from the build info the
// Go toolchain embeds (module versions, and the VCS stamp of `go build` in a checkout).
func buildVersion(bi *debug.BuildInfo) versionInfo {
	v := versionInfo{Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Modules: map[string]string{}, Contend: "unknown"}
	for _, m := range reportedModules {
		v.Modules[m.label] = ""
	}
	if bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	if bi.Main.Version != "" {
		v.Contend = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	for _, dep := range bi.Deps {
		if dep.Replace != nil {
			dep = dep.Replace
		}
		for _, m := range reportedModules {
			if dep.Path == m.path {
				v.Modules[m.label] = dep.Version
			}
		}
	}
	return v
}

// loadRuntimeVersion asks the ONNX Runtime library itself for its version; the library is
// found as for serve (explicit path, $CONTEND_ORT_LIB, then .cache).
func (v *versionInfo) loadRuntimeVersion(explicit string) {
	lib, err := models.ResolveLibrary(explicit)
	if err == nil {
		err = models.InitRuntime(lib)
	}
	if err != nil {
		v.ONNXRuntimeError = err.Error()
		return
	}
	v.ONNXRuntimeLib = lib
	v.ONNXRuntime = models.RuntimeVersion()
}

func (v versionInfo) writeText(w io.Writer) error {
	var b strings.Builder
	contend := v.Contend
	var notes []string
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		notes = append(notes, "commit "+rev)
	}
	if v.Time != "" {
		notes = append(notes, v.Time)
	}
	if v.Modified {
		notes = append(notes, "modified")
	}
	if len(notes) > 0 {
		contend += " (" + strings.Join(notes, ", ") + ")"
	}
	row := func(k, val string) { fmt.Fprintf(&b, "%-15s %s\n", k, val) }
	row("contend", contend)
	row("go", v.Go+" "+v.Platform)
	for _, m := range reportedModules {
		val := v.Modules[m.label]
		if val == "" {
			val = "not linked"
		}
		row(m.label, val)
	}
	if v.ONNXRuntime != "" {
		row("onnxruntime", v.ONNXRuntime+" ("+v.ONNXRuntimeLib+")")
	} else {
		row("onnxruntime", "not loaded: "+v.ONNXRuntimeError)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cmdVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "version [--format text|json] [--ort-lib PATH]", stderr)
	format := fs.String("format", "text", "output format: text or json")
	ortLib := fs.String("ort-lib", "", "path to libonnxruntime.so (default: $CONTEND_ORT_LIB, then .cache)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("unknown --format %q (want text or json)", *format)
	}
	bi, _ := debug.ReadBuildInfo()
	v := buildVersion(bi)
	v.loadRuntimeVersion(*ortLib)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return v.writeText(stdout)
}
