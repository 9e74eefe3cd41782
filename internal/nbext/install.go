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
	jobs, err := planTree(path, full)
	if err != nil {
		return "", err
	}
	for _, j := range jobs {
		switch {
		case j.dir:
			err = w.MkdirAll(j.dst, 0o755)
		case j.link != "":
			if cur, lerr := os.Readlink(j.dst); lerr != nil || cur != j.link {
				_, err = w.Symlink(j.link, j.dst)
			}
		default:
			err = maybeCopy(w, j.src, j.dst)
		}
		if err != nil {
			return full, err
		}
	}
	return full, nil
}

// treeJob is one entry of a source tree to install.
type treeJob struct {
	src, dst string
	dir      bool
	link     string // a symlink kept as a link (its target is inside the source tree)
}

// planTree walks a source tree before anything is written. A symlink whose target stays
// inside the tree is kept as the same relative link (a link to a file inside is copied as
// the file, as Jupyter's copy does); one that leaves the tree is refused: following it
// silently would serve whatever it points to (/etc/passwd) from the notebook server.
func planTree(root, dest string) ([]treeJob, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	var jobs []treeJob
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		target := filepath.Join(dest, rel)
		if d.Type()&fs.ModeSymlink == 0 {
			jobs = append(jobs, treeJob{src: p, dst: target, dir: d.IsDir()})
			return nil
		}
		to, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fmt.Errorf("%s is a broken symlink: %w", p, err)
		}
		if to != realRoot && !strings.HasPrefix(to, realRoot+string(filepath.Separator)) {
			return fmt.Errorf("%s is a symlink to %s, outside the extension's source %s: refused (jdash does not copy what a link points to outside the tree)", p, to, root)
		}
		st, err := os.Stat(to)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			jobs = append(jobs, treeJob{src: to, dst: target})
			return nil
		}
		link, err := filepath.Rel(filepath.Dir(p), to)
		if err != nil {
			return err
		}
		jobs = append(jobs, treeJob{dst: target, link: link})
		return nil
	})
	return jobs, err
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
// Archive limits: one entry is at most fsx.MaxCopy bytes, the whole archive at most
// maxArchive bytes and maxEntries entries. Larger is an error, never a truncated file.
const (
	maxArchive = 256 << 20
	maxEntries = 20000
)

// extract unpacks an archive into dir. Every entry is read and checked first (its name stays
// inside dir, it is a regular file, it and the archive are within the limits); only then is
// anything written, so a refused archive leaves nothing behind.
func extract(w fsx.Writer, archive, dir string) error {
	type entry struct {
		target string
		data   []byte
		mode   fs.FileMode
	}
	var entries []entry
	total := int64(0)
	add := func(name string, size int64, r io.Reader, mode fs.FileMode) error {
		if strings.ContainsRune(name, 0) {
			return fmt.Errorf("%s: entry %q has a NUL byte in its name", archive, name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("%s: entry %q points outside the nbextensions dir", archive, name)
		}
		if len(entries) >= maxEntries {
			return fmt.Errorf("%s: more than %d entries", archive, maxEntries)
		}
		if size > fsx.MaxCopy {
			return fmt.Errorf("%s: entry %q is %d bytes, over the %d-byte limit for one file", archive, name, size, int64(fsx.MaxCopy))
		}
		data, err := io.ReadAll(io.LimitReader(r, fsx.MaxCopy+1))
		if err != nil {
			return fmt.Errorf("%s: %s: %w", archive, name, err)
		}
		if int64(len(data)) > fsx.MaxCopy {
			return fmt.Errorf("%s: entry %q is over the %d-byte limit for one file", archive, name, int64(fsx.MaxCopy))
		}
		if total += int64(len(data)); total > maxArchive {
			return fmt.Errorf("%s: over %d bytes unpacked", archive, int64(maxArchive))
		}
		if mode == 0 {
			mode = 0o644
		}
		entries = append(entries, entry{target, data, mode.Perm()})
		return nil
	}
	if err := readArchive(archive, add); err != nil {
		return fmt.Errorf("%s (nothing was installed)", err)
	}
	for _, e := range entries {
		if _, err := w.WriteFile(e.target, e.data, e.mode); err != nil {
			return err
		}
	}
	return nil
}

// readArchive calls add for each regular file of a zip or (compressed) tar archive.
func readArchive(archive string, add func(name string, size int64, r io.Reader, mode fs.FileMode) error) error {
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
			if !f.Mode().IsRegular() {
				return fmt.Errorf("%s: entry %q is not a regular file (%s)", archive, f.Name, f.Mode().Type())
			}
			rc, err := f.Open()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", archive, f.Name, err)
			}
			err = add(f.Name, int64(f.UncompressedSize64), rc, f.Mode())
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
		switch h.Typeflag {
		case tar.TypeReg:
		case tar.TypeDir:
			continue
		default:
			return fmt.Errorf("%s: entry %q is not a regular file (links are refused)", archive, h.Name)
		}
		if err := add(h.Name, h.Size, tr, fs.FileMode(h.Mode)); err != nil {
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
