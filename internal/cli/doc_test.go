package cli

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/docpage"
)

var update = flag.Bool("update", false, "rewrite docs/cli.md's generated section from the flag definitions")

// TestCLIDoc fails when docs/cli.md's reference differs from what the
// commands' own help texts and flag sets say. Regenerate it with
// go test ./internal/cli/ -run TestCLIDoc -update.
func TestCLIDoc(t *testing.T) {
	docpage.Check(t, filepath.Join("..", "..", "docs", "cli.md"), "cli", cliReference(t), *update,
		"go test ./internal/cli/ -run TestCLIDoc -update")
}

// describeCommands returns each command's help text and flags, as Run
// defines them.
func describeCommands(t *testing.T) []commandDoc {
	var docs []commandDoc
	for _, c := range commands {
		var d commandDoc
		if code := Run([]string{c.name}, Env{describe: &d}); code != ExitOK || d.flags == nil {
			t.Fatalf("%s did not describe itself (exit %d)", c.name, code)
		}
		docs = append(docs, d)
	}
	return docs
}

// cliReference renders the reference: usage, the flags every command
// shares, then each command's help and its own flags.
func cliReference(t *testing.T) string {
	docs := describeCommands(t)
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	shared := sharedFlags(docs)
	var b strings.Builder
	fmt.Fprintf(&b, "### crdmon help\n\n```text\n%s```\n\n", usage)
	fmt.Fprintf(&b, "### Flags of every command\n\n`%s` take these flags (positional arguments are inputs, as with `-f`):\n\n",
		strings.Join(names, "`, `"))
	flagTable(&b, docs[0].flags, func(name string) bool { return shared[name] })
	for i, d := range docs {
		fmt.Fprintf(&b, "\n### crdmon %s\n\n```text\n%s```\n\n", names[i], d.help)
		fmt.Fprintf(&b, "Its own flags, besides [those of every command](#flags-of-every-command):\n\n")
		flagTable(&b, d.flags, func(name string) bool { return !shared[name] })
	}
	return b.String()
}

// sharedFlags returns the flags every command defines alike.
func sharedFlags(docs []commandDoc) map[string]bool {
	shared := map[string]bool{}
	docs[0].flags.VisitAll(func(f *flag.Flag) {
		for _, d := range docs[1:] {
			g := d.flags.Lookup(f.Name)
			if g == nil || g.Usage != f.Usage || g.DefValue != f.DefValue {
				return
			}
		}
		shared[f.Name] = true
	})
	return shared
}

// flagTable writes a Markdown table of the flags keep selects, in
// lexical order as -h lists them.
func flagTable(b *strings.Builder, fs *flag.FlagSet, keep func(string) bool) {
	b.WriteString("| flag | default | meaning |\n|---|---|---|\n")
	fs.VisitAll(func(f *flag.Flag) {
		if !keep(f.Name) {
			return
		}
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		arg, usage := flag.UnquoteUsage(f)
		name := dash + f.Name
		if arg != "" {
			name += " " + arg
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = "`" + f.DefValue + "`"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", name, def, strings.ReplaceAll(usage, "|", `\|`))
	})
}
