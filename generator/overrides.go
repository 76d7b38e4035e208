package generator

import (
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/rules"
)

// applyConfig sets the renderers' options from the overrides file. The
// prefix set there reaches every renderer, so all artifacts agree.
func applyConfig(opts *Options, f *config.File, m model.Model) error {
	d := f.Defaults
	if d.Prefix != "" {
		opts.KSM.Prefix = d.Prefix
	}
	for k, v := range d.Labels {
		opts.Rules.ExtraAlertLabels = setKey(opts.Rules.ExtraAlertLabels, k, v)
	}
	for k, v := range d.Annotations {
		opts.Rules.ExtraAnnotations = setKey(opts.Rules.ExtraAnnotations, k, v)
	}
	for k, v := range d.RuleSelector {
		opts.Rules.RuleLabels = setKey(opts.Rules.RuleLabels, k, v)
	}
	if d.RunbookURL != "" {
		opts.Rules.RunbookURLTemplate = d.RunbookURL
	}
	if d.RuleNamespace != "" {
		opts.Rules.Namespace = d.RuleNamespace
	}
	if d.DashboardFolder != "" {
		opts.Dashboards.Folder = d.DashboardFolder
	}
	defaults, err := classSettings(opts.Rules.Classes, d.Alerts)
	if err != nil {
		return err
	}
	opts.Rules.Classes = defaults
	opts.Rules.OverrideFor = func(k model.Kind) rules.AlertSettings {
		s, _ := classSettings(defaults, f.AlertsFor(k)) // checked by config.Parse
		return s
	}
	controllers := map[string][]string{}
	for _, k := range m.Kinds {
		if names := f.ControllersFor(k); len(names) > 0 {
			controllers[k.ID()] = names
		}
	}
	opts.Rules.Controllers = mergeControllers(opts.Rules.Controllers, controllers)
	opts.Dashboards.Controllers = mergeControllers(opts.Dashboards.Controllers, controllers)
	return nil
}

// classSettings merges overrides-file alert settings over base.
func classSettings(base rules.AlertSettings, over map[string]config.Alert) (rules.AlertSettings, error) {
	out := rules.AlertSettings{}
	for c, s := range base {
		out[c] = s
	}
	for name, a := range over {
		c := rules.Class(name)
		s := out[c]
		if a.Disabled != nil {
			s.Disabled = *a.Disabled
		}
		if a.Severity != "" {
			s.Severity = a.Severity
		}
		if a.For != "" {
			d, err := config.ParseDuration(a.For)
			if err != nil {
				return nil, err
			}
			s.For = d
		}
		if a.Threshold != nil {
			s.Threshold = float64(*a.Threshold)
		}
		out[c] = s
	}
	return out, nil
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func mergeControllers(base, over map[string][]string) map[string][]string {
	if len(over) == 0 {
		return base
	}
	out := map[string][]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
