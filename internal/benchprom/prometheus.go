package benchprom

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
)

// Prometheus is one Prometheus server process the benchmark started.
type Prometheus struct {
	Name    string // "rules" or "baseline", for messages
	Addr    string // 127.0.0.1:port of its web server
	Dir     string // its config, TSDB and log
	Started time.Time
	cmd     *exec.Cmd
	done    chan struct{}
	client  *http.Client
}

// PromConfig is what a Prometheus of the benchmark runs with.
type PromConfig struct {
	Interval time.Duration // scrape and evaluation interval
	Target   string        // host:port of the exporter
	RuleGlob string        // rule_files entry; empty for none
}

// YAML is the prometheus.yml for c: one job scraping the exporter as
// kube-prometheus-stack scrapes kube-state-metrics (honor_labels), and the
// rule files.
func (c PromConfig) YAML() string {
	timeout := min(c.Interval, 10*time.Second)
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\n  scrape_timeout: %s\n",
		prommodel.Duration(c.Interval), prommodel.Duration(c.Interval), prommodel.Duration(timeout))
	fmt.Fprintf(&b, "scrape_configs:\n- job_name: kube-state-metrics\n  honor_labels: true\n  static_configs:\n  - targets: [%q]\n", c.Target)
	if c.RuleGlob != "" {
		fmt.Fprintf(&b, "rule_files:\n- %q\n", c.RuleGlob)
	}
	return b.String()
}

// StartPrometheus writes c's config into dir and starts bin on a free
// loopback port with its TSDB in dir; its log goes to dir/prometheus.log.
// Stop it with Stop, always.
func StartPrometheus(bin, name, dir string, c PromConfig) (*Prometheus, error) {
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(c.YAML()), 0o644); err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=info",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	p := &Prometheus{Name: name, Addr: addr, Dir: dir, cmd: cmd, done: make(chan struct{}),
		client: &http.Client{Timeout: 60 * time.Second}}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	return p, nil
}

// Stop sends SIGTERM, waits up to 15 seconds, then kills the process.
func (p *Prometheus) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// Pid is the process id.
func (p *Prometheus) Pid() int { return p.cmd.Process.Pid }

// exited returns an error when the process has ended, with its log's tail.
func (p *Prometheus) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("prometheus (%s) exited: %s\n%s", p.Name, p.cmd.ProcessState, p.LogTail(20))
	default:
		return nil
	}
}

