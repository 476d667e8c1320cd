package harness

import "syscall"

// childProcAttr puts a target in its own process group (so that stopping it stops
// its children too) and has the kernel kill it should the Runner's process die
// without stopping it.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the process group led by pid.
func signalGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig)
}
