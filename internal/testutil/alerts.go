package testutil

import "github.com/prometheus/prometheus/model/labels"

// AlertString is how tests compare a firing alert: its labels, a space,
// then its annotations, each as labels.Labels prints them.
func AlertString(alertLabels, annotations labels.Labels) string {
	return alertLabels.String() + " " + annotations.String()
}

// ExpectedAlert is the AlertString of an alert a promtool test expects
// (alert_rule_test's exp_labels and exp_annotations): its labels with
// alertname set, as promtool sets it.
func ExpectedAlert(alertname string, expLabels, expAnnotations map[string]string) string {
	b := labels.NewBuilder(labels.FromMap(expLabels))
	b.Set(labels.AlertName, alertname)
	return AlertString(b.Labels(), labels.FromMap(expAnnotations))
}
