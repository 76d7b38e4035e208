package model

import "testing"

func TestPolarityOf(t *testing.T) {
	for typ, want := range map[string]Polarity{
		"Ready": Positive, "Synced": Positive, "Stalled": Negative, "Degraded": Negative,
		"ComparisonError": Negative, "InstallFailed": Negative, "Reconciling": Progress,
		"Progressing": Progress, "Paused": Neutral, "SyncReplicationTopologySatisfied": Neutral,
	} {
		if got := PolarityOf(typ); got != want {
			t.Errorf("PolarityOf(%s) = %s, want %s", typ, got, want)
		}
	}
	k := Kind{Polarity: map[string]Polarity{"Ready": Neutral, "Flooded": Negative}}
	if k.PolarityOf("Ready") != Neutral || k.PolarityOf("Flooded") != Negative || k.PolarityOf("Stalled") != Negative {
		t.Error("per-kind overrides not applied")
	}
}

func TestIsFailurePhase(t *testing.T) {
	for v, want := range map[string]bool{
		"Failed": true, "failed": true, "FAILED": true, "errored": true, "Unavailable": true, "NotReady": true,
		"FinalizingPartiallyFailed": true, "ConfigError": true, "FailedValidation": true,
		"Running": false, "Available": false, "Completed": false, "Pending": false, "Ready": false,
	} {
		if got := IsFailurePhase(v); got != want {
			t.Errorf("IsFailurePhase(%s) = %v", v, got)
		}
	}
}

// Negative words count as words of a CamelCase type only; positive suffixes
// make the rest positive; Active is neutral (an idle autoscaler is healthy).
func TestPolarityWords(t *testing.T) {
	for typ, want := range map[string]Polarity{
		"DependenciesInstalled": Positive, "PartiallyReady": Negative, "violation": Negative,
		"CatalogSourcesUnhealthy": Negative, "FailedScale": Negative, "HasErrors": Negative,
		"ChildResourcesHealthy": Positive, "ResourcesApplied": Positive, "Unavailable": Negative,
		"ProgressiveUpgradeSucceeded": Positive, "Active": Neutral, "FailoverReady": Positive,
		"ErrorFree": Negative, "Errorless": Neutral, "SubscriptionCompliant": Positive,
	} {
		if got := PolarityOf(typ); got != want {
			t.Errorf("PolarityOf(%s) = %s, want %s", typ, got, want)
		}
	}
}
