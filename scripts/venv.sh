#!/usr/bin/env bash
# Create (or update) the project's Python environment from the repo's own files and print
# its path. Usage: scripts/venv.sh [test]
#   - pins every package with requirements.lock (pip constraints)
#   - installs the project itself (not editable: learners' accounts run from this venv)
# As root, when the checkout is not searchable by other users (e.g. under /root), the venv
# goes to /opt/academy/venv-<hash> so that learners' unix accounts can run it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
extra="${1:-}"
venv="${ACADEMY_VENV:-}"
if [ -z "$venv" ]; then
  venv="$here/.venv"
  if [ "$(id -u)" = 0 ]; then
    p="$here"
    while [ "$p" != "/" ]; do
      if [ $(( $(stat -c '%a' "$p" | tail -c 2) & 1 )) -eq 0 ]; then
        venv="/opt/academy/venv-$(printf '%s' "$here" | sha1sum | cut -c1-10)"
        break
      fi
      p="$(dirname "$p")"
    done
  fi
fi
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv" >&2
fi
stamp="$venv/.academy-deps"
want="$(cat "$here/requirements.lock" "$here/pyproject.toml" | sha1sum | cut -c1-16)-$extra"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  spec="$here"
  [ -n "$extra" ] && spec="$here[$extra]"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$here/requirements.lock" "$spec" >&2
  printf '%s' "$want" > "$stamp"
fi
# the project itself, always fresh (a few seconds)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  --force-reinstall "$here" >&2
chmod -R o+rX "$venv" 2>/dev/null || true
echo "$venv"
