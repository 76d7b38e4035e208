package cli

import "fmt"

func runInit(args []string, env Env) int {
	fmt.Fprintln(env.Stderr, "crdmon: init is not available in this build")
	return ExitUsage
}
