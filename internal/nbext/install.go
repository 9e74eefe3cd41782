package nbext

import (
	"archive/tar"
	"archive/zip"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// InstallOptions are `jupyter nbextension install`'s options.
type InstallOptions struct {
	Overwrite   bool   // remove what is at the destination first
	Symlink     bool   // link instead of copying
	Destination string // name under nbextensions (default: the source's base name)
}

// Install stages path (a file, a dir, or a zip/tar archive) into the nbextensions dir with
// notebook 6's rules: a file is copied only when the destination is missing or older
// (mtime, 1µs tolerance), directories are merged, stale files stay unless Overwrite, and
// archives are unpacked into the nbextensions dir. It returns the installed destination.
func Install(w fsx.Writer, nbextDir, path string, o InstallOptions) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("nbextension source %s: %w", path, err)
	}
	if strings.Contains(path, "://") {
		return "", errors.New("installing from URLs is not supported: download the file first")
	}
	if err := w.MkdirAll(nbextDir, 0o755); err != nil {
		return "", err
	}
	if !st.IsDir() && isArchive(path) {
		if o.Symlink {
			return "", errors.New("cannot symlink from archives")
		}
		if o.Destination != "" {
			return "", errors.New("cannot give destination for archives")
		}
		return nbextDir, extract(w, path, nbextDir)
	}
	dest := o.Destination
	if dest == "" {
		dest = filepath.Base(filepath.Clean(path))
	}
	full := filepath.Clean(filepath.Join(nbextDir, dest))
	if o.Overwrite {
		if err := fsx.RemoveAll(w, full); err != nil {
			return "", err
		}
	}
	if o.Symlink {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(full); err != nil { // Jupyter links only when nothing is there
			if _, err := w.Symlink(abs, full); err != nil {
				return "", err
			}
		}
		return full, nil
	}
	if !st.IsDir() {
		return full, maybeCopy(w, path, full)
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(path, p)
		target := filepath.Join(full, rel)
		if d.IsDir() {
			return w.MkdirAll(target, 0o755)
		}
		return maybeCopy(w, p, target)
	})
	return full, err
}

// maybeCopy is notebook's _maybe_copy: copy when the destination is missing or older.
func maybeCopy(w fsx.Writer, src, dst string) error {
	sst, err := os.Stat(src)
	if err != nil {
		return err
	}
	if dst, err := os.Stat(dst); err == nil && sst.ModTime().Sub(dst.ModTime()).Seconds() <= 1e-6 {
		return nil
	}
	_, err = w.CopyFile(src, dst)
	return err
}

func isArchive(p string) bool {
	for _, ext := range []string{".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2"} {
		if strings.HasSuffix(strings.ToLower(p), ext) {
			return true
		}
	}
	return false
}

// extract unpacks an archive into dir, refusing entries that would land outside it.
func extract(w fsx.Writer, archive, dir string) error {
	put := func(name string, r io.Reader, mode fs.FileMode) error {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("%s: entry %q points outside the nbextensions dir", archive, name)
		}
		data, err := io.ReadAll(io.LimitReader(r, 256<<20))
		if err != nil {
			return fmt.Errorf("%s: %s: %w", archive, name, err)
		}
		if mode == 0 {
			mode = 0o644
		}
		_, err = w.WriteFile(target, data, mode.Perm())
		return err
	}
	if strings.HasSuffix(strings.ToLower(archive), ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				return err
			}
			err = put(f.Name, rc, f.Mode())
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	switch low := strings.ToLower(archive); {
	case strings.HasSuffix(low, "gz"):
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		r = gz
	case strings.HasSuffix(low, "bz2"):
		r = bzip2.NewReader(f)
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := put(h.Name, tr, fs.FileMode(h.Mode)); err != nil {
			return err
		}
	}
}

// UninstallFiles removes an installed nbextension (a file, dir or symlink named dest) from
// the first nbextensions dir that has it, or from the given dir only.
func UninstallFiles(w fsx.Writer, dirs []string, dest string) (string, error) {
	for _, d := range dirs {
		full := filepath.Join(d, dest)
		if _, err := os.Lstat(full); err == nil {
			return full, fsx.RemoveAll(w, full)
		}
	}
	return "", fmt.Errorf("no nbextension named %q in %s", dest, strings.Join(dirs, ", "))
}
