package nbext

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jdash-dev/jdash/internal/archive"
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

// archiveLimits bound an nbextension archive: one entry is at most fsx.MaxCopy bytes, the
// whole at most 256 MiB and 20,000 entries. Larger is an error, never a truncated file.
var archiveLimits = archive.Limits{Entries: 20000, File: fsx.MaxCopy, Total: 256 << 20}

// extract unpacks an archive into dir. Every entry is read and checked first (archive.Open);
// only then is anything written, so a refused archive leaves nothing behind.
func extract(w fsx.Writer, src, dir string) error {
	files, err := archive.Open(src, archiveLimits)
	if err != nil {
		return fmt.Errorf("%w (nothing was installed)", err)
	}
	for _, f := range files {
		if _, err := w.WriteFile(filepath.Join(dir, filepath.FromSlash(f.Name)), f.Data, f.Mode); err != nil {
			return err
		}
	}
	return nil
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
