package rules

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/templates"
)

// Class is a stable id of a kind of alert, used to key settings and templates.
type Class string

// Alert classes.
const (
	ConditionNotTrue  Class = "ConditionNotTrue"  // a positive condition (Ready, Synced...) not True
	NegativeCondition Class = "NegativeCondition" // a negative condition (Stalled, Degraded...) True
	ProgressTooLong   Class = "ProgressTooLong"   // Reconciling/Progressing True for too long
	ReplicasMismatch  Class = "ReplicasMismatch"  // fewer ready replicas than desired
	// ReplicasUnavailable: fewer available replicas than desired while the
	// ready count is not short (ReplicasMismatch covers that).
	ReplicasUnavailable Class = "ReplicasUnavailable"
	// RolloutNotConverging: fewer updated (up-to-date) replicas than desired.
	RolloutNotConverging Class = "RolloutNotConverging"
	GenerationLag        Class = "GenerationLag"    // observedGeneration behind metadata.generation
	PhaseFailed          Class = "PhaseFailed"      // a phase field holds a failure value
	ExpiresSoon          Class = "ExpiresSoon"      // an expiry time closer than the threshold
	ExpiresVerySoon      Class = "ExpiresVerySoon"  // the same, with a shorter threshold: the critical twin of ExpiresSoon
	RenewalOverdue       Class = "RenewalOverdue"   // a planned renewal time passed by more than the threshold
	FailuresRising       Class = "FailuresRising"   // a failure counter rose more than once within the threshold
	ProblemCount         Class = "ProblemCount"     // a problem counter (violations) above the threshold
	ControllerErrors     Class = "ControllerErrors" // share of failed reconciles
	ControllerSlow       Class = "ControllerSlow"   // p99 reconcile time
	WorkqueueDepth       Class = "WorkqueueDepth"   // items waiting in the controller's work queue
)

// Classes lists every alert class in rendering order.
var Classes = []Class{
	ConditionNotTrue, NegativeCondition, ProgressTooLong, ReplicasMismatch, ReplicasUnavailable, RolloutNotConverging,
	GenerationLag, PhaseFailed, ExpiresSoon, ExpiresVerySoon, RenewalOverdue, FailuresRising, ProblemCount, ControllerErrors, ControllerSlow, WorkqueueDepth,
}

// TimeThreshold reports whether a class's Threshold is a number of seconds
// (shown and configured as a duration such as 14d).
func TimeThreshold(c Class) bool {
	return c == ExpiresSoon || c == ExpiresVerySoon || c == RenewalOverdue || c == FailuresRising
}

// Severities an alert may carry.
var Severities = []string{"critical", "warning", "info"}

// Format values.
const (
	FormatPrometheusRule = "prometheusrule" // prometheus-operator PrometheusRule objects
	FormatPlain          = "plain"          // Prometheus rule files (groups:)
	FormatBoth           = "both"
)

// ClassSettings tunes one alert class.
type ClassSettings struct {
	Disabled bool
	Severity string // critical, warning or info
	// For is how long the problem must last. For condition alerts on shapes with
	// lastTransitionTime it is measured from that timestamp (so a Prometheus
	// restart does not reset it) and the rule's own for: is Options.TimestampFor.
	For time.Duration
	// Threshold is the numeric limit of controller and timestamp alerts: the
	// failed share of reconciles (ControllerErrors), seconds of p99 reconcile
	// time (ControllerSlow), queued items (WorkqueueDepth), seconds left
	// before an expiry (ExpiresSoon, ExpiresVerySoon), seconds past a planned
	// renewal (RenewalOverdue), seconds of the window in which a failure
	// counter must rise twice (FailuresRising), problems tolerated
	// (ProblemCount). Unused by other classes.
	Threshold float64
}

// AlertSettings is the per-class settings in force for one kind.
type AlertSettings map[Class]ClassSettings

// Options control rule rendering. Start from DefaultOptions.
type Options struct {
	Prefix string // metric name prefix of the generated KSM config
	Format string // FormatPrometheusRule, FormatPlain or FormatBoth

	Namespace  string            // metadata.namespace of PrometheusRule objects; empty = none
	RuleLabels map[string]string // metadata.labels of PrometheusRule objects (match the ruleSelector)

	ExtraAlertLabels   map[string]string // added to every alert's labels
	ExtraAnnotations   map[string]string // added to every alert's annotations (Prometheus templates allowed)
	RunbookURLTemplate string            // overrides the runbook_url template when set ([[ ]] delimiters)
	Templates          *templates.Set    // annotation templates; nil = embedded defaults

	Classes      AlertSettings // defaults per class
	TimestampFor time.Duration // rule for: of alerts measured from lastTransitionTime

	// Controllers names the controller-runtime controllers owning a kind, keyed
	// by kind ID ("certificate.cert-manager.io") or by kind name ("Certificate").
	Controllers map[string][]string
	// InferControllers uses controller-runtime's default name, the lower-cased
	// kind, for kinds Controllers does not name.
	InferControllers bool

	// ClusterLabel, when set, is the label naming the cluster an object's
	// series come from (crdmon generate --cluster-label). The recording
	// rules keep it, so a Prometheus, Thanos or Mimir ruler seeing several
	// clusters records each cluster's objects apart.
	ClusterLabel string

	// OverrideFor, when set, returns the settings for one kind (e.g. from the
	// overrides file); classes it leaves out keep Classes' values. A kind
	// whose settings differ from Classes gets rows in the override table
	// and, for each distinct setting, one exception alert (the overrides
	// file), and the pack's alert of that class leaves it out.
	OverrideFor func(k model.Kind) AlertSettings
}

