// Package cli is crdmon's command line: flag parsing, messages and exit
// codes. The work itself is done by package generator.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/load"
)

// Exit codes.
const (
	ExitOK    = 0 // success; with --check: output in sync
	ExitDrift = 1 // --check found drift, or generated output failed validation
	ExitUsage = 2 // bad input or usage
)

// Env is what a command reads and writes besides the file system.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// describe, when set, receives a command's help text and flag set
	// instead of the command running: docs/cli.md is generated from it.
	describe *commandDoc
}

// commandDoc is what a command tells about itself: its help text and flags.
type commandDoc struct {
	help  string
	flags *flag.FlagSet
}

const usage = `crdmon turns Kubernetes CustomResourceDefinitions into monitoring.

It reads CRD schemas, finds their health signals (status conditions, replica
counts, observedGeneration, phase fields, suspend flags) and writes, from one
model, a kube-state-metrics custom-resource-state config with its RBAC,
Prometheus rules and Grafana dashboards.

Usage:
  crdmon generate -f PATH... [-o DIR] [flags]   write monitoring for the CRDs
  crdmon generate -f PATH... --check             fail (exit 1) if DIR is out of date
  crdmon inspect  -f PATH...                     show the signals found and why
  crdmon init     -f PATH...                     write a commented crdmon.yaml to tune them
  crdmon simulate -f PATH... --objects OBJS...   which series and alerts your objects produce
  crdmon help [COMMAND]                          show help for a command

PATH is a file, a directory (read recursively), a glob, or - for stdin, so
  kustomize build config/crd | crdmon generate -f -
works. Run 'crdmon help generate' for every flag.

Exit codes: 0 ok, 1 drift or validation failure, 2 bad input or usage.
`

// commands are crdmon's commands besides help, in the order its usage lists them.
var commands = []struct {
	name string
	run  func(args []string, env Env) int
}{
	{"generate", runGenerate},
	{"inspect", runInspect},
	{"init", runInit},
	{"simulate", runSimulate},
}

// Run executes crdmon with args (without the program name) and returns the exit code.
func Run(args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	cmd, rest := args[0], args[1:]
	for _, c := range commands {
		if c.name == cmd {
			return c.run(rest, env)
		}
	}
	switch cmd {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] != "help" {
			return Run([]string{rest[0], "-h"}, env)
		}
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "crdmon: unknown command %q\n\n%s", cmd, usage)
	return ExitUsage
}

// listFlag collects a repeatable, comma-separable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// newFlagSet returns a flag set that prints its full help to stdout when
// asked with -h, and a one-line hint after a flag error on stderr.
func newFlagSet(name, help string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if env.describe != nil {
		env.describe.help = help
	}
	fs.Usage = func() {
		if fs.Output() != env.Stdout {
			fmt.Fprintf(fs.Output(), "Run 'crdmon help %s' for every flag.\n", name)
			return
		}
		fmt.Fprint(fs.Output(), help+"\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; positional arguments are inputs as if given with -f.
// It returns an exit code and false when the command should stop.
func parse(fs *flag.FlagSet, args []string, inputs *listFlag, env Env) (int, bool) {
	if env.describe != nil {
		env.describe.flags = fs
		return ExitOK, false
	}
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(env.Stdout) // help is asked for: it goes to stdout, once
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK, false
			}
			return ExitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return ExitOK, true
		}
		*inputs = append(*inputs, args[0])
		args = args[1:]
	}
}

// reportError prints an error and returns its exit code.
func reportError(env Env, err error) int {
	var le *load.Error
	if errors.As(err, &le) {
		fmt.Fprintf(env.Stderr, "crdmon: %s\n", le)
		return ExitUsage
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Fprintf(env.Stderr, "crdmon: %s\n", ce)
		return ExitUsage
	}
	var ve *generator.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(env.Stderr, "crdmon: generated output failed validation, nothing written:\n%s\n", ve.Err)
		return ExitDrift
	}
	fmt.Fprintf(env.Stderr, "crdmon: %s\n", err)
	return ExitUsage
}
