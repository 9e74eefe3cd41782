// Package archive reads zip and tar archives we do not control, checked before anything is
// written: every entry name stays inside the target (relative, no "..", no NUL), every entry
// is a regular file (links and devices are refused), and the count and sizes are bounded.
// Callers write the files through the one writer; a refused archive writes nothing.
package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Limits bound an archive: its entries, one file's size, the unpacked total, a name's length.
type Limits struct {
	Entries int
	File    int64
	Total   int64
	Name    int
}

// File is one regular file of an archive: Name is slash-separated, clean and relative.
type File struct {
	Name string
	Data []byte
	Mode fs.FileMode
}

// Open reads the archive at p: a .zip, or a tar (.tar, .tar.gz, .tgz, .tar.bz2, .tbz2).
// Errors name p.
func Open(p string, lim Limits) ([]File, error) {
	r := &reader{lim: lim}
	var err error
	if strings.HasSuffix(strings.ToLower(p), ".zip") {
		err = r.zipFile(p)
	} else {
		err = r.tarFile(p)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return r.files, nil
}

// Zip reads a zip held in memory (an upload).
func Zip(data []byte, lim Limits) ([]File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("a bad zip: %w", err)
	}
	r := &reader{lim: lim}
	if err := r.zip(zr); err != nil {
		return nil, err
	}
	return r.files, nil
}

type reader struct {
	lim   Limits
	files []File
	total int64
}

func (r *reader) zipFile(p string) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return err
	}
	defer zr.Close()
	return r.zip(&zr.Reader)
}

func (r *reader) zip(zr *zip.Reader) error {
	if r.lim.Entries > 0 && len(zr.File) > r.lim.Entries {
		return fmt.Errorf("%d entries (at most %d)", len(zr.File), r.lim.Entries)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") {
			if _, err := r.name(f.Name); err != nil {
				return err
			}
			continue
		}
		if !f.Mode().IsRegular() {
			return fmt.Errorf("entry %q is not a regular file (%s)", f.Name, f.Mode().Type())
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		err = r.add(f.Name, int64(f.UncompressedSize64), rc, f.Mode())
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) tarFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	var in io.Reader = f
	switch low := strings.ToLower(p); {
	case strings.HasSuffix(low, "gz"):
		gz, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		in = gz
	case strings.HasSuffix(low, "bz2"):
		in = bzip2.NewReader(f)
	}
	tr := tar.NewReader(in)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeReg:
		case tar.TypeDir:
			if _, err := r.name(h.Name); err != nil {
				return err
			}
			continue
		default:
			return fmt.Errorf("entry %q is not a regular file (links are refused)", h.Name)
		}
		if err := r.add(h.Name, h.Size, tr, fs.FileMode(h.Mode)); err != nil {
			return err
		}
	}
}

// name checks an entry's name and returns it clean.
func (r *reader) name(raw string) (string, error) {
	clean := path.Clean("/" + raw)[1:]
	switch {
	case strings.ContainsRune(raw, 0):
		return "", fmt.Errorf("entry %q has a NUL byte in its name", raw)
	case r.lim.Name > 0 && len(raw) > r.lim.Name:
		return "", fmt.Errorf("entry %q has a name over %d bytes", raw[:64]+"…", r.lim.Name)
	case strings.HasPrefix(raw, "/") || strings.Contains(raw, "\\") || hasDotDot(raw):
		return "", fmt.Errorf("entry %q points outside the target dir", raw)
	}
	return clean, nil
}

func hasDotDot(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

func (r *reader) add(raw string, size int64, in io.Reader, mode fs.FileMode) error {
	name, err := r.name(raw)
	if err != nil {
		return err
	}
	if name == "" {
		return nil
	}
	if r.lim.Entries > 0 && len(r.files) >= r.lim.Entries {
		return fmt.Errorf("more than %d entries", r.lim.Entries)
	}
	if r.lim.File > 0 && size > r.lim.File {
		return fmt.Errorf("entry %q is %d bytes, over the %d-byte limit for one file", raw, size, r.lim.File)
	}
	limit := r.lim.File
	if limit <= 0 || r.lim.Total > 0 && r.lim.Total < limit {
		limit = r.lim.Total
	}
	data, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return fmt.Errorf("%s: %w", raw, err)
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("entry %q is over the %d-byte limit", raw, limit)
	}
	if r.total += int64(len(data)); r.lim.Total > 0 && r.total > r.lim.Total {
		return fmt.Errorf("over %d bytes unpacked", r.lim.Total)
	}
	if mode.Perm() == 0 {
		mode = 0o644
	}
	r.files = append(r.files, File{Name: name, Data: data, Mode: mode.Perm()})
	return nil
}
