#!/usr/bin/env bash
# Makes sure Debian's own Python and its packaged jupyter_core are installed (apt's
# /usr/lib/python3/dist-packages), for the integration test of a --system-site-packages venv
# over a distribution Python. Elsewhere than Debian/Ubuntu it does nothing, and that test skips.
set -euo pipefail
[ -x /usr/bin/python3 ] && [ -f /etc/debian_version ] || { echo "debian-jupyter.sh: not a Debian-like machine, nothing to do" >&2; exit 0; }
if /usr/bin/python3 -I -c 'import jupyter_core' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "debian-jupyter.sh: python3-jupyter-core is not installed and this is not root: install it with apt" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends python3-jupyter-core >/dev/null
/usr/bin/python3 -I -c 'import jupyter_core; print("debian-jupyter.sh: jupyter_core", jupyter_core.__version__, "in", jupyter_core.__file__)' >&2
