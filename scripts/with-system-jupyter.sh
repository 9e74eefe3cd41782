#!/usr/bin/env bash
# Runs a command on a machine that looks like one with a system Jupyter and a hostile shell:
# inside a private mount namespace, tmpfs over /etc/jupyter, /usr/local/etc/jupyter,
# /usr/share/jupyter and /usr/local/share/jupyter holding enabled nbextensions, server
# extensions and a kernelspec; a HOME with user-level Jupyter config; and JUPYTER_*,
# PYTHON*, VIRTUAL_ENV, CONDA_PREFIX and JDASH_* variables set. Unit and CLI tests must pass
# here exactly as on a clean machine (scripts/test.sh runs them both ways).
#
#   scripts/with-system-jupyter.sh go test ./...
set -euo pipefail
if [ "${JDASH_PLANTED:-}" != 1 ]; then
  if ! unshare --mount --propagation private true 2>/dev/null; then
    echo "with-system-jupyter.sh: needs 'unshare --mount' (root, or a user namespace): cannot plant a system Jupyter here" >&2
    exit 1
  fi
  # Keep Go's caches where they are: HOME changes below.
  export GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) GOPATH=$(go env GOPATH)
  exec env JDASH_PLANTED=1 unshare --mount --propagation private "$0" "$@"
fi

for d in /etc/jupyter /usr/local/etc/jupyter /usr/share/jupyter /usr/local/share/jupyter; do
  mkdir -p "$d"
  mount -t tmpfs tmpfs "$d"
done
mkdir -p /etc/jupyter/nbconfig /usr/local/etc/jupyter/jupyter_server_config.d \
  /usr/share/jupyter/kernels/python3 /usr/local/share/jupyter/nbextensions/planted
echo '{"load_extensions": {"planted/main": true}}' > /etc/jupyter/nbconfig/notebook.json
echo '{"NotebookApp": {"nbserver_extensions": {"planted_ext": true}}}' > /etc/jupyter/jupyter_notebook_config.json
echo '{"ServerApp": {"jpserver_extensions": {"planted_ext": true}}}' > /usr/local/etc/jupyter/jupyter_server_config.d/planted.json
echo '{"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "Planted", "language": "python"}' \
  > /usr/share/jupyter/kernels/python3/kernel.json
echo 'define([], function () {});' > /usr/local/share/jupyter/nbextensions/planted/main.js

hostile=$(mktemp -d)
trap 'rm -rf "$hostile"' EXIT
mkdir -p "$hostile/home/.jupyter/nbconfig" "$hostile/venv" "$hostile/conda"
echo '{"load_extensions": {"user/main": true}}' > "$hostile/home/.jupyter/nbconfig/notebook.json"
export HOME=$hostile/home \
  JUPYTER_PATH=$hostile/jp JUPYTER_CONFIG_DIR=$hostile/home/.jupyter JUPYTER_DATA_DIR=$hostile/data \
  JUPYTER_CONFIG_PATH=$hostile/cp JUPYTER_PREFER_ENV_PATH=0 JUPYTER_PLATFORM_DIRS=1 \
  PYTHONPATH=$hostile PYTHONHOME=$hostile PYTHONUSERBASE=$hostile/ub \
  VIRTUAL_ENV=$hostile/venv CONDA_PREFIX=$hostile/conda \
  XDG_CONFIG_HOME=$hostile/xdg XDG_DATA_HOME=$hostile/xdgd \
  JDASH_WORKSPACE=/tmp JDASH_ENV_DIRS=/tmp JDASH_WORKSPACE_DEPTH=9 CLICOLOR_FORCE=1
exec "$@"
