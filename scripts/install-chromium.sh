#!/usr/bin/env bash
# The admin's browser tests (test/browser) drive Debian's Chromium through playwright-core, which
# downloads no browser of its own. Installs it when /usr/bin/chromium is missing (Debian/Ubuntu).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
/usr/bin/chromium --version
