package cli

import "fmt"

// runSimulate is being written (issue 8); until then it says so.
func runSimulate(args []string, env Env) int {
	fmt.Fprintln(env.Stderr, "crdmon: simulate is not available in this build")
	return ExitUsage
}
