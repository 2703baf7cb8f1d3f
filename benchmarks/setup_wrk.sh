#!/usr/bin/env bash
# Gives `make bench` its load tool, Debian's wrk, as tests/browser/setup_chromium.sh gives
# the browser tests Chromium: apt-get when it can be used (as root, or with sudo that asks
# no password); otherwise it stops, printing the one command to run. benchmarks/load.py
# runs it when wrk is missing; `make test` never does.
set -uo pipefail

if command -v wrk >/dev/null 2>&1; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null && as_root="sudo -n" || as_root="none"
  fi
  if [ "$as_root" != "none" ]; then
    echo "make bench: installing Debian's wrk with apt-get..."
    $as_root apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq wrk >/dev/null \
      && command -v wrk >/dev/null 2>&1 && exit 0
  fi
  command="sudo apt-get install wrk"
else
  # Not Debian: wrk has the same name in Homebrew, Fedora and Alpine.
  command="brew install wrk   (or: dnf install wrk, apk add wrk)"
fi
echo >&2
echo "The benchmark needs wrk, and it could not be installed. Run:" >&2
echo "    $command" >&2
exit 1
