#!/usr/bin/env bash
# Runs `jdash up --export compose` for real (issue 24): a private dockerd (its data root and
# socket under build/docker, stopped by its PID at the end), a Debian base image built here
# (mmdebstrap | docker import: no registry needed) with the test envs' own Python added (their
# pins are for it), then integration's TestExportOnDockerEngine: build, up, health, tokens,
# a kernel on the gateway, a deployed dashboard, down leaving nothing. Skips with a message
# where dockerd cannot run (not root, not installed, no kernel support).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${JDASH_BUILD_DIR:-$root/build}
skip() { echo "export-e2e: skipped: $*" >&2; exit 0; }
[ "$(id -u)" = 0 ] || skip "dockerd needs root"
for c in dockerd mmdebstrap docker-compose; do
  command -v "$c" >/dev/null || skip "$c is not installed (Debian: docker.io mmdebstrap docker-compose)"
done
docker=/usr/bin/docker # Debian's client, of the daemon's version
d=$build/docker
mkdir -p "$d"
sock=$d/docker.sock
rm -f "$sock"
# a short exec root: containerd's socket paths must fit in 108 bytes
exec_root=$(mktemp -d /tmp/jdash-dockerd.XXXXXX)
dockerd --data-root "$d/data" --exec-root "$exec_root" --pidfile "$d/dockerd.pid" -H "unix://$sock" \
  --storage-driver=vfs --iptables=false --bridge=none >"$d/dockerd.log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  { grep -o " $exec_root/[^ ]*" /proc/mounts || true; } | while read -r m; do umount -l "$m"; done # its netns
  rm -rf "$exec_root"
}
trap stop EXIT
export DOCKER_HOST=unix://$sock
for _ in $(seq 60); do "$docker" info >/dev/null 2>&1 && break; sleep 0.5; done
"$docker" info >/dev/null 2>&1 || skip "dockerd did not start: $(tail -3 "$d/dockerd.log")"

# the test envs' Python: the base image gets it (the envs' pins need its patch level)
home=$(sed -n 's/^home = //p' "$build/testenvs/classic/pyvenv.cfg")
prefix=$(dirname "$home")
pyver=$(sed -n 's/^version = //p' "$build/testenvs/classic/pyvenv.cfg")
base=jdash-e2e-base:bookworm
image=jdash-e2e-base:py$pyver
if ! "$docker" image inspect "$image" >/dev/null 2>&1; then
  start=$(date +%s)
  if ! "$docker" image inspect "$base" >/dev/null 2>&1; then
    mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates bookworm - | "$docker" import - "$base" >/dev/null
  fi
  ctx=$(mktemp -d)
  tar -C / -cf "$ctx/python.tar" --exclude="${prefix#/}/lib/python*/site-packages/*" --exclude='*/test/*' --exclude='*/__pycache__/*' \
    "${prefix#/}/bin" "${prefix#/}/lib" "${prefix#/}/include"
  printf 'FROM %s\nADD python.tar /\nENV PATH=%s/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nRUN python3 -c "import sys, ssl; print(sys.version)"\n' "$base" "$prefix" >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 "$docker" build -q -t "$image" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "export-e2e: base image $image built in $(( $(date +%s) - start ))s: $("$docker" image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1e6}')" >&2
fi
cd "$root"
start=$(date +%s)
JDASH_INTEGRATION=1 JDASH_E2E_BASE_IMAGE=$image JDASH_E2E_DOCKER=$docker \
  go test -count=1 -timeout 20m -v -run TestExportOnDockerEngine ./integration/ 2>&1 | grep -v -E '^(=== RUN)'
"$docker" image prune -f >/dev/null # what a rebuild left; the base stays for the next run
echo "export-e2e: the export's run took $(( $(date +%s) - start ))s" >&2
