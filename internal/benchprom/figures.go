package benchprom

import (
	"fmt"
	"io"
	"time"
)

// Metric names the benchmark reads from each Prometheus' own /metrics.
const (
	metricCPU         = "process_cpu_seconds_total"
	metricRSS         = "process_resident_memory_bytes"
	metricHeap        = "go_memstats_heap_inuse_bytes"
	metricStart       = "process_start_time_seconds"
	metricReloaded    = "prometheus_config_last_reload_success_timestamp_seconds"
	metricGroupRules  = "prometheus_rule_group_rules"
	metricGroupLast   = "prometheus_rule_group_last_duration_seconds"
	metricGroupEvalAt = "prometheus_rule_group_last_evaluation_timestamp_seconds"
	metricMissed      = "prometheus_rule_group_iterations_missed_total"
	metricIterations  = "prometheus_rule_group_iterations_total"
	metricEvalFailed  = "prometheus_rule_evaluation_failures_total"
	metricHeadSeries  = "prometheus_tsdb_head_series"
)

// Reading is what one Prometheus' /metrics says at one moment.
type Reading struct {
	CPU      float64 // process CPU seconds so far
	RSS      float64 // resident bytes
	Heap     float64 // Go heap in use, bytes
	RuleEval float64 // sum over groups of the last evaluation's duration, seconds
	Missed   float64 // rule group iterations missed so far
	Iter     float64 // rule group iterations scheduled so far (evaluated or missed)
	Failed   float64 // rule evaluations failed so far
	Series   float64 // TSDB head series
}

// ReadingOf extracts a Reading from parsed metrics.
func ReadingOf(m Metrics) Reading {
	return Reading{
		CPU: m.Sum(metricCPU), RSS: m.Sum(metricRSS), Heap: m.Sum(metricHeap),
		RuleEval: m.Sum(metricGroupLast), Missed: m.Sum(metricMissed), Iter: m.Sum(metricIterations), Failed: m.Sum(metricEvalFailed),
		Series: m.Sum(metricHeadSeries),
	}
}

// Window is one process' readings over the measurement: one at its start
// and one after each evaluation round.
type Window struct {
	Start   Reading
	Rounds  []Reading
	PeakRSS float64 // VmHWM at the end, bytes (0 when unknown)
}

// End is the last reading.
func (w Window) End() Reading {
	if len(w.Rounds) == 0 {
		return w.Start
	}
	return w.Rounds[len(w.Rounds)-1]
}

// CPUPerRound is the CPU time per evaluation round over the window.
func (w Window) CPUPerRound() float64 {
	if len(w.Rounds) == 0 {
		return 0
	}
	return (w.End().CPU - w.Start.CPU) / float64(len(w.Rounds))
}

// MeanRuleEval is the mean, over the rounds, of the summed rule group
// evaluation durations.
func (w Window) MeanRuleEval() float64 {
	if len(w.Rounds) == 0 {
		return 0
	}
	s := 0.0
	for _, r := range w.Rounds {
		s += r.RuleEval
	}
	return s / float64(len(w.Rounds))
}

// Cost is what the rules cost one Prometheus: the process with rules, the
// baseline without, and the difference.
type Cost struct {
	Rules, Groups int
	RuleFiles     int
	RuleBytes     int64
	// LoadRules is the rule manager's load time from the log; LoadNet is
	// the time from process start to config loaded, net of the baseline.
	LoadRules time.Duration
	LoadNet   time.Duration
	Rounds    int
	Interval  time.Duration

	CPU, CPUBase         float64 // CPU seconds per evaluation round
	RSS, RSSBase         float64 // bytes, at the end
	Heap, HeapBase       float64 // bytes, at the end
	PeakRSS, PeakRSSBase float64 // bytes
	RuleEval             float64 // mean summed rule group evaluation time, seconds
	Missed, Failed       float64 // over the window
	// Evaluated is the rule group iterations run (not missed) over the
	// window, divided by the number of groups: the evaluation rounds the
	// rules really cost, fewer than Rounds when evaluation falls behind.
	Evaluated float64
	Series    float64 // TSDB head series of the process with rules
}

