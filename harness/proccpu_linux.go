package harness

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/prometheus/procfs"
)

// tcpListen is the st column of a listening socket in /proc/net/tcp and tcp6.
const tcpListen = 0x0A

// procCPU measures the CPU time of a process on this machine and of every process
// descended from it (uvicorn's and gunicorn's workers are children of the process
// that opened the listening socket).
type procCPU struct {
	fs   procfs.FS
	pid  int
	desc string // what was measured, for the report
}

// ErrNotMeasured wraps every reason the target's CPU could not be measured.
var ErrNotMeasured = errors.New("target CPU not measured")

// findTargetProcess returns the CPU meter of the process behind base: pid when it
// is not 0, else the process listening on base's port, which must be on
// loopback. The error says why there is none (it wraps ErrNotMeasured).
func findTargetProcess(base string, pid int) (*procCPU, error) {
	pfs, err := procfs.NewDefaultFS()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotMeasured, err)
	}
	if pid > 0 {
		p, err := pfs.Proc(pid)
		if err != nil {
			return nil, fmt.Errorf("%w: --target-pid %d: %w", ErrNotMeasured, pid, err)
		}
		st, err := p.Stat()
		if err != nil {
			return nil, fmt.Errorf("%w: --target-pid %d: %w", ErrNotMeasured, pid, err)
		}
		return &procCPU{fs: pfs, pid: pid, desc: fmt.Sprintf("pid %d (%s, from --target-pid) and its children", pid, st.Comm)}, nil
	}
	u, err := url.Parse(base)
	if err != nil || !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%w: the target is not on loopback, so its process is another machine's (pass --target-pid for a local one reached by another name)", ErrNotMeasured)
	}
	port, err := urlPort(u)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotMeasured, err)
	}
	inodes, err := listeningInodes(pfs, port)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotMeasured, err)
	}
	if len(inodes) == 0 {
		return nil, fmt.Errorf("%w: no socket listens on port %d in /proc/net/tcp or tcp6", ErrNotMeasured, port)
	}
	owners, denied, err := socketOwners(pfs, inodes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotMeasured, err)
	}
	if len(owners) == 0 {
		if denied > 0 {
			return nil, fmt.Errorf("%w: the process listening on port %d is not readable by this user (another user's process: run contend as that user, or pass --target-pid)", ErrNotMeasured, port)
		}
		return nil, fmt.Errorf("%w: no process holds the socket listening on port %d (another network namespace or container?)", ErrNotMeasured, port)
	}
	root, err := topmost(pfs, owners)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotMeasured, err)
	}
	st, err := root.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: pid %d: %w", ErrNotMeasured, root.PID, err)
	}
	return &procCPU{fs: pfs, pid: root.PID, desc: fmt.Sprintf("pid %d (%s, listening on port %d) and its children", root.PID, st.Comm, port)}, nil
}

// urlPort is u's port, or its scheme's default.
func urlPort(u *url.URL) (int, error) {
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return 0, fmt.Errorf("bad port %q", p)
		}
		return n, nil
	}
	if u.Scheme == "https" {
		return 443, nil
	}
	return 80, nil
}

// listeningInodes returns the inodes of the TCP sockets (IPv4 and IPv6)
// listening on port.
func listeningInodes(pfs procfs.FS, port int) (map[uint64]bool, error) {
	out := make(map[uint64]bool)
	for _, read := range []func() (procfs.NetTCP, error){pfs.NetTCP, pfs.NetTCP6} {
		lines, err := read()
		if errors.Is(err, fs.ErrNotExist) {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.St == tcpListen && l.LocalPort == uint64(port) && l.Inode != 0 {
				out[l.Inode] = true
			}
		}
	}
	return out, nil
}

// socketOwners returns the processes holding one of the socket inodes, and how
// many processes' descriptors could not be read.
func socketOwners(pfs procfs.FS, inodes map[uint64]bool) (owners []procfs.Proc, denied int, err error) {
	procs, err := pfs.AllProcs()
	if err != nil {
		return nil, 0, err
	}
	for _, p := range procs {
		targets, err := p.FileDescriptorTargets()
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				denied++
			}
			continue // gone, or not ours to read
		}
		for _, t := range targets {
			ino, ok := strings.CutPrefix(t, "socket:[")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(strings.TrimSuffix(ino, "]"), 10, 64)
			if err == nil && inodes[n] {
				owners = append(owners, p)
				break
			}
		}
	}
	return owners, denied, nil
}

