#!/usr/bin/env bash
# Builds Kubernetes' own kube-apiserver, with an etcd in the same process
# (tools/kubeapiserver: k8s.io/kubernetes and go.etcd.io/etcd from the Go module proxy, pinned
# by its go.sum), into build/kube/kubeapiserver. The integration tests give the Kubernetes
# export a server-side dry run on it. A module of its own, so that jdash never depends on
# Kubernetes. Rebuilt only when its sources or the Go version change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${JDASH_BUILD_DIR:-$root/build}/kube
src=$root/tools/kubeapiserver
stamp=$( (cd "$src" && sha256sum go.mod go.sum ./*.go; go version) | sha256sum | cut -c1-16)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -x "$out/kubeapiserver" ]; then
  exit 0
fi
echo "build-kubeapiserver: building kube-apiserver $(sed -n 's/^require k8s.io\/kubernetes //p; s/^\tk8s.io\/kubernetes //p' "$src/go.mod" | head -1) from the Go module proxy (a few minutes)" >&2
mkdir -p "$out"
start=$(date +%s)
(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$out/kubeapiserver" .)
echo "$stamp" > "$out/stamp"
echo "build-kubeapiserver: built in $(( $(date +%s) - start )) s" >&2
