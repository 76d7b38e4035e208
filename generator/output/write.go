package output

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Status says what writing did to one file.
type Status string

// File statuses reported by Write and Compare.
const (
	Unchanged Status = "unchanged"
	Created   Status = "created"
	Updated   Status = "updated"
	Stale     Status = "stale"   // on disk with crdmon's marker, no longer generated
	Removed   Status = "removed" // stale and pruned
)

// Change is the status of one path after Write or Compare.
type Change struct {
	Path   string
	Status Status
	Old    []byte // content on disk before, nil when absent
	New    []byte // generated content, nil for stale files
}

// SafePath checks that a generated path stays inside the output directory.
func SafePath(p string) error {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(p)))
	if p == "" || clean == "." || filepath.IsAbs(p) || clean != p || strings.HasPrefix(clean, "../") || clean == ".." || strings.Contains(p, "\\") {
		return fmt.Errorf("generated path %q would escape the output directory", p)
	}
	return nil
}

// Compare reports how the files differ from what is in dir, including
// files crdmon wrote before that it would not write now. It never writes.
func Compare(dir string, files []File) ([]Change, error) {
	var changes []Change
	want := map[string]bool{}
	for _, f := range files {
		if err := SafePath(f.Path); err != nil {
			return nil, err
		}
		want[f.Path] = true
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case os.IsNotExist(err):
			changes = append(changes, Change{Path: f.Path, Status: Created, New: f.Content})
		case err != nil:
			return nil, err
		case bytes.Equal(old, f.Content):
			changes = append(changes, Change{Path: f.Path, Status: Unchanged, Old: old, New: f.Content})
		default:
			changes = append(changes, Change{Path: f.Path, Status: Updated, Old: old, New: f.Content})
		}
	}
	stale, err := staleFiles(dir, want)
	if err != nil {
		return nil, err
	}
	changes = append(changes, stale...)
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// staleFiles finds files under dir that carry crdmon's marker but are not wanted.
func staleFiles(dir string, want map[string]bool) ([]Change, error) {
	var out []Change
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && path == dir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if want[rel] {
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if HasMarker(content) {
			out = append(out, Change{Path: rel, Status: Stale, Old: content})
		}
		return nil
	})
	return out, err
}

// Write brings dir in line with files: every changed file is written to a
// temporary file in its own directory, then all are renamed into place, so a
// failure leaves the previous output intact. With prune, stale files that
// carry crdmon's marker are removed; other files are never touched.
func Write(dir string, files []File, prune bool) ([]Change, error) {
	changes, err := Compare(dir, files)
	if err != nil {
		return nil, err
	}
	type pending struct{ tmp, dst string }
	var renames []pending
	cleanup := func() {
		for _, p := range renames {
			os.Remove(p.tmp)
		}
	}
	for _, c := range changes {
		if c.Status != Created && c.Status != Updated {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(c.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			cleanup()
			return nil, err
		}
		tmp, err := os.CreateTemp(filepath.Dir(dst), ".crdmon-*.tmp")
		if err != nil {
			cleanup()
			return nil, err
		}
		renames = append(renames, pending{tmp.Name(), dst})
		_, werr := tmp.Write(c.New)
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			cleanup()
			return nil, fmt.Errorf("writing %s: %v", dst, firstErr(werr, cerr))
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			cleanup()
			return nil, err
		}
	}
	for i, p := range renames {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			for _, q := range renames[i:] {
				os.Remove(q.tmp)
			}
			return nil, err
		}
	}
	if prune {
		for i, c := range changes {
			if c.Status == Stale {
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(c.Path))); err != nil {
					return nil, err
				}
				changes[i].Status = Removed
			}
		}
	}
	return changes, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
