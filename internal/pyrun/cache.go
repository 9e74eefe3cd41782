package pyrun

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"github.com/jdash-dev/jdash/internal/fsx"
)

// Cache remembers answers about an env's files, keyed by a stamp of the files (path, size,
// mtime): what the env's Python answered about a module (a no-op `jdash setup` then starts
// no Python), and which patch rules a package file mentions (it then reads no file twice).
type Cache struct {
	path    string
	mu      sync.Mutex
	entries map[string]cacheEntry
	dirty   bool
}

type cacheEntry struct {
	Stamp string          `json:"stamp"`
	Out   json.RawMessage `json:"out"`
}

// OpenCache loads the cache file (a missing or damaged one starts empty).
func OpenCache(path string) *Cache {
	c := &Cache{path: path, entries: map[string]cacheEntry{}}
	if _, err := fsx.ReadJSON(fsx.Disk{}, path, &c.entries); err != nil {
		c.entries = map[string]cacheEntry{}
	}
	return c
}

// Get returns the answer stored for key while its stamp is unchanged.
func (c *Cache) Get(key, stamp string) ([]byte, bool) { return c.get(key, stamp) }

// Put stores a JSON answer for key under stamp ("" stores nothing).
func (c *Cache) Put(key, stamp string, out []byte) { c.put(key, stamp, out) }

func (c *Cache) get(key, stamp string) ([]byte, bool) {
	if c == nil || stamp == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.Stamp != stamp {
		return nil, false
	}
	return e.Out, true
}

func (c *Cache) put(key, stamp string, out []byte) {
	if c == nil || stamp == "" || !json.Valid(out) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = cacheEntry{Stamp: stamp, Out: append(json.RawMessage(nil), out...)}
	c.dirty = true
}

// Save writes the cache through w when it changed.
func (c *Cache) Save(w fsx.Writer) error {
	if c == nil || !c.dirty {
		return nil
	}
	data, err := json.Marshal(c.entries)
	if err != nil {
		return err
	}
	if err := w.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return err
	}
	_, err = w.WriteFile(c.path, data, 0o644)
	return err
}

// FileStamp is "path size mtime" of a file or dir, "" when it is missing.
func FileStamp(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return path + " " + st.ModTime().UTC().Format("2006-01-02T15:04:05.000000000") + " " + itoa(st.Size())
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