// topmost returns the owner none of whose ancestors is also an owner (gunicorn's
// master, whose workers inherit its listening socket).
func topmost(pfs procfs.FS, owners []procfs.Proc) (procfs.Proc, error) {
	parents, err := parentsOf(pfs)
	if err != nil {
		return procfs.Proc{}, err
	}
	isOwner := make(map[int]bool, len(owners))
	for _, p := range owners {
		isOwner[p.PID] = true
	}
	for _, p := range owners {
		top := true
		for a := parents[p.PID]; a > 1 && top; a = parents[a] {
			top = !isOwner[a]
		}
		if top {
			return p, nil
		}
	}
	return owners[0], nil
}

// parentsOf maps every process to its parent.
func parentsOf(pfs procfs.FS) (map[int]int, error) {
	procs, err := pfs.AllProcs()
	if err != nil {
		return nil, err
	}
	out := make(map[int]int, len(procs))
	for _, p := range procs {
		if st, err := p.Stat(); err == nil {
			out[p.PID] = st.PPID
		}
	}
	return out, nil
}

// seconds returns the CPU time of the process and its descendants, counting the
// children they have reaped (so a worker's time stays counted after it exits),
// or -1 when the process is gone.
func (m *procCPU) seconds() float64 {
	procs, err := m.fs.AllProcs()
	if err != nil {
		return -1
	}
	stats := make(map[int]procfs.ProcStat, len(procs))
	children := make(map[int][]int)
	for _, p := range procs {
		st, err := p.Stat()
		if err != nil {
			continue
		}
		stats[p.PID] = st
		children[st.PPID] = append(children[st.PPID], p.PID)
	}
	if _, ok := stats[m.pid]; !ok {
		return -1
	}
	var total float64
	seen := make(map[int]bool)
	queue := []int{m.pid}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] || m.isRunner(pid) {
			continue
		}
		seen[pid] = true
		st := stats[pid]
		total += st.CPUTime() + float64(st.CUTime+st.CSTime)/userHZ
		queue = append(queue, children[pid]...)
	}
	return total
}

// isRunner reports whether pid is this process, found among the target's
// descendants: contend started by the target (a test serving from the process
// that runs contend) must not count its own load generation as the target's
// work. The target itself is always counted, even when it is this process.
func (m *procCPU) isRunner(pid int) bool {
	return pid != m.pid && pid == os.Getpid()
}

// userHZ is the kernel's clock tick for the c-times of /proc/PID/stat (procfs
// uses the same constant for CPUTime).
const userHZ = 100

// hostBusySeconds returns the CPU time every core of this machine has spent busy
// (not idle or waiting for I/O) since boot, -1 when /proc/stat cannot be read.
func hostBusySeconds() float64 {
	pfs, err := procfs.NewDefaultFS()
	if err != nil {
		return -1
	}
	st, err := pfs.Stat()
	if err != nil {
		return -1
	}
	c := st.CPUTotal
	return c.User + c.Nice + c.System + c.IRQ + c.SoftIRQ + c.Steal
}

// runnable returns how many threads of the process and its descendants are
// running or waiting for a CPU (state R) now. Unlike CPU time it does not
// depend on what else the machine runs: under an interpreter lock, or behind
// any lock, one thread runs while the others sleep; threads that could use more
// cores are runnable even while other processes hold them.
func (m *procCPU) runnable() (int, bool) {
	pids, ok := m.tree()
	if !ok {
		return 0, false
	}
	return m.runnableIn(pids), true
}

// tree returns the process and its descendants (contend itself left out), false
// when the process is gone. It reads every process's stat, so a sampler calls it
// far less often than runnableIn.
func (m *procCPU) tree() ([]int, bool) {
	procs, err := m.fs.AllProcs()
	if err != nil {
		return nil, false
	}
	children := make(map[int][]int)
	found := false
	for _, p := range procs {
		st, err := p.Stat()
		if err != nil {
			continue
		}
		found = found || p.PID == m.pid
		children[st.PPID] = append(children[st.PPID], p.PID)
	}
	if !found {
		return nil, false
	}
	var pids []int
	queue := []int{m.pid}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if m.isRunner(pid) {
			continue
		}
		pids = append(pids, pid)
		queue = append(queue, children[pid]...)
	}
	return pids, true
}

// runnableIn counts the threads of pids in state R; a process that has exited
// counts none.
func (m *procCPU) runnableIn(pids []int) int {
	n := 0
	for _, pid := range pids {
		threads, err := m.fs.AllThreads(pid)
		if err != nil {
			continue
		}
		for _, th := range threads {
			if st, err := th.Stat(); err == nil && st.State == "R" {
				n++
			}
		}
	}
	return n
}

// totalMemory returns this machine's RAM in bytes, 0 when /proc cannot tell.
func totalMemory() uint64 {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0
	}
	mi, err := fs.Meminfo()
	if err != nil || mi.MemTotalBytes == nil {
		return 0
	}
	return *mi.MemTotalBytes
}
