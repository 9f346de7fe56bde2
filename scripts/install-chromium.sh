#!/usr/bin/env bash
# Install Debian's chromium for the report browser test, only when it is absent (apt needs root or sudo).
# Prints the chromium path on success; exits 1 with a message when it cannot install.
set -euo pipefail
for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "$candidate"
    exit 0
  fi
done
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install-chromium: chromium is absent and apt-get needs root (run: sudo apt-get install -y chromium)" >&2
  exit 1
fi
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium >&2
echo "install-chromium: installed in $(( $(date +%s) - start )) s" >&2
echo /usr/bin/chromium
