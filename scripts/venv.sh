#!/usr/bin/env bash
# Create (or update) the project's Python environment from the repo's own files and print
# its path. Usage: scripts/venv.sh [test]
#   - pins every package with requirements.lock (pip constraints)
#   - installs the project itself (not editable: learners' accounts run from this venv)
# As root, when the checkout is not searchable by other users (e.g. under /root), the venv
# goes to /opt/academy/venv-<hash> so that learners' unix accounts can run it.
set -euo pipefail
pip_log="$(mktemp)"
trap 'rm -f "$pip_log"' EXIT
pip_install() {
  # pip's own chatter goes to a log, shown only when it fails
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >"$pip_log" 2>&1; then
    grep -v '^WARNING: Location' "$pip_log" >&2; exit 1
  fi
}
here="$(cd "$(dirname "$0")/.." && pwd)"
extra="${1:-}"
# world_reachable PATH: every folder above PATH is searchable by other users
world_reachable() {
  local p
  p="$(realpath "$1")"
  while [ "$p" != "/" ]; do
    p="$(dirname "$p")"
    [ $(( 0$(stat -c '%a' "$p") & 1 )) -eq 1 ] || return 1
  done
}
venv="${ACADEMY_VENV:-}"
if [ -z "$venv" ]; then
  venv="$here/.venv"
  if [ "$(id -u)" = 0 ] && ! world_reachable "$here/pyproject.toml"; then
    venv="/opt/academy/venv-$(printf '%s' "$here" | sha1sum | cut -c1-10)"
  fi
fi
python="${PYTHON:-$(command -v python3)}"
if [ "$(id -u)" = 0 ] && ! world_reachable "$python"; then
  # isolated mode: learners' accounts run this venv, so its base Python must be reachable
  # (a pyenv under /root is not); Debian's python3 is.
  if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else
    echo "isolated mode needs a Python that other users can run; $python is not" >&2; exit 1
  fi
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv" >&2
fi
stamp="$venv/.academy-deps"
want="$(cat "$here/requirements.lock" "$here/pyproject.toml" | sha1sum | cut -c1-16)-$extra"
# setuptools builds in ./build and never cleans it: files of removed modules would
# otherwise be installed again
rm -rf "$here/build"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  spec="$here"
  [ -n "$extra" ] && spec="$here[$extra]"
  pip_install -c "$here/requirements.lock" "$spec"
  printf '%s' "$want" > "$stamp"
fi
# the project itself, always fresh (a few seconds)
pip_install --no-deps --force-reinstall "$here"
chmod -R o+rX "$venv" 2>/dev/null || true
echo "$venv"
