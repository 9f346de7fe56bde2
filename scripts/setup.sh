#!/usr/bin/env bash
# One-shot set-up on a fresh machine: virtual environment, pinned Python packages, pinned npm tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade "pip>=24"
  .venv/bin/python -m pip install --quiet -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps -e .
  rm -f .venv/.installed-* && touch "$stamp"
fi
nstamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$nstamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$nstamp"
fi
# Debian's chromium for the report browser test (opens report.html from disk); optional, never fatal.
if [ "${SOPHON_SKIP_CHROMIUM:-0}" != "1" ] && ! bash scripts/install-chromium.sh >/dev/null; then
  echo "setup: chromium not installed; the report browser test will skip with a reason" >&2
fi