// DefaultOptions returns the defaults: both formats, thresholds after
// kstatus and health-semantics.md.
func DefaultOptions() Options {
	return Options{
		Prefix: series.DefaultPrefix,
		Format: FormatBoth,
		Classes: AlertSettings{
			ConditionNotTrue:    {Severity: "warning", For: 15 * time.Minute},
			NegativeCondition:   {Severity: "critical", For: 5 * time.Minute},
			ProgressTooLong:     {Severity: "warning", For: 30 * time.Minute},
			ReplicasMismatch:    {Severity: "warning", For: 15 * time.Minute},
			ReplicasUnavailable: {Severity: "warning", For: 15 * time.Minute},
			// A rollout replaces replicas a batch at a time: it gets as long
			// as a progress state.
			RolloutNotConverging: {Severity: "warning", For: 30 * time.Minute},
			GenerationLag:        {Severity: "warning", For: 15 * time.Minute},
			PhaseFailed:          {Severity: "critical", For: 5 * time.Minute},
			ExpiresSoon:          {Severity: "warning", For: 15 * time.Minute, Threshold: 14 * day},
			ExpiresVerySoon:      {Severity: "critical", For: 5 * time.Minute, Threshold: 3 * day},
			RenewalOverdue:       {Severity: "warning", For: 15 * time.Minute, Threshold: 3600},
			FailuresRising:       {Severity: "warning", For: 5 * time.Minute, Threshold: 6 * 3600},
			ProblemCount:         {Severity: "warning", For: 15 * time.Minute},
			ControllerErrors:     {Severity: "warning", For: 15 * time.Minute, Threshold: 0.1},
			ControllerSlow:       {Severity: "warning", For: 15 * time.Minute, Threshold: 60},
			WorkqueueDepth:       {Severity: "warning", For: 15 * time.Minute, Threshold: 100},
		},
		TimestampFor: time.Minute,
	}
}

// day is a day in seconds, the unit of timestamp thresholds.
const day = 24 * 60 * 60

// settingsFor merges the kind's overrides over the class defaults.
func (o Options) settingsFor(k model.Kind) AlertSettings {
	out := AlertSettings{}
	for c, s := range o.Classes {
		out[c] = s
	}
	if o.OverrideFor != nil {
		for c, s := range o.OverrideFor(k) {
			out[c] = s
		}
	}
	return out
}

func (s AlertSettings) equal(t AlertSettings) bool {
	if len(s) != len(t) {
		return false
	}
	for c, v := range s {
		if w, ok := t[c]; !ok || w != v {
			return false
		}
	}
	return true
}

// check reports the first invalid option.
func (o Options) check() error {
	if !series.ValidName(o.Prefix) && o.Prefix != "" {
		return fmt.Errorf("rules: prefix %q is not a valid metric name", o.Prefix)
	}
	if o.ClusterLabel != "" && (!series.ValidName(o.ClusterLabel) || strings.Contains(o.ClusterLabel, ":")) {
		return fmt.Errorf("rules: cluster label %q is not a valid Prometheus label name", o.ClusterLabel)
	}
	switch o.Format {
	case FormatPrometheusRule, FormatPlain, FormatBoth:
	default:
		return fmt.Errorf("rules: format %q: want %q, %q or %q", o.Format, FormatPrometheusRule, FormatPlain, FormatBoth)
	}
	if o.TimestampFor <= 0 {
		return fmt.Errorf("rules: TimestampFor must be positive")
	}
	return checkSettings("defaults", o.Classes)
}

func checkSettings(where string, s AlertSettings) error {
	for _, c := range Classes {
		cs, ok := s[c]
		if !ok {
			return fmt.Errorf("rules: %s: no settings for alert class %s", where, c)
		}
		if cs.Disabled {
			continue
		}
		if !slices.Contains(Severities, cs.Severity) {
			return fmt.Errorf("rules: %s: %s: severity %q: want one of %v", where, c, cs.Severity, Severities)
		}
		if cs.For <= 0 || cs.For%time.Second != 0 {
			return fmt.Errorf("rules: %s: %s: duration %v must be a positive whole number of seconds", where, c, cs.For)
		}
		if TimeThreshold(c) && (cs.Threshold <= 0 || cs.Threshold != math.Trunc(cs.Threshold)) {
			return fmt.Errorf("rules: %s: %s: threshold %g must be a positive whole number of seconds", where, c, cs.Threshold)
		}
		if c == ProblemCount && cs.Threshold < 0 {
			return fmt.Errorf("rules: %s: %s: threshold %g must not be negative", where, c, cs.Threshold)
		}
	}
	for c := range s {
		if !slices.Contains(Classes, c) {
			return fmt.Errorf("rules: %s: unknown alert class %q", where, c)
		}
	}
	return nil
}
