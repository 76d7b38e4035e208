package benchprom

import "syscall"

// sysProcAttr kills Prometheus when the benchmark dies, however it dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
