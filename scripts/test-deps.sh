#!/usr/bin/env bash
# System packages the tests need: the platform's own (bubblewrap), Debian's chromium for
# the browser tests, pg_dump, and SoftHSM2, a software PKCS#11 token for the signing tests
# (tests/signing/test_pkcs11.py).
set -euo pipefail
here="$(dirname "$0")"
"$here/system-deps.sh"
"$here/system-deps.sh" chromium chromium pg_dump postgresql-client softhsm2-util softhsm2
