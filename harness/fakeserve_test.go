package harness_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Environment of the fake target (the test binary re-executed by the Runner).
const (
	fakeServeEnv  = "CONTEND_HARNESS_FAKE_SERVE" // "1": be the fake target
	fakePIDDirEnv = "CONTEND_FAKE_PIDDIR"        // write <strategy>.pid here
	fakeServiceMs = 40                           // time one /translate takes
	fakeDieAfter  = 3                            // "dying" exits after this many /translate
	fakeEagerLoad = 300 * time.Millisecond       // "eager" is not ready before this
)

// fakeServe is a stand-in for `contend serve`. The strategy picks a behaviour:
//
//	naive           /translate serialized by one mutex (the seed's bug)
//	double-checked  /translate in parallel
//	eager           /readyz and /translate answer 503 until fakeEagerLoad passed
//	broken          prints an error and exits 2 before listening
//	silent          never writes its address
//	stubborn        ignores SIGTERM
//	dying           exits 3 after fakeDieAfter /translate requests
func fakeServe(args []string) int {
	flags := parseFakeArgs(args)
	strategy := flags["--strategy"]
	fmt.Printf("fake serve args: %s\n", strings.Join(args, " "))
	if dir := os.Getenv(fakePIDDirEnv); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, strategy+".pid"), []byte(strconv.Itoa(os.Getpid())), 0o644)
	}
	switch strategy {
	case "broken":
		fmt.Fprintln(os.Stderr, "fake: cannot load models: no such file")
		return 2
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
	}

	term := make(chan os.Signal, 1)
	if strategy != "stubborn" {
		signal.Notify(term, syscall.SIGTERM)
	}
	ln, err := net.Listen("tcp", flags["--addr"])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake: listen:", err)
		return 1
	}
	srv := &http.Server{Handler: fakeHandler(strategy, time.Now())}
	go func() { _ = srv.Serve(ln) }()
	if strategy != "silent" {
		if err := writeAtomic(flags["--addr-file"], ln.Addr().String()); err != nil {
			fmt.Fprintln(os.Stderr, "fake: address file:", err)
			return 1
		}
	}
	fmt.Printf("fake serving %s on %s\n", strategy, ln.Addr())
	<-term
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	fmt.Println("fake: stopped")
	return 0
}

func parseFakeArgs(args []string) map[string]string {
	flags := make(map[string]string)
	for i := 0; i+1 < len(args); i++ {
		if strings.HasPrefix(args[i], "--") {
			flags[args[i]] = args[i+1]
			i++
		}
	}
	return flags
}

func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func fakeHandler(strategy string, started time.Time) http.Handler {
	var (
		mu     sync.Mutex // the naive strategy's global lock
		served atomic.Int64
	)
	ready := func() bool { return strategy != "eager" || time.Since(started) >= fakeEagerLoad }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %g\n", cpuSeconds())
	})
	mux.HandleFunc("POST /translate", func(w http.ResponseWriter, r *http.Request) {
		if !ready() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"not_ready","message":"loading"}}`, http.StatusServiceUnavailable)
			return
		}
		begin := time.Now()
		if strategy == "naive" {
			mu.Lock()
			defer mu.Unlock()
		}
		wait := time.Since(begin)
		time.Sleep(fakeServiceMs * time.Millisecond)
		w.Header().Set("Server-Timing", fmt.Sprintf("wait;dur=%.1f, load;dur=0, infer;dur=%d", ms(wait), fakeServiceMs))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"translation":"पानी ठंडा है","source":"en","target":"hi","model":"fake"}`)
		if n := served.Add(1); strategy == "dying" && n == fakeDieAfter {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			go func() {
				time.Sleep(20 * time.Millisecond)
				os.Exit(3)
			}()
		}
	})
	return mux
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuSeconds is this process's user plus system CPU time, as the Prometheus
// process collector reports it.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// processGone reports whether the process with pid no longer exists.
func processGone(pid int) bool {
	err := syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}

// readPID returns the pid the fake target with strategy wrote into dir.
func readPID(dir, strategy string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, strategy+".pid"))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}
