//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/crdmon/crdmon/internal/testutil"
)

// process is a child process the test started, its output kept.
type process struct {
	name   string
	logs   *testutil.SyncBuffer
	cmd    *exec.Cmd
	exited chan struct{}
}

// startProcess runs bin with args and waits up to a minute for ready to
// hold. The process is stopped (SIGTERM, then SIGKILL) by t.Cleanup, which
// logs its output when t failed. An error means it exited early or was
// not ready in time (and is stopped).
func startProcess(t *testing.T, name, bin string, args []string, ready func() bool) (*process, error) {
	p := &process{name: name, logs: &testutil.SyncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", bin, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for !ready() {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited early:\n%s", name, p.logs.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after 60s:\n%s", name, p.logs.String())
		}
	}
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.logs.String())
		}
	})
	return p, nil
}

// stop ends the process and waits for it.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// retryPorts calls start with fresh loopback ports, up to three times: a
// port probed free may be taken before the process binds it.
func retryPorts[T any](ports int, start func(ports []int) (T, error)) (T, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		ps := make([]int, ports)
		for i := range ps {
			p, err := freePort()
			if err != nil {
				var zero T
				return zero, err
			}
			ps[i] = p
		}
		v, err := start(ps)
		if err == nil {
			return v, nil
		}
		lastErr = err
	}
	var zero T
	return zero, lastErr
}

// httpOK reports whether GET url answers 200 within a second.
func httpOK(url string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
