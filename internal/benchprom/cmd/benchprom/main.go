// Command benchprom measures what the rules `crdmon generate` writes cost
// a real Prometheus: `make bench-prometheus` runs it (docs/prometheus-cost.md).
//
//	go run ./internal/benchprom/cmd/benchprom [-set corpus|provider|PATH] [-objects N] [-kinds K] [-rounds R] [-quick]
//
// Exit codes: 0 figures printed and every check passed, 1 a check failed
// (what differs is printed), 2 bad usage or the benchmark could not run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/crdmon/crdmon/internal/benchprom"
	"github.com/crdmon/crdmon/internal/testutil"
)

func main() { os.Exit(run()) }

func run() int {
	fs := flag.NewFlagSet("benchprom", flag.ContinueOnError)
	set := fs.String("set", "corpus", "CRD set: corpus (../shared/corpus or $CRDMON_CORPUS), provider (the synthetic Crossplane provider, 2,062 CRDs), or a file or directory of CRDs")
	objects := fs.Int("objects", 0, "synthetic objects (default: 1780; provider 3000; -quick 200)")
	kinds := fs.Int("kinds", -1, "kinds the objects are spread over, 0 for every kind with signals (default: 0; provider 300; -quick 20)")
	broken := fs.Float64("broken", 0.25, "fraction of objects broken in a way crdmon detects")
	seed := fs.Uint64("seed", 1, "object synthesis seed")
	rounds := fs.Int("rounds", 0, "evaluation rounds measured (default 8; -quick 2)")
	interval := fs.Duration("interval", 0, "scrape and evaluation interval (default 15s; -quick 5s)")
	quick := fs.Bool("quick", false, "smoke test: few objects, kinds and rounds, a 5s interval")
	prom := fs.String("prometheus", os.Getenv("PROMETHEUS_BIN"), "prometheus binary (default $PROMETHEUS_BIN, else bin/prometheus from make tools)")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	markdown := fs.Bool("markdown", false, "also print the figures as a row of docs/prometheus-cost.md's table")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "benchprom: unexpected arguments %q\n", fs.Args())
		return 2
	}
	def := func(v *int, normal, provider, quickV int) {
		switch {
		case *v > 0 || (*v == 0 && v == kinds):
		case *quick:
			*v = quickV
		case *set == "provider":
			*v = provider
		default:
			*v = normal
		}
	}
	def(objects, 1780, 3000, 200)
	def(kinds, 0, 300, 20)
	def(rounds, 8, 8, 2)
	if *interval <= 0 {
		*interval = 15 * time.Second
		if *quick {
			*interval = 5 * time.Second
		}
	}
	if *broken < 0 || *broken > 1 {
		fmt.Fprintln(os.Stderr, "benchprom: -broken must be between 0 and 1")
		return 2
	}

	if *prom == "" {
		root, err := testutil.FindRepoRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchprom:", err)
			return 2
		}
		*prom = filepath.Join(root, "bin", "prometheus")
	}
	if _, err := os.Stat(*prom); err != nil {
		fmt.Fprintf(os.Stderr, "benchprom: no prometheus binary: %v (run make tools, or set $PROMETHEUS_BIN)\n", err)
		return 2
	}

	dir, err := os.MkdirTemp("", "crdmon-bench-prometheus-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprom:", err)
		return 2
	}
	defer os.RemoveAll(dir)

	inputs, what, err := inputSet(*set, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprom:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	fmt.Printf("bench: %s, %d objects, %d rounds of %s, %s (%s)\n", what, *objects, *rounds, *interval, *prom, time.Now().UTC().Format(time.RFC3339))
	res, err := benchprom.Run(ctx, benchprom.Options{
		Inputs: inputs, Objects: *objects, Kinds: *kinds, Broken: *broken, Seed: *seed,
		Rounds: *rounds, Interval: *interval, Prometheus: *prom, Dir: dir, Log: os.Stdout,
	})
	if res != nil {
		fmt.Println()
		res.Cost.Print(os.Stdout)
		res.Summary(os.Stdout)
		if *markdown {
			fmt.Println(res.Cost.MarkdownRow(fmt.Sprintf("%s, %d objects of %d kinds", filepath.Base(*set), res.Objects, res.Kinds)))
		}
	}
	switch {
	case errors.Is(err, benchprom.ErrChecks):
		return 1
	case err != nil:
		fmt.Fprintln(os.Stderr, "benchprom:", err)
		return 2
	}
	return 0
}

// inputSet resolves -set to input paths, writing the synthetic provider
// into dir, and describes it.
func inputSet(set, dir string) ([]string, string, error) {
	switch set {
	case "corpus":
		corpus, err := testutil.SharedPath("CRDMON_CORPUS", "corpus")
		if err != nil {
			return nil, "", err
		}
		if _, err := os.Stat(corpus); err != nil {
			return nil, "", fmt.Errorf("CRD corpus: %w (set $CRDMON_CORPUS)", err)
		}
		return []string{corpus}, "corpus " + corpus, nil
	case "provider":
		crds := filepath.Join(dir, "crds")
		if err := os.MkdirAll(crds, 0o755); err != nil {
			return nil, "", err
		}
		n, err := testutil.ProviderAWS.Write(crds)
		if err != nil {
			return nil, "", err
		}
		return []string{crds}, fmt.Sprintf("synthetic Crossplane provider (%d CRDs)", n), nil
	}
	if _, err := os.Stat(set); err != nil {
		return nil, "", fmt.Errorf("-set %s: want corpus, provider or a CRD file or directory: %w", set, err)
	}
	return []string{set}, set, nil
}