// LogTail returns the last n lines of the process' log.
func (p *Prometheus) LogTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "prometheus.log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// WaitReady waits until /-/ready answers 200 (the TSDB is open and the
// config and rules are loaded).
func (p *Prometheus) WaitReady(ctx context.Context) error {
	for {
		if err := p.exited(); err != nil {
			return err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Addr+"/-/ready", nil)
		if resp, err := p.client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("prometheus (%s) not ready: %w\n%s", p.Name, ctx.Err(), p.LogTail(10))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// loadLine is the line Prometheus logs once it has loaded its config; its
// rules= field is the time the rule manager took to load the rule files.
var loadLine = regexp.MustCompile(`Completed loading of configuration file.*\brules=(\S+)`)

// RulesLoadTime returns how long the rule manager took to load the rules,
// from the log; ok is false when the log has no such line yet.
func (p *Prometheus) RulesLoadTime() (d time.Duration, ok bool) {
	f, err := os.Open(filepath.Join(p.Dir, "prometheus.log"))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return parseRulesLoadTime(f)
}

func parseRulesLoadTime(r io.Reader) (time.Duration, bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if m := loadLine.FindStringSubmatch(sc.Text()); m != nil {
			d, err := time.ParseDuration(strings.Trim(m[1], `"`))
			return d, err == nil
		}
	}
	return 0, false
}

// Metrics fetches and parses the process' own /metrics.
func (p *Prometheus) Metrics(ctx context.Context) (Metrics, error) {
	body, err := p.get(ctx, "/metrics")
	if err != nil {
		return nil, err
	}
	return ParseMetrics(strings.NewReader(string(body)))
}

// Metrics are the sample values of parsed metric families, by name.
type Metrics map[string][]float64

// ParseMetrics parses the text exposition format, keeping the values of
// gauges, counters and untyped metrics.
func ParseMetrics(r io.Reader) (Metrics, error) {
	p := expfmt.NewTextParser(prommodel.UTF8Validation)
	mf, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	out := Metrics{}
	for name, f := range mf {
		for _, x := range f.GetMetric() {
			switch {
			case x.GetGauge() != nil:
				out[name] = append(out[name], x.GetGauge().GetValue())
			case x.GetCounter() != nil:
				out[name] = append(out[name], x.GetCounter().GetValue())
			case x.GetUntyped() != nil:
				out[name] = append(out[name], x.GetUntyped().GetValue())
			}
		}
	}
	return out, nil
}

// Values returns every sample value of a metric.
func (m Metrics) Values(name string) []float64 { return m[name] }

// Sum is the sum of a metric's values, 0 when absent.
func (m Metrics) Sum(name string) float64 {
	s := 0.0
	for _, v := range m.Values(name) {
		s += v
	}
	return s
}

// Count is the number of series of a metric.
func (m Metrics) Count(name string) int { return len(m.Values(name)) }

func (p *Prometheus) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.Addr+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if e := p.exited(); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("prometheus (%s) %s: %w", p.Name, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("prometheus (%s) %s: %s: %s", p.Name, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, err
}

// api calls the HTTP API and decodes its data field into out.
func (p *Prometheus) api(ctx context.Context, path string, out any) error {
	b, err := p.get(ctx, path)
	if err != nil {
		return err
	}
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return fmt.Errorf("prometheus (%s) %s: %w", p.Name, path, err)
	}
	if env.Status != "success" {
		return fmt.Errorf("prometheus (%s) %s: %s", p.Name, path, env.Error)
	}
	return json.Unmarshal(env.Data, out)
}

// APIAlert is one alert of /api/v1/alerts.
type APIAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"` // pending or firing
}

// Alerts returns the active alerts.
func (p *Prometheus) Alerts(ctx context.Context) ([]APIAlert, error) {
	var data struct {
		Alerts []APIAlert `json:"alerts"`
	}
	err := p.api(ctx, "/api/v1/alerts", &data)
	return data.Alerts, err
}

// RuleTime is how long one rule's last evaluation took (/api/v1/rules):
// Rule is its place in its group and its name ("3 crdmon:signal:failing").
type RuleTime struct {
	Rule    string
	Seconds float64
}

// RuleTimes returns every rule's last evaluation time, slowest first.
func (p *Prometheus) RuleTimes(ctx context.Context) ([]RuleTime, error) {
	var data struct {
		Groups []struct {
			Rules []struct {
				Name           string  `json:"name"`
				EvaluationTime float64 `json:"evaluationTime"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := p.api(ctx, "/api/v1/rules", &data); err != nil {
		return nil, err
	}
	var out []RuleTime
	for _, g := range data.Groups {
		for i, r := range g.Rules {
			out = append(out, RuleTime{Rule: strconv.Itoa(i+1) + " " + r.Name, Seconds: r.EvaluationTime})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seconds > out[j].Seconds })
	return out, nil
}

// VectorSample is one series of an instant query's vector result.
type VectorSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"` // time, "value"
}

// Float is the sample's value.
func (s VectorSample) Float() float64 {
	v, _ := s.Value[1].(string)
	f, _ := strconv.ParseFloat(v, 64)
	return f
}

// Query runs an instant query that returns a vector.
func (p *Prometheus) Query(ctx context.Context, q string) ([]VectorSample, error) {
	var data struct {
		ResultType string         `json:"resultType"`
		Result     []VectorSample `json:"result"`
	}
	if err := p.api(ctx, "/api/v1/query?query="+url.QueryEscape(q), &data); err != nil {
		return nil, err
	}
	if data.ResultType != "vector" {
		return nil, fmt.Errorf("prometheus (%s) query %s: %s result, want vector", p.Name, q, data.ResultType)
	}
	return data.Result, nil
}

// PeakRSS is the process' peak resident set in bytes (VmHWM), 0 when unknown.
func (p *Prometheus) PeakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
