#!/usr/bin/env bash
# Extract the texts of every package with a gettext catalogue (the e-office, the dashboards,
# My learning, grading, signing, the course kit, the hub's own pages), merge them into its
# Vietnamese catalogue (<package>/translations/vi/LC_MESSAGES/messages.po) and compile it.
# Run after changing a text; then translate the new or fuzzy entries in the .po files and run
# it again (tests check that the catalogues are complete and compiled).
# Usage: scripts/update-translations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(scripts/venv.sh test)"
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT
# catalogue PACKAGE KEYWORD...: extract PACKAGE's texts with PACKAGE/babel.cfg and the
# keywords (besides Babel's defaults), merge them into PACKAGE/translations (made on first
# use) and compile it
catalogue() {
  local package="$1"; shift
  local keywords=()
  for keyword in "$@"; do keywords+=(-k "$keyword"); done
  "$venv/bin/pybabel" -q extract -F "$package/babel.cfg" "${keywords[@]}" \
    --no-location --sort-output --omit-header -o "$pot" .
  if [ ! -f "$package/translations/vi/LC_MESSAGES/messages.po" ]; then
    "$venv/bin/pybabel" -q init -i "$pot" -d "$package/translations" -l vi
  fi
  "$venv/bin/pybabel" -q update -i "$pot" -d "$package/translations" -l vi \
    --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
  "$venv/bin/pybabel" -q compile -d "$package/translations" --statistics
}
# the e-office (Flask-Babel: lazy_gettext, _l)
catalogue sandbox_eoffice lazy_gettext _l
# the academy's own pages: certificate verification, role pages, the contest
catalogue dashboards lazy_gettext _l
# My learning (templates, and texts marked with N_)
catalogue my_learning N_
# grading: the feedback's and the certificate verification's texts, marked with N_
catalogue grading N_
# signing: texts marked with N_
catalogue signing N_
# the authoring kit (question cards, answers file notices, task card): N_, gettext/_, self.t
catalogue course_kit N_ t
# the hub's own pages: login, activation, change of password, reset (hub_config/templates,
# hub_config/authenticator.py, hub_config/page_language.py)
catalogue hub_config N_
# the venv holds a copy of the project (not editable): install it again with the new catalogues
scripts/venv.sh test >/dev/null
