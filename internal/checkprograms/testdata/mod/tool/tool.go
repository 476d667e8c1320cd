package tool

import (
	"context"
	run "os/exec"
)

const python = "/usr/bin/python3"

var built string // a binary the tests build: not a program of the machine

func direct() { _ = run.Command("frobnicate", "-x") }

func viaConst(ctx context.Context) { _ = run.CommandContext(ctx, python, "-c", "pass") }

func viaBuilt() { _ = run.Command(built) }

func find(name string) (string, error) { return run.LookPath(name) }

func need(label, name string) { _, _ = find(name) }

func callers() {
	need("load generator", "hey")
	need("load generator", "wrk")
}

func shadowed() {
	python := "/opt/elsewhere/python"
	_ = run.Command(python)
}
