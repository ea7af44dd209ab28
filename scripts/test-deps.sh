#!/usr/bin/env bash
# System packages the tests need: Debian's chromium for the browser tests.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the browser tests…" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    echo "The browser tests need Debian's chromium: apt-get install chromium (as root)" >&2
    exit 1
  fi
fi
