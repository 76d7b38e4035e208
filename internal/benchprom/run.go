package benchprom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/generator/simulate"
)

// Options configure one benchmark run.
type Options struct {
	Inputs     []string      // CRD files or directories
	Objects    int           // synthetic objects
	Kinds      int           // kinds they are spread over; 0: every kind with signals
	Broken     float64       // fraction of objects broken
	Seed       uint64        // object synthesis seed
	Rounds     int           // evaluation rounds measured
	Interval   time.Duration // scrape and evaluation interval
	Prometheus string        // prometheus binary
	Dir        string        // scratch directory (rule files, TSDBs, logs); removed by the caller
	Log        io.Writer     // progress lines
}

// Result is the outcome of a run: the figures, and what the checks found
// wrong (empty when every check passed).
type Result struct {
	Cost     Cost
	Objects  int // objects served
	Kinds    int // kinds they are spread over
	Broken   int // objects carrying a fault
	Samples  int // samples the exporter serves
	Expected int // alerts simulate expects pending or firing
	Firing   int // alerts Prometheus has firing
	Pending  int // alerts Prometheus has pending
	Problems []string
	Slowest  []RuleTime // the rules whose last evaluation took longest
}

// ErrChecks is returned, wrapped, when a check failed; Result.Problems says which.
var ErrChecks = errors.New("checks failed")

// Run generates the plain rules for the inputs, synthesizes the objects and
// their series, computes the alerts and health states crdmon simulate
// expects, and measures two Prometheus processes scraping the same
// exporter: one with the rules, one without. Both are stopped before it
// returns.
func Run(ctx context.Context, o Options) (*Result, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(o.Log, "bench: "+format+"\n", args...) }
	t0 := time.Now()
	res, err := generateRules(o.Inputs)
	if err != nil {
		return nil, err
	}
	files := plainRuleFiles(res.Files)
	logf("generated %d kinds, %d plain rule files in %s", len(res.Model.Kinds), len(files), time.Since(t0).Round(time.Millisecond))

	kinds := PickKinds(res.Model, o.Kinds)
	objs := Synthesize(kinds, o.Objects, o.Seed, o.Broken)
	maps := Maps(objs)
	out := &Result{Objects: len(objs), Kinds: len(kinds)}
	for _, x := range objs {
		if x.Fault != "" {
			out.Broken++
		}
	}
	ev, err := simulate.Series(res, maps)
	if err != nil {
		return nil, err
	}
	body := ev.Exposition()
	out.Samples = len(ev.Samples())
	logf("%d objects of %d kinds (%d broken), %d samples (%.1f MB exposition)", len(objs), len(kinds), out.Broken, out.Samples, MB(float64(len(body))))

	t0 = time.Now()
	rep, err := expect(res, kinds, maps)
	if err != nil {
		return nil, err
	}
	want := ExpectedAlerts(rep)
	for _, n := range want {
		out.Expected += n
	}
	logf("simulate: %d alerts pending or firing, %d health states, in %s", out.Expected, len(rep.Health), time.Since(t0).Round(time.Millisecond))

	ruleDir := filepath.Join(o.Dir, "rules")
	cost := Cost{RuleFiles: len(files), Interval: o.Interval}
	if err := os.MkdirAll(ruleDir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range files {
		cost.RuleBytes += int64(len(f.Content))
		if err := os.WriteFile(filepath.Join(ruleDir, path.Base(f.Path)), f.Content, 0o644); err != nil {
			return nil, err
		}
	}
	res = nil // let the generator's output go before Prometheus starts

	exp, err := StartExporter(body)
	if err != nil {
		return nil, err
	}
	defer exp.Close()
	with, err := StartPrometheus(o.Prometheus, "rules", filepath.Join(o.Dir, "with-rules"),
		PromConfig{Interval: o.Interval, Target: exp.Addr, RuleGlob: filepath.Join(ruleDir, "*")})
	if err != nil {
		return nil, err
	}
	defer with.Stop()
	base, err := StartPrometheus(o.Prometheus, "baseline", filepath.Join(o.Dir, "baseline"),
		PromConfig{Interval: o.Interval, Target: exp.Addr})
	if err != nil {
		return nil, err
	}
	defer base.Stop()
	logf("prometheus with rules on %s, baseline on %s, exporter on %s", with.Addr, base.Addr, exp.Addr)

	for _, p := range []*Prometheus{with, base} {
		if err := p.WaitReady(ctx); err != nil {
			return nil, err
		}
	}
	loaded := map[*Prometheus]float64{}
	for _, p := range []*Prometheus{with, base} {
		m, err := p.Metrics(ctx)
		if err != nil {
			return nil, err
		}
		loaded[p] = m.Sum(metricReloaded) - m.Sum(metricStart)
		if p == with {
			cost.Rules, cost.Groups = int(m.Sum(metricGroupRules)), m.Count(metricGroupRules)
		} else if n := m.Sum(metricGroupRules); n != 0 {
			return nil, fmt.Errorf("the baseline loaded %.0f rules", n)
		}
	}
	cost.LoadRules, _ = with.RulesLoadTime()
	cost.LoadNet = time.Duration((loaded[with] - loaded[base]) * float64(time.Second))
	logf("ready after %s: %d rules in %d groups, rule manager loaded them in %s",
		time.Since(with.Started).Round(time.Millisecond), cost.Rules, cost.Groups, cost.LoadRules.Round(time.Millisecond))

	evaluated, err := waitEvaluated(ctx, with, cost.Groups, 2*o.Interval+time.Minute)
	if err != nil {
		return nil, err
	}
	logf("%d of %d rule groups evaluated at least once, %s after start; settling one interval", evaluated, cost.Groups, time.Since(with.Started).Round(time.Millisecond))
	if err := sleep(ctx, o.Interval); err != nil {
		return nil, err
	}

	wins, err := measure(ctx, []*Prometheus{with, base}, o.Rounds, o.Interval, logf)
	if err != nil {
		return nil, err
	}
	c := Measure(wins[0], wins[1])
	c.Rules, c.Groups, c.RuleFiles, c.RuleBytes = cost.Rules, cost.Groups, cost.RuleFiles, cost.RuleBytes
	c.PerGroup(c.Groups)
	c.LoadRules, c.LoadNet, c.Interval = cost.LoadRules, cost.LoadNet, cost.Interval
	out.Cost = c

	out.Problems, err = check(ctx, out, with, base, want, rep)
	if err != nil {
		return nil, err
	}
	if len(out.Problems) > 0 {
		return out, fmt.Errorf("%w: %d problems", ErrChecks, len(out.Problems))
	}
	return out, nil
}

