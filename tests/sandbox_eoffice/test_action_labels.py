"""Every action the e-office records reads as plain words on "My activity" and in a history,
in both languages: the core's and the feature packages' (mail, one-stop, reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from sandbox_eoffice.labels import describe_action

PACKAGE = Path(__file__).resolve().parents[2] / "sandbox_eoffice"
ACTION_CONSTANT = re.compile(r'^[A-Z_]+ = "([a-z_]+\.[a-z_]+)"', re.MULTILINE)
# the modules that name the actions they record
ACTION_MODULES = ["activity.py", "mail/mailbox.py", "mail/campaigns.py",
                  "one_stop/dossiers.py", "reports/service.py"]


def _actions() -> set[str]:
    found = set()
    for module in ACTION_MODULES:
        found |= set(ACTION_CONSTANT.findall((PACKAGE / module).read_text(encoding="utf-8")))
    return found


def test_the_action_names_are_found() -> None:
    actions = _actions()
    assert {"document.registered", "mail.reported", "dossier.result_returned",
            "report.submitted", "campaign.created"} <= actions


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_action_has_plain_words(app: Flask, language: str) -> None:
    unlabelled = []
    with app.test_request_context(headers={"Cookie": f"academy_lang={language}"}):
        for action in sorted(_actions()):
            words = describe_action(action)
            if words == action or not words.strip():
                unlabelled.append(action)
    assert unlabelled == []
