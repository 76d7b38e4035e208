// Package generator runs crdmon's pipeline: load CRDs, detect signals into
// one model, render every artifact from that model, and validate it all in
// memory. Writing (or comparing with disk) is left to the caller: files go
// to Options.Sink as soon as each has validated (an output.Writer stages
// them, to move them into place only once the whole run has succeeded), or
// are returned all at once.
package generator

import (
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/dashboards"
	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/infer"
	"github.com/crdmon/crdmon/generator/internal/parallel"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
)

// Options configure one run.
type Options struct {
	Inputs []string  // files, directories, globs or "-"
	Stdin  io.Reader // read for "-"
	Groups []string  // keep only kinds whose group matches one of these globs
	Kinds  []string  // keep only kinds whose kind matches one of these globs (case-insensitive)
	Only   []string  // artifacts to write: ksm, rules, dashboards; empty = all

	KSM        ksm.Options
	Rules      rules.Options
	Dashboards dashboards.Options
	Config     *config.File // overrides file, nil when none

	// Loaded, when set, is used instead of reading Inputs (e.g. CRDs listed
	// from a cluster).
	Loaded *load.Result

	// Learn, when set, learns the status of kinds whose schema leaves it
	// untyped from Objects (package infer), for this run only.
	Learn   bool
	Objects []map[string]any

	// Progress, when set, is told when each stage of a run ends.
	Progress func(stage string)

	// Sink, when set, receives each file as soon as it has rendered and
	// validated, in no particular order and from several goroutines at
	// once, and Result.Files stays empty: a large run never holds all its
	// output. A run that fails may have put some files already.
	Sink output.Sink
}

// Artifact names for Options.Only.
const (
	ArtifactKSM        = "ksm"
	ArtifactRules      = "rules"
	ArtifactDashboards = "dashboards"
)

// DefaultOptions are the defaults of `crdmon generate`.
func DefaultOptions() Options {
	return Options{KSM: ksm.DefaultOptions(), Rules: rules.DefaultOptions(), Dashboards: dashboards.DefaultOptions()}
}

// Result is what a run produced, before anything is written.
type Result struct {
	Load     *load.Result // what was read, without the schemas (only counts and sources are kept)
	Model    model.Model  // kinds that passed the filters
	Filtered int          // kinds left out by --group/--kind
	Warnings []string     // overrides that matched nothing, and the like
	KSM      ksm.Config   // the whole config, even when its files split it into shards
	// Installed are the input's CRDs as kube-state-metrics' discovery would
	// see them installed (before --group/--kind): what the config's
	// wildcard resources expand to (ksmeval.EvaluateInstalled).
	Installed []ksm.CRD
	Files     []output.File // sorted by path; empty when Options.Sink took them
	Paths     []string      // every file's path, sorted
	// Learned is, with Options.Learn, what was learned from objects for
	// each kind whose status is untyped, sorted by group and kind.
	Learned []infer.Result
}

// Generate loads the inputs and renders every artifact. Each CRD's signals
// are detected as soon as it is read and its schema dropped, so that the
// schemas of all the inputs are never in memory at once.
func Generate(opts Options) (*Result, error) {
	if opts.Loaded != nil {
		return FromCRDs(opts.Loaded, opts)
	}
	if err := checkFilters(opts); err != nil {
		return nil, err
	}
	type read struct { // a CRD as read: a List's items share a source
		source model.Source
		name   string
	}
	var mu sync.Mutex
	detected := map[read]model.Kind{}
	var learned []infer.Result
	loaded, err := load.PathsWith(opts.Inputs, opts.Stdin, load.Options{Keep: func(c load.CRD) load.CRD {
		k, l := detectKind(c, opts)
		mu.Lock()
		defer mu.Unlock()
		detected[read{c.Source, c.Name}] = k
		learned = append(learned, l...)
		return c.WithoutSchema()
	}})
	if err != nil {
		return nil, err
	}
	if opts.Progress != nil {
		opts.Progress(fmt.Sprintf("read %d CRDs", len(loaded.CRDs)))
	}
	kinds := make([]model.Kind, len(loaded.CRDs))
	for i, c := range loaded.CRDs {
		kinds[i] = detected[read{c.Source, c.Name}]
	}
	detect.SortKinds(kinds)
	return withLearned(render(loaded, kinds, opts))(learned)
}

// FromCRDs renders every artifact from CRDs already loaded.
func FromCRDs(loaded *load.Result, opts Options) (*Result, error) {
	if err := checkFilters(opts); err != nil {
		return nil, err
	}
	var kinds []model.Kind
	var learned []infer.Result
	for _, c := range loaded.CRDs {
		k, l := detectKind(c, opts)
		kinds, learned = append(kinds, k), append(learned, l...)
	}
	detect.SortKinds(kinds)
	// Nothing reads the schemas after detection: let them go.
	return withLearned(render(loaded.WithoutSchemas(), kinds, opts))(learned)
}

