// Package accuracy measures how well crdmon's generated alerts tell a broken
// object from a healthy one, over real objects labelled Healthy, Degraded,
// Progressing or Suspended by hand-written health checks (the directory
// ../shared/health, see its README).
//
// Every object goes through the path `crdmon simulate` takes: its CRD is
// loaded and generated with default options (plain rule files), then
// simulate.Run evaluates the object at a time after every timestamp it
// holds. Each CRD is generated once for all its objects; each object is
// evaluated on its own, because test objects often share a name.
package accuracy

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/simulate"
)

// Labels the health checks give.
const (
	Healthy     = "Healthy"
	Degraded    = "Degraded"
	Progressing = "Progressing"
	Suspended   = "Suspended"
	Unknown     = "Unknown" // the check could not tell: reported only
)

// Statuses lists the labels in report order.
var Statuses = []string{Degraded, Healthy, Progressing, Suspended, Unknown}

// Case is one labelled object, a row of INDEX.tsv.
type Case struct {
	Group, Kind string
	Object      string // path relative to the shared directory (the health directory's parent)
	CRD         string // path relative to the shared directory
	Expected    string // Healthy, Degraded, Progressing, Suspended or Unknown
	Message     string // the health check's message
}

// Alert is one alert active for an object.
type Alert struct {
	Name  string
	Class rules.Class // from the runbook URL's anchor; empty when not recognised
	State simulate.State
	Why   string
}

// Outcome is what crdmon made of one labelled object.
type Outcome struct {
	Case
	At        time.Time // the simulated time
	KindFound bool      // the CRD defines the object's kind
	Signals   []string  // the kind's health signals, e.g. "condition status.conditions"
	Covered   bool      // the generated kube-state-metrics config serves the object
	Alerts    []Alert   // active alerts (firing and pending), by name
	Notes     []string  // simulate's notes
	// State and Reason are what the crdmon:health:state recording rule
	// records for the object; empty when it records nothing (the config
	// does not serve the object).
	State, Reason string
	// StateLike lists the fields of the kind's status that look like a
	// health state (see stateLikeFields), whatever detection made of them.
	StateLike []string
}

// HasSignal reports whether the object can alert at all: its kind has a
// health signal and the config serves it.
func (o Outcome) HasSignal() bool { return len(o.Signals) > 0 && o.Covered }

// Fires reports whether an alert is firing for the object.
func (o Outcome) Fires() bool {
	for _, a := range o.Alerts {
		if a.State == simulate.Firing {
			return true
		}
	}
	return false
}

// Result is every outcome, in INDEX.tsv order.
type Result struct {
	Outcomes []Outcome
}

// ReadIndex reads dir/INDEX.tsv.
func ReadIndex(dir string) ([]Case, error) {
	path := filepath.Join(dir, "INDEX.tsv")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		if line == 1 || sc.Text() == "" {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 6 {
			return nil, fmt.Errorf("%s:%d: %d columns, want 6 (group kind object crd status message)", path, line, len(cols))
		}
		out = append(out, Case{Group: cols[0], Kind: cols[1], Object: cols[2], CRD: cols[3], Expected: cols[4], Message: cols[5]})
	}
	return out, sc.Err()
}

// Run evaluates every object of the health directory dir, generating as
// `crdmon simulate` does with the overrides file cfg (nil for none). CRD and
// object paths of INDEX.tsv are relative to dir's parent.
func Run(dir string, cfg *config.File) (*Result, error) { return run(dir, cfg, false) }

// RunLearning is Run where the status of each kind whose schema leaves it
// untyped is learned, for each labelled object, from the other objects of
// its kind in the set (never from the object judged), as `crdmon init
// --objects` or `generate --sample-objects` would learn it from a cluster.
func RunLearning(dir string, cfg *config.File) (*Result, error) { return run(dir, cfg, true) }

func run(dir string, cfg *config.File, learn bool) (*Result, error) {
	cases, err := ReadIndex(dir)
	if err != nil {
		return nil, err
	}
	shared := filepath.Dir(filepath.Clean(dir))
	byCRD := map[string][]int{}
	var crds []string
	for i, c := range cases {
		if byCRD[c.CRD] == nil {
			crds = append(crds, c.CRD)
		}
		byCRD[c.CRD] = append(byCRD[c.CRD], i)
	}
	perCRD, err := mapCRDs(crds, func(crd string) ([]Outcome, error) {
		var cs []Case
		for _, i := range byCRD[crd] {
			cs = append(cs, cases[i])
		}
		if learn {
			return runLearning(shared, crd, cs, cfg)
		}
		return runCRD(shared, crd, cs, cfg)
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Outcomes: make([]Outcome, len(cases))}
	for k, crd := range crds {
		for j, i := range byCRD[crd] {
			res.Outcomes[i] = perCRD[k][j]
		}
	}
	return res, nil
}

// runCRD generates from one CRD file as `crdmon simulate -f CRD` does and
// evaluates each of its objects.
func runCRD(shared, crd string, cases []Case, cfg *config.File) ([]Outcome, error) {
	loaded, err := load.Paths([]string{filepath.Join(shared, crd)}, nil)
	if err != nil {
		return nil, err
	}
	res, err := generator.FromCRDs(loaded, simulateOptions(cfg, nil))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", crd, err)
	}
	return evaluateAll(shared, cases, loaded, res)
}

// evaluateAll evaluates each of cases against one generation's result.
func evaluateAll(shared string, cases []Case, loaded *load.Result, res *generator.Result) ([]Outcome, error) {
	out := make([]Outcome, 0, len(cases))
	for _, c := range cases {
		o, err := evaluate(shared, c, loaded, res)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Object, err)
		}
		out = append(out, o)
	}
	return out, nil
}

