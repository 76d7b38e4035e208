//go:build !linux

package benchprom

import "syscall"

// sysProcAttr is the default elsewhere: Stop still ends Prometheus.
func sysProcAttr() *syscall.SysProcAttr { return nil }
