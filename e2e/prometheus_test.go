//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	url string // http://127.0.0.1:port
	*process
}

// startPrometheus runs bin scraping targets (host:port) every second and
// evaluating ruleFiles every second, with its TSDB in a temp dir. The
// process is stopped by t.Cleanup.
func startPrometheus(t *testing.T, bin string, targets []string, ruleFiles []string) *prometheus {
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
			"static_configs": []any{map[string]any{"targets": targets}},
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
	attempt := 0
	p, err := retryPorts(1, func(ports []int) (*prometheus, error) {
		attempt++
		addr := "127.0.0.1:" + strconv.Itoa(ports[0])
		url := "http://" + addr
		proc, err := startProcess(t, "prometheus", bin, []string{
			"--config.file=" + cfgPath,
			"--storage.tsdb.path=" + filepath.Join(dir, fmt.Sprintf("data%d", attempt)),
			"--web.listen-address=" + addr,
			"--log.level=warn",
		}, func() bool { return httpOK(url + "/-/ready") })
		if err != nil {
			return nil, err
		}
		return &prometheus{url: url, process: proc}, nil
	})
	if err != nil {
		t.Fatalf("starting prometheus: %v", err)
	}
	return p
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
