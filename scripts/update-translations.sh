#!/usr/bin/env bash
# Extract the e-office's texts, merge them into its gettext catalogues and compile them;
# the same for the dashboards (dashboards/), the certificate verification's sentences
# (grading/certificates.py) and the signing library's sentences for learners
# (signing/explanations.py).
# Run after changing a text in sandbox_eoffice or signing; then translate the new or fuzzy
# entries in sandbox_eoffice/translations/vi/LC_MESSAGES/messages.po and
# signing/translations/vi/LC_MESSAGES/messages.po and run this again (tests check that the
# catalogues are complete and compiled). Usage: scripts/update-translations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(scripts/venv.sh test)"
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT
"$venv/bin/pybabel" -q extract -F sandbox_eoffice/babel.cfg -k lazy_gettext -k _l \
  --no-location --sort-output --omit-header -o "$pot" .
"$venv/bin/pybabel" -q update -i "$pot" -d sandbox_eoffice/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d sandbox_eoffice/translations --statistics
# dashboards: the academy's own pages (public certificate verification, role pages)
"$venv/bin/pybabel" -q extract -F dashboards/babel.cfg -k lazy_gettext -k _l \
  --no-location --sort-output --omit-header -o "$pot" .
if [ ! -f dashboards/translations/vi/LC_MESSAGES/messages.po ]; then
  "$venv/bin/pybabel" -q init -i "$pot" -d dashboards/translations -l vi
fi
"$venv/bin/pybabel" -q update -i "$pot" -d dashboards/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d dashboards/translations --statistics
# my_learning: the learner's My learning page (templates, and texts marked with N_)
"$venv/bin/pybabel" -q extract -F my_learning/babel.cfg -k N_ \
  --no-location --sort-output --omit-header -o "$pot" .
if [ ! -f my_learning/translations/vi/LC_MESSAGES/messages.po ]; then
  "$venv/bin/pybabel" -q init -i "$pot" -d my_learning/translations -l vi
fi
"$venv/bin/pybabel" -q update -i "$pot" -d my_learning/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d my_learning/translations --statistics
# grading: the certificate verification's sentences, marked with N_ (grading/babel.cfg)
"$venv/bin/pybabel" -q extract -F grading/babel.cfg -k N_ \
  --no-location --sort-output --omit-header -o "$pot" .
if [ ! -f grading/translations/vi/LC_MESSAGES/messages.po ]; then
  "$venv/bin/pybabel" -q init -i "$pot" -d grading/translations -l vi
fi
"$venv/bin/pybabel" -q update -i "$pot" -d grading/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d grading/translations --statistics
# signing: texts marked with N_ (signing/babel.cfg)
"$venv/bin/pybabel" -q extract -F signing/babel.cfg -k N_ \
  --no-location --sort-output --omit-header -o "$pot" .
"$venv/bin/pybabel" -q update -i "$pot" -d signing/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d signing/translations --statistics
# course_kit: the authoring kit's texts (question cards, answers file notices, task card),
# marked with N_, gettext/_ and the cards' self.t (course_kit/babel.cfg)
"$venv/bin/pybabel" -q extract -F course_kit/babel.cfg -k N_ -k t \
  --no-location --sort-output --omit-header -o "$pot" .
if [ ! -f course_kit/translations/vi/LC_MESSAGES/messages.po ]; then
  "$venv/bin/pybabel" -q init -i "$pot" -d course_kit/translations -l vi
fi
"$venv/bin/pybabel" -q update -i "$pot" -d course_kit/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d course_kit/translations --statistics
# hub_config: the hub's login page (hub_config/templates/login.html, hub_config/page_language.py)
"$venv/bin/pybabel" -q extract -F hub_config/babel.cfg -k N_ \
  --no-location --sort-output --omit-header -o "$pot" .
if [ ! -f hub_config/translations/vi/LC_MESSAGES/messages.po ]; then
  "$venv/bin/pybabel" -q init -i "$pot" -d hub_config/translations -l vi
fi
"$venv/bin/pybabel" -q update -i "$pot" -d hub_config/translations -l vi \
  --ignore-obsolete --ignore-pot-creation-date --no-fuzzy-matching
"$venv/bin/pybabel" -q compile -d hub_config/translations --statistics
