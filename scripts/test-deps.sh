#!/usr/bin/env bash
# System packages the tests need: the platform's own (bubblewrap) and Debian's chromium for
# the browser tests.
set -euo pipefail
here="$(dirname "$0")"
"$here/system-deps.sh"
"$here/system-deps.sh" chromium chromium pg_dump postgresql-client
