#!/usr/bin/env bash
# Builds jdash (./jdash): the JupyterLab Deploy extension first when Node is here
# (scripts/build-labext.sh, skipped with a message when not), then the Go binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-labext.sh
CGO_ENABLED=0 go build -o jdash .
