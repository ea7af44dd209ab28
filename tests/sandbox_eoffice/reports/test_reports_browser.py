"""The periodic report journey in headless Chromium: open the current report, fill it from
the agency's data, type the manual figure (out of range first: the page flags it, naming the
indicator; then a valid one), validate, submit; the report is then locked, in the history."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from common.clock import vietnam_now
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus
from sandbox_eoffice.reports.periods import ReportKind, current_period
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import evaluate_tasks
from tests.sandbox_eoffice.conftest import LiveEoffice

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time
MANUAL = "VNEID_ACTIVATED"


def _no_script(page: Page) -> None:
    found = page.evaluate("""() => ({
      scripts: document.scripts.length,
      handlers: Array.from(document.querySelectorAll('*')).flatMap(
        e => Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => a.name)),
    })""")
    assert found == {"scripts": 0, "handlers": []}, page.url


def _current_report(app: Flask) -> PeriodicReport:
    period = current_period(ReportKind.MONTH, vietnam_now().date())
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        report = db().scalars(select(PeriodicReport).where(
            PeriodicReport.tenant_id == tenant.id, PeriodicReport.kind == ReportKind.MONTH,
            PeriodicReport.period_start == period.start)).one()
        db().expunge(report)
        return report


def test_fill_validate_and_submit_a_report(browser: Browser, live_eoffice: LiveEoffice,
                                           app: Flask) -> None:
    url = live_eoffice("alice")
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    page = context.new_page()
    try:
        page.goto(url)
        page.locator("nav.sidebar a[href$='/reports/']").click()
        expect(page.locator("#to-submit")).to_be_visible()
        _no_script(page)
        report = _current_report(app)
        link = page.locator(f"#to-submit a[href$='/reports/{report.id}']")
        link.click()
        expect(page.locator("#report-form")).to_be_visible()
        _no_script(page)

        page.locator("#fill-button").click()
        expect(page.locator("main .flash-success")).to_have_count(1)
        expect(page.locator("#value-TTHC_RECEIVED")).not_to_have_value("")

        manual = page.locator(f"#value-{MANUAL}")
        manual.fill("70000")
        page.locator("#validate-button").click()
        flagged = page.locator(f'#problems li[data-indicator="{MANUAL}"]')
        expect(flagged).to_have_attribute("data-kind", "out_of_range")
        expect(flagged).to_contain_text("VNeID")
        expect(flagged).to_contain_text("70.000")
        expect(page.locator(f"#value-{MANUAL}")).to_have_value("70000")  # kept on the page
        _no_script(page)

        page.locator(f"#value-{MANUAL}").fill("1250")
        page.locator("#validate-button").click()
        expect(page.locator("main .flash-success")).to_have_count(1)
        expect(page.locator("#problems")).to_have_count(0)
        with app.app_context():  # validating saved nothing
            assert db().get(PeriodicReport, report.id).value_of(MANUAL).value is None

        page.locator("#submit-button").click()
        expect(page.locator("#report-form")).to_have_count(0)
        expect(page.locator(f'#values tr[data-indicator="{MANUAL}"]')).to_contain_text("1.250")
        expect(page.locator("#late-flag")).to_have_count(0)
        _no_script(page)

        page.locator("main a[href$='/reports/']").first.click()
        expect(page.locator(f"#history a[href$='/reports/{report.id}']")).to_be_visible()
        expect(page.locator(f"#to-submit a[href$='/reports/{report.id}']")).to_have_count(0)
    finally:
        context.close()
    with app.app_context():
        saved = db().get(PeriodicReport, report.id)
        assert saved is not None and saved.status is ReportStatus.SUBMITTED and not saved.late
        assert evaluate_tasks(db(), "alice")["submit-valid-periodic-report"].done