func checkFilters(opts Options) error {
	for _, g := range append(append([]string(nil), opts.Groups...), opts.Kinds...) {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad filter glob %q: %v", g, err)
		}
	}
	return nil
}

// render renders every artifact for the detected kinds (sorted by group and
// kind) of the CRDs loaded, whose schemas are gone.
func render(loaded *load.Result, kinds []model.Kind, opts Options) (*Result, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	res := &Result{Load: loaded, Installed: installed(loaded)}
	for _, k := range kinds {
		if matchAny(opts.Groups, k.Group, false) && matchAny(opts.Kinds, k.Kind, true) {
			res.Model.Kinds = append(res.Model.Kinds, k)
		} else {
			res.Filtered++
		}
	}
	progress(fmt.Sprintf("detected signals in %d kinds", len(res.Model.Kinds)))
	if opts.Config != nil {
		res.Warnings = append(res.Warnings, opts.Config.ApplyToModel(&res.Model)...)
		// Wildcard kinds the file declares pass --group; they stand for
		// kinds no --kind filter can name.
		res.Model.Kinds = slices.DeleteFunc(res.Model.Kinds, func(k model.Kind) bool {
			return k.Wildcard() && !(matchAny(opts.Groups, k.Group, false) && len(opts.Kinds) == 0)
		})
		if err := applyConfig(&opts, opts.Config, res.Model); err != nil {
			return nil, err
		}
	}
	opts.Rules.Prefix, opts.Dashboards.Prefix = opts.KSM.Prefix, opts.KSM.Prefix
	opts.KSM.Installed = res.Installed
	cfg, files, err := ksm.Render(res.Model, opts.KSM)
	var tooLarge *limits.Error
	if errors.As(err, &tooLarge) {
		return nil, &ValidationError{Err: err}
	}
	if err != nil {
		return nil, err
	}
	res.KSM = cfg
	var collected output.Collector
	sink := opts.Sink
	if sink == nil {
		sink = collected.Put
	}
	var mu sync.Mutex
	put := func(f output.File) error {
		if err := output.SafePath(f.Path); err != nil {
			return &outputError{err}
		}
		if err := limits.CheckFile(f); err != nil {
			return &ValidationError{Err: err}
		}
		f.JSON = nil // checked: only the content is written
		mu.Lock()
		res.Paths = append(res.Paths, f.Path)
		mu.Unlock()
		if err := sink(f); err != nil {
			return &outputError{err}
		}
		return nil
	}
	if want(opts.Only, ArtifactKSM) {
		if err := output.Sink(put).PutAll(files); err != nil {
			return nil, renderError(err)
		}
	}
	// Rules and dashboards read only the model: render them side by side.
	renderers := []func() error{}
	if want(opts.Only, ArtifactRules) {
		renderers = append(renderers, func() error { return rules.RenderTo(res.Model, opts.Rules, put) })
	}
	if want(opts.Only, ArtifactDashboards) {
		renderers = append(renderers, func() error { return dashboards.RenderTo(res.Model, opts.Dashboards, put) })
	}
	if err := parallel.Each(renderers, func(render func() error) error { return render() }); err != nil {
		return nil, renderError(err)
	}
	slices.Sort(res.Paths)
	res.Files = collected.Sorted()
	progress(fmt.Sprintf("rendered and validated %d files", len(res.Paths)))
	return res, nil
}

// outputError is a generated path or a Sink that failed: not a
// validation error.
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }

// renderError is the error of a run whose rendering failed: the output's
// own error for paths and sinks, else a ValidationError.
func renderError(err error) error {
	var failed *outputError
	var invalid *ValidationError
	switch {
	case errors.As(err, &failed):
		return failed.err
	case errors.As(err, &invalid):
		return invalid
	}
	return &ValidationError{Err: err}
}

// installed lists the loaded CRDs as kube-state-metrics' discovery reads them.
func installed(loaded *load.Result) []ksm.CRD {
	out := make([]ksm.CRD, 0, len(loaded.CRDs))
	for _, c := range loaded.CRDs {
		crd := ksm.CRD{Group: c.Spec.Group, Kind: c.Spec.Names.Kind, Plural: c.Spec.Names.Plural}
		for _, v := range c.Spec.Versions {
			if v.Served {
				crd.Served = append(crd.Served, v.Name)
			}
		}
		out = append(out, crd)
	}
	return out
}

func want(only []string, artifact string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if o == artifact {
			return true
		}
	}
	return false
}

func matchAny(globs []string, s string, fold bool) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		if fold {
			g, s = strings.ToLower(g), strings.ToLower(s)
		}
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

// ValidationError is generated output that failed validation (exit 1), as
// opposed to bad input (exit 2). Files may have gone to Options.Sink
// before it occurred: crdmon generate then removes what it staged.
type ValidationError struct{ Err error }

func (e *ValidationError) Error() string { return e.Err.Error() }

func (e *ValidationError) Unwrap() error { return e.Err }