// simulateOptions are the options `crdmon simulate` generates with, learning
// from objects when there are any.
func simulateOptions(cfg *config.File, objects []map[string]any) generator.Options {
	opts := generator.DefaultOptions()
	opts.Rules.Format = rules.FormatPlain // as crdmon simulate sets it
	opts.Config = cfg
	opts.Learn, opts.Objects = objects != nil, objects
	return opts
}

// evaluate runs one object through simulate.Run.
func evaluate(shared string, c Case, loaded *load.Result, res *generator.Result) (Outcome, error) {
	o := Outcome{Case: c}
	objs, err := simulate.ReadObjects([]string{filepath.Join(shared, c.Object)}, nil)
	if err != nil {
		return o, err
	}
	var deadlines [][]string
	for _, k := range res.Model.Kinds {
		if k.Group == c.Group && k.Kind == c.Kind {
			o.KindFound = true
			o.Signals = signals(k)
			o.StateLike = stateLikeFields(loaded, k)
			for _, ts := range k.Timestamps {
				deadlines = append(deadlines, ts.Path)
			}
		}
	}
	o.At = EvaluationTime(objs, deadlines)
	rep, err := simulate.Run(res, objs, o.At)
	if err != nil {
		return o, err
	}
	o.Covered = rep.Objects > 0
	for _, h := range rep.Health {
		if h.Group == c.Group && h.Kind == c.Kind {
			o.State, o.Reason = h.State, h.Reason
			break
		}
	}
	o.Notes = rep.Notes()
	for _, row := range rep.Rows {
		if row.State == simulate.OK {
			continue
		}
		o.Alerts = append(o.Alerts, Alert{Name: row.Alert, Class: classOf(row), State: row.State, Why: row.Why})
	}
	return o, nil
}

// signals names the kind's health signals and where they are.
func signals(k model.Kind) []string {
	var out []string
	for _, c := range k.Conditions {
		out = append(out, "conditions "+c.SchemaPath)
	}
	if k.Replicas != nil {
		out = append(out, "replicas "+k.Replicas.Desired.SchemaPath+"/"+k.Replicas.Ready.SchemaPath)
	}
	if k.Generation != nil {
		out = append(out, "generation "+k.Generation.Observed.SchemaPath)
	}
	for _, p := range k.Phases {
		out = append(out, "phase "+p.SchemaPath)
	}
	return out
}

// classOf reads an alert's class from its runbook URL, whose default
// template ends in "#" and the lower-cased class.
func classOf(row simulate.Row) rules.Class {
	url := row.Annotations[rules.AnnotationRunbookURL]
	_, anchor, ok := strings.Cut(url, "#")
	if !ok {
		return ""
	}
	for _, c := range rules.Classes {
		if strings.EqualFold(string(c), anchor) {
			return c
		}
	}
	return ""
}

// ReferenceTime is when objects holding no timestamp are evaluated: any time
// will do, as nothing in them can age; a fixed one keeps runs identical.
var ReferenceTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// EvaluationTime is when the objects are evaluated: Margin after the latest
// string value that is an RFC 3339 timestamp (condition lastTransitionTimes,
// but also lastUpdateTime, startTime, completionTime...; not a timestamp
// inside a message), else ReferenceTime. Values at the deadlines paths
// (expiry and renewal times, which name a future the snapshot was taken
// before) do not count.
//
// The objects are snapshots taken while their state held, and the health
// checks judge them as they stand. An alert with a threshold ("not Ready for
// 15m") can only fire once it has passed, so evaluating just after the last
// timestamp would count every Degraded object as quiet. Evaluating after
// every default threshold has passed measures what a user sees once the
// alerts have had the time they ask for; a Progressing object whose
// progress alert then fires has indeed been progressing for longer than
// crdmon's "stuck" threshold.
func EvaluationTime(objects []map[string]any, deadlines [][]string) time.Time {
	var latest time.Time
	for _, o := range objects {
		walkStrings(o, nil, deadlines, func(s string) {
			if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(latest) {
				latest = t
			}
		})
	}
	if latest.IsZero() {
		return ReferenceTime
	}
	return latest.Add(Margin()).Truncate(time.Second)
}

// Margin is longer than every default alert threshold: the longest default
// for: of an alert class, plus the for: of alerts measured from a
// lastTransitionTime (which starts once the threshold has passed), plus one
// evaluation step.
func Margin() time.Duration {
	o := rules.DefaultOptions()
	var longest time.Duration
	for _, c := range rules.Classes {
		longest = max(longest, o.Classes[c].For)
	}
	return longest + o.TimestampFor + simulate.Step
}

// walkStrings calls fn on every string in v, a decoded JSON value at path
// (list indexes as numbers), but those at a path in skip.
func walkStrings(v any, path []string, skip [][]string, fn func(string)) {
	switch x := v.(type) {
	case string:
		if !slices.ContainsFunc(skip, func(p []string) bool { return slices.Equal(p, path) }) {
			fn(x)
		}
	case map[string]any:
		for k, e := range x {
			walkStrings(e, append(slices.Clip(path), k), skip, fn)
		}
	case []any:
		for i, e := range x {
			walkStrings(e, append(slices.Clip(path), strconv.Itoa(i)), skip, fn)
		}
	}
}

// mapCRDs runs fn for every CRD, as many at once as there are cores, and
// returns the results in input order (the report stays deterministic).
func mapCRDs(crds []string, fn func(string) ([]Outcome, error)) ([][]Outcome, error) {
	out := make([][]Outcome, len(crds))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, crd := range crds {
		g.Go(func() (err error) {
			out[i], err = fn(crd)
			return err
		})
	}
	return out, g.Wait()
}
