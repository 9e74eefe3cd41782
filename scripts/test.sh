#!/usr/bin/env bash
# The whole test suite, as the README states it and .ci/run runs it:
# hygiene (gofmt, go vet), the three release builds, the real Python test envs, unit and
# CLI tests with the race detector, then the integration tests against real Jupyter.
set -euo pipefail
cd "$(dirname "$0")/.."
export CGO_ENABLED=${CGO_ENABLED:-0}

step() { printf '\n== %s\n' "$*" >&2; }

step "go modules"
go mod download

step "kube-apiserver, for the Kubernetes export's server-side dry run (scripts/build-kubeapiserver.sh), in the background"
mkdir -p build
scripts/build-kubeapiserver.sh > build/kubeapiserver.log 2>&1 &
kube_build=$!

step "the JupyterLab/Notebook 7 Deploy extension (scripts/build-labext.sh: @jupyterlab/builder from npm)"
scripts/build-labext.sh

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi

step "go vet"
go vet ./...

step "cross-compile linux, darwin, windows"
for target in linux/amd64 darwin/amd64 darwin/arm64 windows/amd64; do
  GOOS=${target%/*} GOARCH=${target#*/} go build -o /dev/null . || { echo "build failed for $target" >&2; exit 1; }
done

step "Python test envs (testenvs/build.sh)"
testenvs/build.sh

step "Debian's Python with its Jupyter, and Chromium (for the browser tests)"
scripts/debian-jupyter.sh

# The differential test of pyver asks Python's packaging live (the envs have it).
export JDASH_PACKAGING_PYTHON=${JDASH_PACKAGING_PYTHON:-$PWD/build/testenvs/modern/bin/python}

step "PEP 440: pyver against Python's packaging (differential)"
go test -count=1 -run TestDifferentialAgainstPackaging -v ./internal/pyver | grep -E '^(pyver differential|--- FAIL)' || exit 1

step "Python's flags: pyflags against the real interpreter (differential)"
go test -count=1 -run TestDifferentialAgainstPython ./internal/pyflags

step "unit and CLI tests (race detector)"
CGO_ENABLED=1 go test -race -count=1 ./...

step "unit and CLI tests again, on a machine with a system Jupyter and a hostile environment"
scripts/with-system-jupyter.sh go test -count=1 ./...

step "integration tests against real Jupyter"
if ! wait "$kube_build"; then
  cat build/kubeapiserver.log >&2; echo "building kube-apiserver failed" >&2; exit 1
fi
cat build/kubeapiserver.log >&2
JDASH_INTEGRATION=1 go test -count=1 -timeout 40m -v -run . ./integration/ 2>&1 | grep -v -E '^(=== RUN|    --- PASS)' || exit 1

step "the compose export on a real engine (scripts/export-e2e.sh: a private dockerd, a base image built here)"
scripts/export-e2e.sh
