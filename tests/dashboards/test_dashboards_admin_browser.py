"""The admin's home page in a real browser (headless Debian Chromium): minh opens the
platform's status, in Vietnamese, goes to the audit log and filters it by an action."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from grading.audit import AuditAction, append_entry
from installation.layout import DataLayout
from tests.dashboards.conftest import make_app

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time


@pytest.fixture
def app(installation: Path, tmp_path: Path) -> Flask:
    """The dashboards on a copy of the installation whose audit log has 5 entries, 2 of
    them certificate revocations (``live_dashboards`` serves this app)."""
    root = tmp_path / "academy"
    shutil.copytree(installation, root, symlinks=True)
    log = DataLayout.at(root).audit_log_file
    for action, actor in [(AuditAction.HR_EXPORT, "hoa"), (AuditAction.CERTIFICATE_REVOKE, "giang"),
                          (AuditAction.COMPLETION_OVERRIDE, "giang"),
                          (AuditAction.CERTIFICATE_REVOKE, "minh"), (AuditAction.REGRADE, "khoa")]:
        append_entry(log, action, actor, {"course": "cybersecurity", "user": "an"})
    return make_app(root)


def test_admin_opens_the_status_then_filters_the_audit_log(
        browser: Browser, live_dashboards: Callable[[str], str]) -> None:
    expect.set_options(timeout=STATE_TIMEOUT)
    base = live_dashboards("minh")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}/admin/")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("h1")).to_have_text("Quản trị nền tảng")
        expect(page.locator('tr[data-service="hub"]')).to_have_attribute("data-state", "up")
        expect(page.locator('tr[data-service="dashboards"]')).to_have_attribute(
            "data-state", "this-service")
        expect(page.locator('[data-testid="hub-admin-link"]')).to_have_attribute(
            "href", "/hub/admin")
        expect(page.locator('[data-count="audit-entries"]')).to_have_text("5")
        expect(page.locator("script")).to_have_count(0)

        page.locator('[data-testid="audit-link"]').click()
        expect(page).to_have_url(re.compile(r"/admin/audit$"))
        expect(page.locator('[data-testid="chain-intact"]')).to_be_visible()
        rows = page.locator('[data-testid="audit-entries"] tbody tr')
        expect(rows).to_have_count(5)

        page.select_option("select[name=action]", AuditAction.CERTIFICATE_REVOKE.value)
        page.locator('[data-testid="audit-filters"] button[type=submit]').click()
        expect(page).to_have_url(re.compile(r"action=certificate\.revoke"))
        expect(rows).to_have_count(2)
        for row in rows.all():
            expect(row).to_have_attribute("data-action", AuditAction.CERTIFICATE_REVOKE.value)
        expect(rows.locator("td.actor")).to_have_text(["minh", "giang"])  # newest first
        expect(page.locator("select[name=action]")).to_have_value(
            AuditAction.CERTIFICATE_REVOKE.value)
    finally:
        context.close()
