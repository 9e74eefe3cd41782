package fsx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// ReadJSON decodes jdash's own small JSON file at path into v, read through fsys (bounded,
// regular files only). A missing file is found == false and no error; a damaged one is an
// error naming the file.
func ReadJSON(fsys FS, path string, v any) (found bool, err error) {
	data, err := fsys.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// WriteJSON writes v as indented JSON and a newline through w, atomically, making the parent
// dir (dirMode) first.
func WriteJSON(w Writer, path string, v any, mode, dirMode fs.FileMode) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := w.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return err
	}
	_, err = w.WriteFile(path, append(data, '\n'), mode)
	return err
}
