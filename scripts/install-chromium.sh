#!/usr/bin/env bash
# The browser tests drive Debian's chromium package with playwright-core (which downloads no
# browser). Installs it when missing: as root with apt-get; otherwise says how and fails.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is missing ($chromium): run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH); the browser tests need it" >&2
  exit 1
fi
echo "installing chromium (Debian package) for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
"$chromium" --version