// generateRules runs the generator as `crdmon generate --rules-format plain`
// would on inputs (kube-state-metrics config and rules only).
func generateRules(inputs []string) (*generator.Result, error) {
	opts := generator.DefaultOptions()
	opts.Inputs = inputs
	opts.Only = []string{generator.ArtifactKSM, generator.ArtifactRules}
	opts.Rules.Format = rules.FormatPlain
	return generator.Generate(opts)
}

// plainRuleFiles are the files Prometheus loads.
func plainRuleFiles(files []output.File) []output.File {
	var out []output.File
	for _, f := range files {
		if rules.IsPlainPath(f.Path) {
			out = append(out, f)
		}
	}
	return out
}

// expect runs crdmon simulate over the objects at the current time. When
// the objects' kinds leave some of the input's groups out, simulate runs
// on the plain rule files that name one of their groups or none at all
// (filesFor): the other groups' rules select none of these objects'
// series, and evaluating them would only take time. The files are not
// regenerated with --group: alert names made unique across groups may
// differ with fewer groups.
func expect(res *generator.Result, kinds []model.Kind, objects []map[string]any) (*simulate.Report, error) {
	groups := Groups(kinds)
	if len(groups) < len(Groups(PickKinds(res.Model, 0))) {
		r := *res
		r.Files = filesFor(res.Files, groups)
		res = &r
	}
	return simulate.Run(res, objects, time.Now())
}

// groupMatcher finds the API groups a rule file's selectors name.
var groupMatcher = regexp.MustCompile(series.LabelGroup + `="([^"]+)"`)

