#!/usr/bin/env bash
# Builds the real Python test environments that the integration tests run against.
#
#   testenvs/build.sh [--lock] [NAME ...]     (default: every testenvs/*.in)
#
# Each NAME is a virtualenv under $JDASH_BUILD_DIR/testenvs/NAME (default build/ in the repo),
# installed with pip from the pinned testenvs/NAME.txt (or NAME.in when no lock exists yet) with
# the pinned wheels kept in $JDASH_BUILD_DIR/wheelhouse. An env whose stamp (lock hash + interpreter) is
# unchanged is reused as it is. --lock resolves NAME.in afresh and rewrites NAME.txt.
# The special NAME "conda" builds a conda-layout env (conda-meta, history, a real interpreter
# and stdlib, no pyvenv.cfg) since conda itself cannot be installed here.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${JDASH_BUILD_DIR:-$root/build}
python=${JDASH_TEST_PYTHON:-python3}
cache=$build/pip-cache
lock=0
names=()
for a in "$@"; do
  case $a in
    --lock) lock=1 ;;
    -*) echo "build.sh: unknown option $a" >&2; exit 2 ;;
    *) names+=("$a") ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/*.in; do names+=("$(basename "$f" .in)"); done
  names+=(conda)
fi
mkdir -p "$build/testenvs" "$cache" "$build/wheelhouse"
pyver=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
base_prefix=$("$python" -c 'import sys; print(sys.base_prefix)')

say() { printf 'testenvs: %s\n' "$*" >&2; }

# The registry serves wheels as uncacheable, so pip's HTTP cache stays empty: the pinned
# packages are kept as wheels in build/wheelhouse (sdists built once, with their build
# dependencies fetched then) and installed from there without the index.
wheels=$build/wheelhouse
fetch() {
  local py=$1 reqs=$2
  "$py" -m pip wheel -q --disable-pip-version-check --cache-dir "$cache" --no-deps \
    --find-links "$wheels" -w "$wheels" -r "$reqs"
}

build_venv() {
  local name=$1 dest=$build/testenvs/$1 src args=()
  if [ $lock = 0 ] && [ -f "$here/$name.txt" ]; then src=$here/$name.txt; else src=$here/$name.in; fi
  [ -f "$src" ] || { say "no $src"; return 1; }
  grep -q 'venv-args --system-site-packages' "$here/$name.in" && args+=(--system-site-packages)
  local stamp
  stamp=$( (cat "$src"; echo "$pyver ${args[*]:-}") | sha256sum | cut -c1-16)
  if [ $lock = 0 ] && [ -f "$dest/.jdash-stamp" ] && [ "$(cat "$dest/.jdash-stamp")" = "$stamp" ]; then
    say "$name: up to date"
    return 0
  fi
  say "$name: building from $(basename "$src") with Python $pyver"
  rm -rf "$dest"
  "$python" -m venv "${args[@]}" "$dest"
  # A system-site venv must not lean on whatever the base interpreter happens to have.
  local pipargs=()
  [ ${#args[@]} -gt 0 ] && pipargs+=(--ignore-installed)
  if [ $lock = 1 ]; then
    "$dest/bin/python" -m pip install -q --disable-pip-version-check --cache-dir "$cache" "${pipargs[@]}" -r "$src"
  else
    fetch "$dest/bin/python" "$src"
    "$dest/bin/python" -m pip install -q --disable-pip-version-check --no-index --find-links "$wheels" "${pipargs[@]}" -r "$src"
  fi
  if [ $lock = 1 ]; then
    { echo "# Locked from $name.in by testenvs/build.sh --lock (Python $pyver). Do not edit by hand."
      "$dest/bin/python" -m pip freeze --local --all --disable-pip-version-check | grep -v '^pip=='
    } > "$here/$name.txt"
    stamp=$( (cat "$here/$name.txt"; echo "$pyver ${args[*]:-}") | sha256sum | cut -c1-16)
  fi
  echo "$stamp" > "$dest/.jdash-stamp"
}

# A conda env as conda lays it out: conda-meta/history + package records, bin/python a real
# interpreter (a copy, so that sys.prefix is this dir), the stdlib linked in, own site-packages.
build_conda() {
  local dest=$build/testenvs/conda src=$here/conda.txt stamp
  stamp=$( (cat "$src"; echo "$pyver $base_prefix") | sha256sum | cut -c1-16)
  if [ -f "$dest/.jdash-stamp" ] && [ "$(cat "$dest/.jdash-stamp")" = "$stamp" ]; then
    say "conda: up to date"; return 0
  fi
  say "conda: building a conda layout from $base_prefix"
  rm -rf "$dest"
  local mm=${pyver%.*}
  mkdir -p "$dest/bin" "$dest/conda-meta" "$dest/lib/python$mm/site-packages" "$dest/etc/jupyter" "$dest/share/jupyter"
  cp "$base_prefix/bin/python$mm" "$dest/bin/python$mm"
  ln -s "python$mm" "$dest/bin/python"; ln -s "python$mm" "$dest/bin/python3"
  for f in "$base_prefix/lib/python$mm"/*; do
    [ "$(basename "$f")" = site-packages ] || ln -s "$f" "$dest/lib/python$mm/$(basename "$f")"
  done
  fetch "$python" "$src"
  "$python" -m pip install -q --disable-pip-version-check --no-index --find-links "$wheels" --no-compile --root-user-action=ignore \
    --target "$dest/lib/python$mm/site-packages" -r "$src"
  {
    echo "==> 2026-01-05 10:00:00 <=="
    echo "# cmd: /opt/conda/bin/conda create -n jdash-conda python=$pyver jupyter_core"
    echo "# conda version: 24.11.0"
    echo "+conda-forge/linux-64::python-$pyver-hab00c5b_0_cpython"
    echo "+conda-forge/linux-64::jupyter_core-5.9.1-pyh31011fe_0"
    echo "# update specs: ['python=$pyver', 'jupyter_core']"
  } > "$dest/conda-meta/history"
  echo "{\"name\": \"python\", \"version\": \"$pyver\", \"build\": \"hab00c5b_0_cpython\", \"channel\": \"https://conda.anaconda.org/conda-forge/linux-64\", \"subdir\": \"linux-64\"}" \
    > "$dest/conda-meta/python-$pyver-hab00c5b_0_cpython.json"
  echo '{"name": "jupyter_core", "version": "5.9.1", "build": "pyh31011fe_0", "subdir": "noarch"}' \
    > "$dest/conda-meta/jupyter_core-5.9.1-pyh31011fe_0.json"
  echo "$stamp" > "$dest/.jdash-stamp"
}

for n in "${names[@]}"; do
  if [ "$n" = conda ]; then build_conda; else build_venv "$n"; fi
done
