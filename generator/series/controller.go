package series

// Metrics controller-runtime exports for every controller, labelled
// controller="<name>" (default name: the lower-cased kind).
const (
	ReconcileTotal          = "controller_runtime_reconcile_total"           // counter; label result=success|error|requeue|requeue_after
	ReconcileErrorsTotal    = "controller_runtime_reconcile_errors_total"    // counter
	ReconcileTimeSeconds    = "controller_runtime_reconcile_time_seconds"    // histogram (_bucket, _sum, _count)
	MaxConcurrent           = "controller_runtime_max_concurrent_reconciles" // gauge
	ActiveWorkers           = "controller_runtime_active_workers"            // gauge
	WorkqueueDepth          = "workqueue_depth"                              // gauge; label name=<controller>
	WorkqueueAdds           = "workqueue_adds_total"                         // counter; label name=<controller>
	WorkqueueRetries        = "workqueue_retries_total"                      // counter; label name=<controller>
	WorkqueueLongestRunning = "workqueue_longest_running_processor_seconds"  // gauge; label name=<controller>
)

// ControllerMetrics lists every controller-runtime metric name a rule or panel
// may use, including histogram series.
var ControllerMetrics = []string{
	ReconcileTotal, ReconcileErrorsTotal,
	ReconcileTimeSeconds + "_bucket", ReconcileTimeSeconds + "_sum", ReconcileTimeSeconds + "_count",
	MaxConcurrent, ActiveWorkers, WorkqueueDepth, WorkqueueAdds, WorkqueueRetries, WorkqueueLongestRunning,
}
