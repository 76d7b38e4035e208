package testcluster

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/crdmon/crdmon/internal/testutil"
)

// EtcdEnv is the environment variable naming an already running etcd
// (e.g. http://127.0.0.1:2379); when set, Start uses it instead of starting
// its own. The in-process API server reads the same variable.
const EtcdEnv = "KUBE_INTEGRATION_ETCD_URL"

// SkipMessage is the reason tests are skipped when no etcd is available.
const SkipMessage = "no etcd: install etcd-server (apt-get install etcd-server) to run API-server tests, or set " + EtcdEnv

// etcdURL returns the client URL of an etcd for t: the one named by EtcdEnv,
// or a fresh one on loopback, stopped when t ends. It skips t when neither
// is available.
func etcdURL(t testing.TB) string {
	t.Helper()
	if url := os.Getenv(EtcdEnv); url != "" {
		return url
	}
	bin, err := exec.LookPath("etcd")
	if err != nil {
		t.Skip(SkipMessage)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		url, err := startEtcd(t, bin)
		if err == nil {
			return url
		}
		lastErr = err // most likely a port taken between probing and binding
	}
	t.Fatalf("starting etcd: %v", lastErr)
	return ""
}

// startEtcd runs one etcd on two free loopback ports with a temporary data
// directory and waits until it reports healthy.
func startEtcd(t testing.TB, bin string) (string, error) {
	ports, err := freePorts(2)
	if err != nil {
		return "", err
	}
	client := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--name", "testcluster",
		"--data-dir", t.TempDir(),
		"--listen-client-urls", client,
		"--advertise-client-urls", client,
		"--listen-peer-urls", peer,
		"--initial-advertise-peer-urls", peer,
		"--initial-cluster", "testcluster="+peer,
		"--log-level", "error",
	)
	var logs testutil.SyncBuffer
	cmd.Stdout = &logs
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		cancel()
		return "", fmt.Errorf("running %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		cancel()
		<-exited
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			cancel()
			return "", fmt.Errorf("etcd exited early: %s", logs.String())
		default:
		}
		if healthy(client) {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("etcd on %s not healthy after 30s: %s", client, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(stop)
	return client, nil
}

// healthy reports whether the etcd at url answers /health.
func healthy(url string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(url + "/health")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
