#!/usr/bin/env bash
# Docs: build the documentation offline (no Quarto) and check every page in headless Chromium.
#   bash .ci/docs.sh VENV        (VENV: a virtual environment with the project installed with .[dev], e.g. .venv-ci)
# 1. installs what it needs by name: Debian's chromium and libjs-mathjax (apt), nbconvert (pip, into VENV), and the
#    npm packages of .ci/docs/package-lock.json (npm ci: the widget manager's embed script and playwright-core);
# 2. .ci/docs/build.py: checks the Quarto config and nbs/sidebar.yml (every notebook listed), runs nbdev's notebook
#    processing into _proc/, renders the pages with nbconvert into _site/, writes README.md from nbs/index.ipynb
#    (with the outputs saved in it, so README.md changes only when the notebook does);
# 3. README.md must be the committed one (it is generated: commit it after changing nbs/index.ipynb);
# 4. .ci/docs/check.mjs: every page in Chromium (console errors, untypeset TeX, network requests, broken links,
#    missing images, API docs of every exported function); screenshots go to _docs_check/.
# Exits non-zero on any failure.
set -euo pipefail
VENV=$(cd "${1:?usage: bash .ci/docs.sh VENV}" && pwd)
cd "$(dirname "$0")/.."
export MPLBACKEND=Agg PYTHONHASHSEED=0

echo "== docs: system packages (Debian chromium, libjs-mathjax, Node.js)"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/javascript/mathjax/MathJax.js ] || need+=(libjs-mathjax fonts-mathjax)
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then echo "Node.js >= 20 is needed (playwright-core); found $(node --version)"; exit 1; fi

echo "== docs: nbconvert into $VENV, npm packages into .ci/docs/node_modules"
"$VENV/bin/python" -m pip install --quiet "nbconvert>=7.16,<8"
(cd .ci/docs && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)

echo "== docs: build (_site/, README.md)"
build=0; readme=0; check=0; selftest=0
"$VENV/bin/python" .ci/docs/build.py --site _site --readme README.md || build=$?

echo "== docs: README.md is generated from nbs/index.ipynb and must be committed as generated"
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --exit-code --stat -- README.md; then
  echo "README.md differs from the committed one: commit the README.md that the build wrote"
  git diff -- README.md | head -60 || true
  readme=1
fi

if [ -f _site/_manifest.json ]; then     # the pages were written: check them even if the build found problems
  echo "== docs: browser check (headless Debian chromium)"
  PYTHON="$VENV/bin/python" node .ci/docs/check.mjs _site _docs_check || check=$?
  echo "== docs: the browser check catches each kind of fault in a mutated copy of two pages"
  PYTHON="$VENV/bin/python" node .ci/docs/selftest.mjs _site || selftest=$?
else
  echo "no pages were written: nothing to check in the browser"; check=1
fi

if [ "$build$readme$check$selftest" != "0000" ]; then
  echo "docs: FAILED (build: $build, README: $readme, browser check: $check, check's self-test: $selftest)"
  exit 1
fi
echo "docs: built and checked"
