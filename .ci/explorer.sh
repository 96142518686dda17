#!/usr/bin/env bash
# Browser test of the explorer (hlm_lit.explorer): Voila serves .ci/explorer/explorer.ipynb, Debian's headless
# Chromium driven by Selenium (through Debian's chromedriver; no browser download) moves a slider, switches the fitted
# model, runs repeat mode with a small count (EXPLORER_NREP, default 8), adds a third level (clusters), checks the layout at 1280 px and 400 px and
# takes screenshots at both widths. First it checks that the chapter's saved widget state (the rendered page's
# snapshot) agrees with itself. Usage: bash .ci/explorer.sh VENV   (a venv with hlm_lit installed, e.g. .venv-ci)
# Prints where the screenshots are (default /tmp/hlm_lit_explorer; set EXPLORER_SCREENSHOTS to change).
set -euo pipefail
VENV=$(cd "${1:?usage: bash .ci/explorer.sh VENV}" && pwd)
cd "$(dirname "$0")/.."

echo "== explorer browser test: Debian chromium + chromium-driver"
if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null; /usr/bin/chromedriver --version

echo "== explorer browser test: voila and selenium into $VENV"
"$VENV/bin/pip" install --quiet "voila==0.5.13" "selenium==4.51.0"

echo "== explorer: the saved widget state of nbs/15_explorer.ipynb"
"$VENV/bin/python" .ci/explorer/check_state.py nbs/15_explorer.ipynb

echo "== explorer browser test: run"
export MPLBACKEND=Agg SE_OFFLINE=true SE_AVOID_STATS=true
"$VENV/bin/python" .ci/explorer/test_explorer.py
