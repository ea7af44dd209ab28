#!/usr/bin/env bash
# Debian packages, installed with apt as root (or through sudo) when their command is missing.
#   scripts/system-deps.sh                  the platform's own: bubblewrap (grading sandbox)
#   scripts/system-deps.sh CMD PKG [...]    others, e.g. `chromium chromium` for the tests
set -euo pipefail
[ "$#" -eq 0 ] && set -- bwrap bubblewrap
missing=()
while [ "$#" -ge 2 ]; do
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
  shift 2
done
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "Installing ${missing[*]}…" >&2
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "Needed: apt-get install ${missing[*]} (as root)" >&2
  exit 1
fi
