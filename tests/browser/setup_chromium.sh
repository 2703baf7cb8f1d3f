#!/usr/bin/env bash
# Gives the browser tests a Chromium; `make test` runs this first, so a new machine
# needs no reading: Debian's package when apt can be used (as root, or with sudo that
# asks no password), otherwise Playwright's own build. Only when both fail does it stop,
# printing the one command to run.
set -uo pipefail
venv=${1:-.venv}
# Where Debian's package puts it (tests/browser/test_teasers.py looks there); a test of
# this script points it elsewhere.
system_chromium=${SYSTEM_CHROMIUM:-/usr/bin/chromium}

if [ -n "${CHROMIUM_PATH:-}" ] || [ -x "$system_chromium" ]; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null && as_root="sudo -n" || as_root="none"
  fi
  if [ "$as_root" != "none" ]; then
    echo "Browser tests: installing Debian's chromium with apt-get..."
    $as_root apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null \
      && [ -x "$system_chromium" ] && exit 0
  fi
fi

echo "Browser tests: no $system_chromium; installing Playwright's Chromium..."
if "$venv/bin/playwright" install chromium \
  && "$venv/bin/python" -c '
from playwright.sync_api import sync_playwright
with sync_playwright() as playwright:
    playwright.chromium.launch(args=["--no-sandbox"]).close()
'; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  command="sudo apt-get install chromium"
else
  command="$venv/bin/playwright install --with-deps chromium"
fi
echo >&2
echo "The browser tests need Chromium, and it could not be installed. Run:" >&2
echo "    $command" >&2
exit 1
