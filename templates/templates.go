// Package templates holds the text templates crdmon renders alert
// annotations (summary, description, runbook_url) from. Defaults are
// embedded; Load overlays files from a user directory (--templates DIR).
//
// Templates use [[ ]] as delimiters, so the {{ }} Prometheus expands when an
// alert fires (e.g. {{ $labels.name }}) can be written as is.
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
)

//go:embed defaults/*.tmpl
var defaults embed.FS

// Ext is the file extension of template files.
const Ext = ".tmpl"

// Helpers is the file of shared snippets ({{ define }} blocks); it renders nothing itself.
const Helpers = "_helpers"

// Delimiters crdmon's templates use; {{ }} is passed through to Prometheus.
const (
	LeftDelim  = "[["
	RightDelim = "]]"
)

// Set is a parsed set of templates, each named after its file without the extension
// (e.g. "ConditionNotTrue.summary", "runbook_url").
type Set struct {
	tmpl  *template.Template
	names []string
}

// Funcs are the functions available to templates besides text/template's builtins.
var Funcs = template.FuncMap{
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"join":  strings.Join,
}

// Default returns the embedded templates.
func Default() *Set {
	s, err := Load("")
	if err != nil {
		panic(err) // the embedded files are tested
	}
	return s
}

// Load parses the embedded templates and overlays the *.tmpl files in dir,
// which must each replace an embedded template of the same name. An empty dir
// loads the embedded templates only. An override whose name is unknown or that
// does not parse is an error naming the file.
func Load(dir string) (*Set, error) {
	texts := map[string]string{}
	entries, err := fs.ReadDir(defaults, "defaults")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(defaults, "defaults/"+e.Name())
		if err != nil {
			return nil, err
		}
		texts[strings.TrimSuffix(e.Name(), Ext)] = string(b)
	}
	origin := map[string]string{}
	if dir != "" {
		files, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		for _, f := range files {
			if f.IsDir() {
				continue
			}
			path := filepath.Join(dir, f.Name())
			name, ok := strings.CutSuffix(f.Name(), Ext)
			if _, known := texts[name]; !ok || !known {
				return nil, fmt.Errorf("templates: %s: unknown template file; known files are %s",
					path, strings.Join(fileNames(texts), ", "))
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
			texts[name] = string(b)
			origin[name] = path
		}
	}
	s := &Set{tmpl: template.New("").Delims(LeftDelim, RightDelim).Funcs(Funcs).Option("missingkey=error")}
	for _, name := range slices.Sorted(maps.Keys(texts)) {
		if _, err := s.tmpl.New(name).Parse(texts[name]); err != nil {
			where := origin[name]
			if where == "" {
				where = "embedded " + name + Ext
			}
			return nil, fmt.Errorf("templates: %s: %w", where, err)
		}
		if name != Helpers {
			s.names = append(s.names, name)
		}
	}
	return s, nil
}

// Names lists the templates that can be rendered, sorted.
func (s *Set) Names() []string { return append([]string(nil), s.names...) }

// Has reports whether the set has a template of that name.
func (s *Set) Has(name string) bool { return s.tmpl.Lookup(name) != nil }

// Override replaces one template with text, e.g. a runbook URL template given
// on the command line; what names the text's origin in errors.
func (s *Set) Override(name, text, what string) (*Set, error) {
	if !s.Has(name) {
		return nil, fmt.Errorf("templates: %s: unknown template %q", what, name)
	}
	c, err := s.tmpl.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := c.New(name).Parse(text); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", what, err)
	}
	return &Set{tmpl: c, names: s.names}, nil
}

// Render executes the named template with data and returns its output with
// surrounding white space trimmed.
func (s *Set) Render(name string, data any) (string, error) {
	t := s.tmpl.Lookup(name)
	if t == nil {
		return "", fmt.Errorf("templates: no template %q", name)
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("templates: %w", err)
	}
	return strings.TrimSpace(b.String()), nil
}

func fileNames(texts map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(texts)) {
		out = append(out, k+Ext)
	}
	return out
}
