#!/usr/bin/env bash
# Builds the "Deploy as dashboard" extension for JupyterLab 4 and Notebook 7 (its TypeScript
# source is labext/jdash-deploy) with JupyterLab's own builder (@jupyterlab/builder, from
# npm, pinned with the rest in labext/jdash-deploy/package-lock.json), in build/labext, and
# puts the prebuilt extension into internal/deployext/labextension/jdash-deploy, where
# `go build` embeds it. Without node and npm it says so and leaves jdash without the
# extension (exit 0): jdash setup then says so too, and everything else works.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/internal/deployext/labextension/jdash-deploy
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "build-labext: node and npm are not on PATH: this jdash is built without the JupyterLab/Notebook 7 \"Deploy as dashboard\" extension (jdash deploy and nbclassic's Deploy as do not need it)" >&2
  exit 0
fi
work=${JDASH_BUILD_DIR:-$root/build}/labext
src=$root/labext
stamp=$( (cd "$src" && find . -type f -not -path '*/node_modules/*' -not -path '*/lib/*' -not -path '*/dist/*' | LC_ALL=C sort | xargs sha256sum; node --version) | sha256sum | cut -c1-16)
if [ -f "$work/stamp" ] && [ "$(cat "$work/stamp")" = "$stamp" ] && [ -f "$out/package.json" ]; then
  exit 0
fi
echo "build-labext: building labext/jdash-deploy with @jupyterlab/builder" >&2
mkdir -p "$work"
rm -rf "$work/core" "$work/jdash-deploy/src" "$work/jdash-deploy/lib" "$work/jdash-deploy/dist"
cp -r "$src/core" "$work/"
mkdir -p "$work/jdash-deploy"
cp -r "$src/jdash-deploy/src" "$src/jdash-deploy/package.json" "$src/jdash-deploy/package-lock.json" "$src/jdash-deploy/tsconfig.json" "$work/jdash-deploy/"
cd "$work/jdash-deploy"
# --ignore-scripts: no package's install script runs (the build needs none)
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2
npm run --silent build >/dev/null
rm -rf "$out"
cp -r dist/jdash-deploy "$out"
echo "$stamp" > "$work/stamp"
echo "build-labext: built $(ls "$out/static" | wc -l) files into ${out#"$root"/}" >&2
