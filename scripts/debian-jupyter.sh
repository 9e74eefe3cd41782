#!/usr/bin/env bash
# Makes sure the Debian packages the integration tests use are installed: Debian's own Python
# with its packaged jupyter_core (apt's /usr/lib/python3/dist-packages, for the test of a
# --system-site-packages venv over a distribution Python), its notebook and widgets (doctor on
# a machine with the distribution's Jupyter), chromium (the browser tests) and tmux
# (the terminal tests), docker-compose (it validates the Compose export without a daemon), and
# Debian's dockerd and mmdebstrap (scripts/export-e2e.sh runs the export on a real engine).
# Elsewhere than Debian/Ubuntu it does nothing: the distribution-layout test skips there.
set -euo pipefail
[ -x /usr/bin/python3 ] && [ -f /etc/debian_version ] || { echo "debian-jupyter.sh: not a Debian-like machine, nothing to do" >&2; exit 0; }
want=()
/usr/bin/python3 -I -c 'import jupyter_core' 2>/dev/null || want+=(python3-jupyter-core)
# the distribution's notebook and widgets: the common machine doctor must be precise on
/usr/bin/python3 -I -c 'import notebook, ipywidgets' 2>/dev/null || want+=(jupyter-notebook python3-ipywidgets)
command -v chromium >/dev/null || want+=(chromium)
command -v tmux >/dev/null || want+=(tmux)
command -v docker-compose >/dev/null || want+=(docker-compose)
command -v dockerd >/dev/null || want+=(docker.io)
command -v mmdebstrap >/dev/null || want+=(mmdebstrap)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "debian-jupyter.sh: ${want[*]} not installed and this is not root: install them with apt" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
/usr/bin/python3 -I -c 'import jupyter_core; print("debian-jupyter.sh: jupyter_core", jupyter_core.__version__, "in", jupyter_core.__file__)' >&2
