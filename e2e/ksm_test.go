//go:build e2e

package e2e

import (
	"bufio"
	"debug/buildinfo"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/internal/testutil"
)

// KSMEnv names the kube-state-metrics binary; default bin/kube-state-metrics.
const KSMEnv = "KSM_BIN"

// ksmModule is the module `make tools` installs kube-state-metrics from.
const ksmModule = "k8s.io/kube-state-metrics/v2"

// ksmBinary finds the kube-state-metrics binary or skips the test. It must
// have been built from the Makefile's version.
func ksmBinary(t *testing.T) string {
	t.Helper()
	want := ksmVersion(t)
	bin, ok := testutil.RepoBinary(t, KSMEnv, "kube-state-metrics")
	if !ok {
		t.Skipf("no kube-state-metrics binary at %s: run `make e2e`, or build it with `GOBIN=$PWD/bin go install %s@%s`, or set %s",
			bin, ksmModule, want, KSMEnv)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	if info.Main.Path != ksmModule || info.Main.Version != want {
		t.Fatalf("%s is %s %s, the Makefile pins %s %s: run `make tools`", bin, info.Main.Path, info.Main.Version, ksmModule, want)
	}
	return bin
}

// ksmVersion is the Makefile's KSM_VERSION.
func ksmVersion(t *testing.T) string {
	data, _ := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "Makefile"))
	if m := regexp.MustCompile(`(?m)^KSM_VERSION\s*:?=\s*(\S+)`).FindSubmatch(data); m != nil {
		return string(m[1])
	}
	t.Fatal("no KSM_VERSION in the Makefile")
	return ""
}

// ksmServer is a running kube-state-metrics serving one config file.
type ksmServer struct {
	config    string // the config's path as generated
	addr      string // host:port of /metrics
	telemetry string // host:port of its own metrics
	*process
}

// startKSM runs kube-state-metrics as the user of kubeconfig, with only the
// custom-resource-state collectors and the config file at path (named
// config as generated), as the README tells users to deploy it. It waits
// until /metrics answers; the stores fill up after that.
func startKSM(t *testing.T, bin, kubeconfig, config, path string, extraArgs ...string) *ksmServer {
	t.Helper()
	s, err := retryPorts(2, func(ports []int) (*ksmServer, error) {
		s := &ksmServer{config: config, addr: "127.0.0.1:" + strconv.Itoa(ports[0]), telemetry: "127.0.0.1:" + strconv.Itoa(ports[1])}
		args := append([]string{
			"--kubeconfig=" + kubeconfig,
			"--custom-resource-state-only=true",
			"--custom-resource-state-config-file=" + path,
			"--host=127.0.0.1", "--port=" + strconv.Itoa(ports[0]),
			"--telemetry-host=127.0.0.1", "--telemetry-port=" + strconv.Itoa(ports[1]),
		}, extraArgs...)
		var err error
		s.process, err = startProcess(t, "kube-state-metrics "+config, bin, args, func() bool { return httpOK("http://" + s.addr + "/metrics") })
		return s, err
	})
	if err != nil {
		t.Fatalf("starting kube-state-metrics for %s: %v", config, err)
	}
	return s
}

// metrics returns what /metrics serves.
func (s *ksmServer) metrics() (string, error) {
	return httpGet("http://" + s.addr + "/metrics")
}

// selfMetrics returns what its telemetry port serves.
func (s *ksmServer) selfMetrics() (string, error) {
	return httpGet("http://" + s.telemetry + "/metrics")
}

func httpGet(url string) (string, error) {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), nil
}

// waitLog waits up to timeout for a line of the process' output containing
// every one of parts, and returns it.
func (p *process) waitLog(timeout time.Duration, parts ...string) (string, bool) {
	deadline := time.Now().Add(timeout)
	for {
		if line, ok := p.logLine(parts...); ok {
			return line, true
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// logLine is the first line of the output so far containing every one of parts.
func (p *process) logLine(parts ...string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	sc.Buffer(nil, 1<<20)
lines:
	for sc.Scan() {
		for _, part := range parts {
			if !strings.Contains(sc.Text(), part) {
				continue lines
			}
		}
		return sc.Text(), true
	}
	return "", false
}
