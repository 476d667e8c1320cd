package main

import (
	"bufio"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"contend/models"
	"contend/reports"
)

// machine is where and with what the numbers were measured.
type machine struct {
	cores     int
	cpu       string
	kernel    string
	goVersion string
	vegeta    string
	hey       string
	wrk       string
	ort       string
}

// host returns the machine as package reports describes it.
func (m machine) host() reports.Host {
	return reports.Host{CPUs: m.cores, Go: m.goVersion, ONNXRuntime: m.ort}
}

// describeMachine reads the CPU and the versions of every tool. ONNX Runtime is
// initialised in the driver only to ask its version.
func describeMachine(ctx context.Context, cfg config) (machine, error) {
	m := machine{
		cores:     runtime.NumCPU(),
		cpu:       cpuModel(),
		goVersion: runtime.Version(),
		vegeta:    goModuleVersion(cfg.vegeta),
		hey:       debianVersion(ctx, "hey"),
		wrk:       wrkVersion(ctx, cfg.wrk),
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if m.hey == "" {
		m.hey = goModuleVersion(cfg.hey)
	}
	lib, err := models.ResolveLibrary("")
	if err != nil {
		return m, fmt.Errorf("%w: run `make ort`", err)
	}
	if err := models.InitRuntime(lib); err != nil {
		return m, err
	}
	m.ort = models.RuntimeVersion()
	return m, nil
}

// cpuModel returns the first "model name" of /proc/cpuinfo, "unknown" without one.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// goModuleVersion returns the main module and version a Go binary was built
// from ("github.com/tsenart/vegeta/v12 v12.13.0"), "" when unreadable.
func goModuleVersion(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(info.Main.Path + " " + info.Main.Version + " (" + info.GoVersion + ")")
}

// debianVersion returns a Debian package's version, "" when not installed by dpkg.
func debianVersion(ctx context.Context, pkg string) string {
	out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return ""
	}
	return "Debian " + strings.TrimSpace(string(out))
}

// wrkVersion returns the first words of `wrk -v` ("wrk debian/4.1.0-3+b2 [epoll]").
// wrk exits 1 after printing it, so the exit status is ignored.
func wrkVersion(ctx context.Context, bin string) string {
	out, _ := exec.CommandContext(ctx, bin, "-v").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	line, _, _ = strings.Cut(line, " Copyright")
	if line = strings.TrimSpace(line); line != "" {
		return line
	}
	return "unknown"
}