// Measure computes the cost from the two processes' windows.
func Measure(with, base Window) Cost {
	return Cost{
		Rounds: len(with.Rounds),
		CPU:    with.CPUPerRound(), CPUBase: base.CPUPerRound(),
		RSS: with.End().RSS, RSSBase: base.End().RSS,
		Heap: with.End().Heap, HeapBase: base.End().Heap,
		PeakRSS: with.PeakRSS, PeakRSSBase: base.PeakRSS,
		RuleEval: with.MeanRuleEval(),
		Missed:   with.End().Missed - with.Start.Missed,
		Failed:   with.End().Failed - with.Start.Failed,
		// Evaluated needs the number of groups: see PerGroup.
		Evaluated: (with.End().Iter - with.Start.Iter) - (with.End().Missed - with.Start.Missed),
		Series:    with.End().Series,
	}
}

// PerGroup divides Evaluated, the iterations run, by the number of groups.
func (c *Cost) PerGroup(groups int) {
	if groups > 0 {
		c.Evaluated /= float64(groups)
	}
}

// NetCPUPerEvaluated is the CPU seconds the rules add per evaluation round
// really run: the net CPU of the window over Evaluated rounds.
func (c Cost) NetCPUPerEvaluated() float64 {
	if c.Evaluated <= 0 {
		return 0
	}
	return c.NetCPU() * float64(c.Rounds) / c.Evaluated
}

// NetCPU is the CPU seconds per round the rules add.
func (c Cost) NetCPU() float64 { return c.CPU - c.CPUBase }

// NetRSS is the resident memory the rules add, bytes.
func (c Cost) NetRSS() float64 { return c.RSS - c.RSSBase }

// NetHeap is the Go heap in use the rules add, bytes.
func (c Cost) NetHeap() float64 { return c.Heap - c.HeapBase }

// NetPeakRSS is the peak resident memory the rules add, bytes.
func (c Cost) NetPeakRSS() float64 { return c.PeakRSS - c.PeakRSSBase }

// MB is bytes in megabytes (10^6), as the issue reports them.
func MB(b float64) float64 { return b / 1e6 }

// Print writes the figures, one per line.
func (c Cost) Print(w io.Writer) {
	fmt.Fprintf(w, "rules loaded:            %d in %d groups (prometheus_rule_group_rules)\n", c.Rules, c.Groups)
	fmt.Fprintf(w, "rule files:              %d files, %.2f MB\n", c.RuleFiles, MB(float64(c.RuleBytes)))
	fmt.Fprintf(w, "time to load rules:      %s (rule manager, from the log); start to config loaded %+.2fs net of the baseline\n",
		c.LoadRules.Round(time.Millisecond), c.LoadNet.Seconds())
	fmt.Fprintf(w, "CPU per round:           %.3f s net (%.3f s with rules, %.3f s baseline; %d rounds of %s)\n",
		c.NetCPU(), c.CPU, c.CPUBase, c.Rounds, c.Interval)
	fmt.Fprintf(w, "resident memory:         %+.1f MB net (%.1f MB with rules, %.1f MB baseline); peak %+.1f MB net\n",
		MB(c.NetRSS()), MB(c.RSS), MB(c.RSSBase), MB(c.NetPeakRSS()))
	fmt.Fprintf(w, "Go heap in use:          %+.1f MB net (%.1f MB with rules, %.1f MB baseline)\n",
		MB(c.NetHeap()), MB(c.Heap), MB(c.HeapBase))
	fmt.Fprintf(w, "rule evaluation:         %.3f s per round (mean sum of prometheus_rule_group_last_duration_seconds)\n", c.RuleEval)
	fmt.Fprintf(w, "evaluation rounds run:   %.1f of %d (missed group iterations %.0f, failed rule evaluations %.0f); net CPU per round run %.3f s\n",
		c.Evaluated, c.Rounds, c.Missed, c.Failed, c.NetCPUPerEvaluated())
	fmt.Fprintf(w, "head series:             %.0f (with rules)\n", c.Series)
}

// MarkdownRow is the figures as a row of docs/prometheus-cost.md's table,
// after the input's description.
func (c Cost) MarkdownRow(input string) string {
	return fmt.Sprintf("| %s | %d | %.2f MB | %.3f s | %+.0f MB | %+.0f MB | %.2f s | %.3f s |",
		input, c.Rules, MB(float64(c.RuleBytes)), c.NetCPU(), MB(c.NetRSS()), MB(c.NetHeap()), c.LoadRules.Seconds(), c.RuleEval)
}
