package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"contend/target"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]", stderr)
	strategy := fs.String("strategy", "double-checked", "locking strategy: "+strings.Join(target.StrategyNames, ", "))
	addr := fs.String("addr", target.DefaultAddr, "listen address (port 0 picks a free port)")
	addrFile := fs.String("addr-file", "", "write the bound address here once listening")
	size := fs.String("size", "base", "built-in model size: tiny, base or large")
	modelsDir := fs.String("models", "", "model root holding en-hi/ and hi-en/ (default: the built-in models of --size)")
	intraOp := fs.Int("intra-op-threads", 1, "ONNX Runtime intra-op threads per session")
	loadDelay := fs.Duration("load-delay", 0, "extra time added to each model load (emulates a slow download)")
	ortLib := fs.String("ort-lib", "", "path to libonnxruntime.so (default: $CONTEND_ORT_LIB, then .cache)")
	pprof := fs.String("pprof", "auto", "serve /debug/pprof: auto (only on a loopback address), on, off")
	maxBody := fs.Int64("max-body", target.DefaultMaxBodyBytes, "largest request body in bytes")
	inferTimeout := fs.Duration("inference-timeout", target.DefaultInferenceTimeout,
		"stop one request's inference after this long and answer 504 (0: no limit)")
	loadTimeout := fs.Duration("load-timeout", target.DefaultLoadTimeout,
		"fail a model load attempt (the load delay included) after this long; the next request retries (0: no limit)")
	grace := fs.Duration("shutdown-grace", target.DefaultShutdownTimeout,
		"on SIGTERM or SIGINT, how long running inference may take to finish before it is cut (exit 1)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *modelsDir == "" {
		if err := checkSize(*size); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"inference-timeout", *inferTimeout}, {"load-timeout", *loadTimeout}, {"shutdown-grace", *grace}} {
		if d.v < 0 {
			return usagef("--%s must not be negative, got %s", d.name, d.v)
		}
	}
	if *grace == 0 {
		return usagef("--shutdown-grace must be positive")
	}
	if _, err := target.ParseStrategy(*strategy, nil); err != nil {
		return usageError{err.Error()}
	}
	root, err := openModels(*ortLib, *modelsDir, *size)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	bound := ln.Addr().String()
	pprofOn, err := pprofEnabled(*pprof, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := target.NewServer(target.Config{
		Strategy:         *strategy,
		Load:             target.ModelLoader(root, *intraOp),
		LoadDelay:        *loadDelay,
		MaxBodyBytes:     *maxBody,
		InferenceTimeout: noLimitIfZero(*inferTimeout),
		LoadTimeout:      noLimitIfZero(*loadTimeout),
		ShutdownTimeout:  *grace,
		Pprof:            pprofOn,
		Logger:           logger,
	})
	if err != nil {
		ln.Close()
		return err
	}
	logger.Info("listening", "addr", "http://"+bound, "strategy", *strategy, "models", root, "pprof", pprofOn)
	if *addrFile != "" {
		if err := writeFileAtomic(*addrFile, []byte(bound)); err != nil {
			ln.Close()
			return err
		}
	}
	return srv.Serve(ctx, ln)
}

// noLimitIfZero maps a flag's 0 ("no limit") to target.Config's negative (its 0 means default).
func noLimitIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// pprofEnabled decides whether /debug/pprof is served: by default only on loopback,
// since profiles reveal internals and cost CPU.
func pprofEnabled(mode string, addr net.Addr) (bool, error) {
	switch mode {
	case "on":
		return true, nil
	case "off":
		return false, nil
	case "auto":
		tcp, ok := addr.(*net.TCPAddr)
		return ok && tcp.IP.IsLoopback(), nil
	}
	return false, usagef("--pprof must be auto, on or off, not %q", mode)
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