// filesFor keeps the files that name one of groups in a group matcher, or
// no group at all.
func filesFor(files []output.File, groups []string) []output.File {
	var out []output.File
	for _, f := range files {
		named := groupMatcher.FindAllSubmatch(f.Content, -1)
		keep := len(named) == 0
		for _, m := range named {
			keep = keep || slices.Contains(groups, string(m[1]))
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

// waitEvaluated waits until each of the groups has been evaluated once, or
// limit has passed (evaluation falls behind on a busy machine; the rounds
// measured then say so) and returns how many were. It fails when none was.
func waitEvaluated(ctx context.Context, p *Prometheus, groups int, limit time.Duration) (int, error) {
	deadline := time.Now().Add(limit)
	for {
		m, err := p.Metrics(ctx)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, v := range m.Values(metricGroupEvalAt) {
			if v > 0 {
				n++
			}
		}
		if n >= groups {
			return n, nil
		}
		if time.Now().After(deadline) {
			if n == 0 && groups > 0 {
				return 0, fmt.Errorf("prometheus (%s): no rule group evaluated after %s", p.Name, limit)
			}
			return n, nil
		}
		if err := sleep(ctx, time.Second); err != nil {
			return 0, err
		}
	}
}

// measure reads every process at the start and after each round.
func measure(ctx context.Context, ps []*Prometheus, rounds int, interval time.Duration, logf func(string, ...any)) ([]Window, error) {
	wins := make([]Window, len(ps))
	read := func() ([]Reading, error) {
		out := make([]Reading, len(ps))
		for i, p := range ps {
			m, err := p.Metrics(ctx)
			if err != nil {
				return nil, err
			}
			out[i] = ReadingOf(m)
		}
		return out, nil
	}
	start := time.Now()
	rs, err := read()
	if err != nil {
		return nil, err
	}
	for i := range ps {
		wins[i].Start = rs[i]
	}
	for r := 1; r <= rounds; r++ {
		if err := sleep(ctx, time.Until(start.Add(time.Duration(r)*interval))); err != nil {
			return nil, err
		}
		if rs, err = read(); err != nil {
			return nil, err
		}
		for i := range ps {
			wins[i].Rounds = append(wins[i].Rounds, rs[i])
		}
		logf("round %d/%d: CPU %.2fs with rules, %.2fs baseline; rule evaluation %.3fs", r, rounds,
			rs[0].CPU-wins[0].Start.CPU, rs[1].CPU-wins[1].Start.CPU, rs[0].RuleEval)
	}
	for i, p := range ps {
		wins[i].PeakRSS = p.PeakRSS()
	}
	return wins, nil
}

// check compares what the Prometheus with rules holds with what simulate
// expects, and that both processes scrape the whole exposition.
func check(ctx context.Context, out *Result, with, base *Prometheus, want map[AlertKey]int, rep *simulate.Report) ([]string, error) {
	var problems []string
	for _, p := range []*Prometheus{with, base} {
		v, err := p.Query(ctx, `scrape_samples_scraped{job="kube-state-metrics"}`)
		if err != nil {
			return nil, err
		}
		if len(v) != 1 || int(v[0].Float()) != out.Samples {
			problems = append(problems, fmt.Sprintf("prometheus (%s) scraped %v samples, the exporter serves %d", p.Name, v, out.Samples))
		}
	}
	times, err := with.RuleTimes(ctx)
	if err != nil {
		return nil, err
	}
	out.Slowest = times[:min(len(times), 5)]
	alerts, err := with.Alerts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range alerts {
		if a.State == "firing" {
			out.Firing++
		} else {
			out.Pending++
		}
	}
	missing, unexpected := DiffCounts(want, ActualAlerts(alerts))
	for _, m := range missing {
		problems = append(problems, "alert missing: "+m)
	}
	for _, u := range unexpected {
		problems = append(problems, "alert not expected: "+u)
	}
	if out.Expected == 0 && out.Broken > 0 {
		problems = append(problems, fmt.Sprintf("simulate expects no alert for %d broken objects: the check would prove nothing", out.Broken))
	}
	hs, err := with.Query(ctx, health.Metric)
	if err != nil {
		return nil, err
	}
	problems = append(problems, CheckHealth(rep.Health, hs)...)
	if len(rep.Health) != out.Objects {
		problems = append(problems, fmt.Sprintf("simulate gives %d objects a health state, %d were served", len(rep.Health), out.Objects))
	}
	return problems, nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// Summary is the run's outcome in one line per fact, after the figures.
func (r *Result) Summary(w io.Writer) {
	fmt.Fprintf(w, "objects:                 %d (%d broken), %d samples served\n", r.Objects, r.Broken, r.Samples)
	fmt.Fprintf(w, "alerts:                  %d expected by simulate; prometheus has %d firing, %d pending\n", r.Expected, r.Firing, r.Pending)
	for i, t := range r.Slowest {
		label := ""
		if i == 0 {
			label = "slowest rules:"
		}
		fmt.Fprintf(w, "%-24s %.3f s  rule %s\n", label, t.Seconds, t.Rule)
	}
	if len(r.Problems) == 0 {
		fmt.Fprintf(w, "checks:                  ok (expected alerts active, one %s series per object with simulate's state)\n", health.Metric)
		return
	}
	fmt.Fprintf(w, "checks:                  FAILED, %d problems:\n", len(r.Problems))
	for i, p := range r.Problems {
		if i == 40 {
			fmt.Fprintf(w, "  ... and %d more\n", len(r.Problems)-i)
			break
		}
		fmt.Fprintln(w, "  "+strings.TrimSpace(p))
	}
}
