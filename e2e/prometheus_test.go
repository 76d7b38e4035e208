//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/internal/testutil"
)

// PrometheusEnv names the prometheus binary; default bin/prometheus in the repository.
const PrometheusEnv = "PROMETHEUS_BIN"

// prometheusBinary finds the prometheus binary or skips the test.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	bin, ok := testutil.RepoBinary(t, PrometheusEnv, "prometheus")
	if !ok {
		t.Skipf("no prometheus binary at %s: run `make e2e`, or build it with `GOBIN=$PWD/bin go install %s@%s`, or set %s",
			bin, prometheusCmd, prometheusVersion(t), PrometheusEnv)
	}
	return bin
}

const (
	prometheusModule = "github.com/prometheus/prometheus"
	prometheusCmd    = prometheusModule + "/cmd/prometheus"
)

// prometheusVersion is go.mod's version of the prometheus module.
func prometheusVersion(t *testing.T) string {
	data, _ := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "go.mod"))
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == prometheusModule {
			return f[1]
		}
	}
	return "<go.mod version>"
}

// prometheus is a running Prometheus server.
type prometheus struct {
	url  string // http://127.0.0.1:port
	logs *testutil.SyncBuffer
}

// startPrometheus runs bin scraping target every second and evaluating
// ruleFiles every second, with its TSDB in a temp dir. The process is
// stopped by t.Cleanup.
func startPrometheus(t *testing.T, bin, target string, ruleFiles []string) *prometheus {
	t.Helper()
	dir := t.TempDir()
	cfg := map[string]any{
		"global": map[string]any{
			"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s",
		},
		"rule_files": ruleFiles,
		"scrape_configs": []any{map[string]any{
			"job_name":       "kube-state-metrics",
			"honor_labels":   true,
			"static_configs": []any{map[string]any{"targets": []string{target}}},
		}},
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		p, err := runPrometheus(t, bin, cfgPath, filepath.Join(dir, fmt.Sprintf("data%d", attempt)))
		if err == nil {
			return p
		}
		lastErr = err // most likely the port was taken between probing and binding
	}
	t.Fatalf("starting prometheus: %v", lastErr)
	return nil
}

func runPrometheus(t *testing.T, bin, cfgPath, dataDir string) (*prometheus, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logs := &testutil.SyncBuffer{}
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+dataDir,
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	p := &prometheus{url: "http://" + addr, logs: logs}
	deadline := time.Now().Add(60 * time.Second)
	for !p.ready() {
		select {
		case <-exited:
			return nil, fmt.Errorf("prometheus exited early:\n%s", logs.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("prometheus on %s not ready after 60s:\n%s", addr, logs.String())
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	return p, nil
}

func (p *prometheus) ready() bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(p.url + "/-/ready")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// apiResponse is the envelope of Prometheus' HTTP API.
type apiResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
}

// get calls the HTTP API and decodes data into out. Warnings are returned.
func (p *prometheus) get(path string, params url.Values, out any) ([]string, error) {
	u := p.url + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, resp.Status, err)
	}
	if r.Status != "success" {
		return r.Warnings, fmt.Errorf("%s: %s: %s", path, r.ErrorType, r.Error)
	}
	return r.Warnings, json.Unmarshal(r.Data, out)
}

// promAlert is one entry of /api/v1/alerts.
type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func (p *prometheus) alerts() ([]promAlert, error) {
	var data struct {
		Alerts []promAlert `json:"alerts"`
	}
	_, err := p.get("/api/v1/alerts", nil, &data)
	return data.Alerts, err
}

// promRuleGroup is one group of /api/v1/rules.
type promRuleGroup struct {
	Name  string `json:"name"`
	File  string `json:"file"`
	Rules []struct {
		Name           string    `json:"name"`
		Query          string    `json:"query"`
		Health         string    `json:"health"`
		LastError      string    `json:"lastError"`
		Type           string    `json:"type"`
		LastEvaluation time.Time `json:"lastEvaluation"`
	} `json:"rules"`
}

func (p *prometheus) rules() ([]promRuleGroup, error) {
	var data struct {
		Groups []promRuleGroup `json:"groups"`
	}
	_, err := p.get("/api/v1/rules", nil, &data)
	return data.Groups, err
}

// promTarget is one active target of /api/v1/targets.
type promTarget struct {
	Health    string `json:"health"`
	LastError string `json:"lastError"`
	ScrapeURL string `json:"scrapeUrl"`
}

func (p *prometheus) targets() ([]promTarget, error) {
	var data struct {
		ActiveTargets []promTarget `json:"activeTargets"`
	}
	_, err := p.get("/api/v1/targets", nil, &data)
	return data.ActiveTargets, err
}

// querySeries is one series of a query result (vector or matrix).
type querySeries struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`  // instant: [ts, "v"]
	Values [][]any           `json:"values"` // range: [[ts, "v"], ...]
}

// queryResult is the data of /api/v1/query and /api/v1/query_range.
type queryResult struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// series returns the result's series; a scalar or string counts as one.
func (r queryResult) series() ([]querySeries, error) {
	switch r.ResultType {
	case "vector", "matrix":
		var s []querySeries
		err := json.Unmarshal(r.Result, &s)
		return s, err
	case "scalar", "string":
		return []querySeries{{}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", r.ResultType)
}

// query runs an instant query at now, or a range query over the last
// minute, and returns the result's series and any warnings.
func (p *prometheus) query(expr string, instant bool) ([]querySeries, []string, error) {
	params := url.Values{"query": {expr}}
	path := "/api/v1/query"
	if !instant {
		now := time.Now()
		path = "/api/v1/query_range"
		params.Set("start", strconv.FormatInt(now.Add(-time.Minute).Unix(), 10))
		params.Set("end", strconv.FormatInt(now.Unix(), 10))
		params.Set("step", "5")
	}
	var r queryResult
	warnings, err := p.get(path, params, &r)
	if err != nil {
		return nil, warnings, err
	}
	s, err := r.series()
	return s, warnings, err
}

// labelValues lists the values of label on series matching selector.
func (p *prometheus) labelValues(label, selector string) ([]string, error) {
	var vals []string
	_, err := p.get("/api/v1/label/"+url.PathEscape(label)+"/values", url.Values{"match[]": {selector}}, &vals)
	return vals, err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
