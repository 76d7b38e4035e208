package simulate

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/ksmeval"
)

// ReadObjects reads Kubernetes objects as `kubectl get KIND -A -o yaml|json`
// prints them (Lists, multi-document streams, JSON) from each path: a file,
// a directory (its .yaml, .yml and .json files, recursively), a glob, or "-"
// for stdin. Errors name the file and line.
func ReadObjects(paths []string, stdin io.Reader) ([]map[string]any, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no objects: give --objects FILE (kubectl get KIND -A -o yaml > FILE), or --objects - for stdin")
	}
	var out []map[string]any
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			objs, err := readFile(f, stdin)
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
		}
	}
	return out, nil
}

func readFile(p string, stdin io.Reader) ([]map[string]any, error) {
	if p == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("-: no standard input")
		}
		return ksmeval.LoadObjects(stdin, "-")
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ksmeval.LoadObjects(f, p)
}

// expand turns one path argument into files, sorted.
func expand(p string) ([]string, error) {
	if p == "-" {
		return []string{p}, nil
	}
	if strings.ContainsAny(p, "*?[") {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%s: no file matches", p)
		}
		var out []string
		for _, f := range m {
			files, err := expand(f)
			if err != nil {
				return nil, err
			}
			out = append(out, files...)
		}
		return out, nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var out []string
	err = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(f)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				out = append(out, f)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no .yaml, .yml or .json files", p)
	}
	sort.Strings(out)
	return out, nil
}
