// Package engine runs a `jdash up` stack on this machine, from the plan internal/compose
// makes: pre-flight (ports, the envs' packages, doctor), the foreground or detached
// supervisor, ps, logs, down, and the export to another engine. Its store is the stack's
// state dir (the lock that keeps one supervisor per stack, its holder, the plan and the
// state, written through the one writer and validated on read); its probe checks who
// answers before a token is sent; its stop signals only what it can prove is the stack's and
// then says what still holds its ports.
package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jdash-dev/jdash/internal/compose"
	"github.com/jdash-dev/jdash/internal/fsx"
	"github.com/jdash-dev/jdash/internal/proc"
)

// Store is a stack's state dir under jdash's state home (StoreFor): one per project dir,
// never in the notebooks' dir. It holds the lock, the holder, the plan, the state, the
// services' config and token files and the logs, all 0600 in a 0700 dir.
type Store string

// StoreFor is the store of the stack of projectDir.
func StoreFor(stateHome, projectDir string) Store {
	sum := sha256.Sum256([]byte(projectDir))
	name := filepath.Base(projectDir)
	if name == "/" || name == "." {
		name = "root"
	}
	return Store(filepath.Join(stateHome, "stacks", name+"-"+hex.EncodeToString(sum[:])[:12]))
}

// The files of a store.
func (d Store) planFile() string   { return filepath.Join(string(d), "plan.json") }
func (d Store) stateFile() string  { return filepath.Join(string(d), "state.json") }
func (d Store) LogDir() string     { return filepath.Join(string(d), "logs") }
func (d Store) lockFile() string   { return filepath.Join(string(d), "lock") }
func (d Store) holderFile() string { return filepath.Join(string(d), "holder") }

// Writer writes the state dir's files: 0600, atomic, confined to the dir.
func (d Store) Writer() *fsx.Real { return &fsx.Real{Roots: fsx.NewRoots(string(d))} }

// Make creates the state dir (0700: its files hold tokens).
func (d Store) Make() error {
	w := d.Writer()
	for _, p := range []string{string(d), filepath.Join(string(d), "config")} {
		if err := w.MkdirAll(p, 0o700); err != nil {
			return err
		}
	}
	return nil
}

// Damaged is a state file that cannot be trusted: the stack is then found by its marker.
type Damaged struct {
	File string
	Err  error
}

func (e *Damaged) Error() string { return fmt.Sprintf("%s is damaged: %v", e.File, e.Err) }

// State reads the stack's state: nil, nil when there is none; a *Damaged error when the file
// is there but not a state jdash can trust.
func (d Store) State() (*State, error) {
	file := d.stateFile()
	data, err := fsx.ReadRegular(file, 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Damaged{file, err}
	}
	st, err := ParseState(string(d), data)
	if err != nil {
		return nil, &Damaged{file, err}
	}
	return st, nil
}

// SaveState writes the state atomically.
func (d Store) SaveState(st *State) error {
	return fsx.WriteJSON(d.Writer(), d.stateFile(), st, fsx.SecretMode, 0o700)
}

// WritePlan writes the plan the detached supervisor runs and the files its services need.
func (d Store) WritePlan(pl *compose.Plan) error {
	if err := d.Make(); err != nil {
		return err
	}
	data, err := pl.Marshal()
	if err != nil {
		return err
	}
	w := d.Writer()
	if _, err := w.WriteFile(d.planFile(), data, fsx.SecretMode); err != nil {
		return err
	}
	for _, p := range pl.Procs {
		for _, file := range p.Files {
			if _, err := w.WriteFile(file.Path, file.Data, fsx.SecretMode); err != nil {
				return err
			}
		}
	}
	return nil
}

// Plan reads the plan WritePlan wrote.
func (d Store) Plan() (*compose.Plan, error) {
	data, err := fsx.ReadRegular(d.planFile(), 16<<20)
	if err != nil {
		return nil, err
	}
	pl, err := compose.UnmarshalPlan(data)
	if err != nil {
		return nil, &Damaged{d.planFile(), err}
	}
	return pl, nil
}

// Clear removes a stopped stack's state, plan, holder, token files and generated kernelspecs;
// the logs stay.
func (d Store) Clear() error {
	w := d.Writer()
	for _, p := range []string{d.stateFile(), d.planFile(), d.holderFile()} {
		if _, err := w.Remove(p); err != nil {
			return err
		}
	}
	// the services' config and token files, and kernel_envs' kernelspecs: they live as long
	// as the stack
	for _, dir := range []string{"config", "kernels"} {
		if err := fsx.RemoveAll(w, filepath.Join(string(d), dir)); err != nil {
			return err
		}
	}
	return nil
}

// Exists reports whether the dir holds a stack that ran (a state, a plan, or a holder).
func (d Store) Exists() bool {
	for _, p := range []string{d.stateFile(), d.planFile(), d.holderFile()} {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
	}
	return false
}

// Holder is the process that holds the stack's lock: a foreground up, or the detached
// supervisor. It writes itself down (PID and start time) once it has the lock.
type Holder struct {
	PID   int
	Ticks uint64
}

// SetHolder records the calling process as the holder.
func (d Store) SetHolder(pid int) error {
	ticks, _ := proc.StartTicks(pid)
	_, err := d.Writer().WriteFile(d.holderFile(), []byte(fmt.Sprintf("%d %d\n", pid, ticks)), fsx.SecretMode)
	return err
}

// ClearHolder removes the record of the holder (an up that ends without a stack).
func (d Store) ClearHolder() error {
	_, err := d.Writer().Remove(d.holderFile())
	return err
}

// Holder is the recorded holder, when it is still that same process.
func (d Store) Holder() (Holder, bool) {
	data, err := fsx.ReadRegular(d.holderFile(), 64)
	if err != nil {
		return Holder{}, false
	}
	f := strings.Fields(string(data))
	if len(f) != 2 {
		return Holder{}, false
	}
	pid, err1 := strconv.Atoi(f[0])
	ticks, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 || ticks == 0 || !proc.Alive(pid, ticks) {
		return Holder{}, false
	}
	return Holder{pid, ticks}, true
}

// SupervisorLogPath is where the detached supervisor's own output goes.
func (d Store) SupervisorLogPath() string { return filepath.Join(string(d), "supervisor.log") }
