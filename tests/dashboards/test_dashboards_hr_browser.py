"""The HR officer's home page in a real browser (headless Debian Chromium): hoa opens the
records dashboard, sees the three charts, filters by agency and downloads the CSV export of
what she filtered."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from grading.hr_export import FIELDS
from tests.dashboards.conftest import make_app
from tests.dashboards.site_for_dashboards import TAI_CHINH

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time


@pytest.fixture
def app(installation: Path, tmp_path: Path) -> Flask:
    """On a copy of the installation: the export writes the audit log."""
    shutil.copytree(installation, tmp_path / "academy")
    return make_app(tmp_path / "academy")


def _chart_drawn(page: Page, testid: str) -> None:
    chart = page.locator(f'img[data-testid="{testid}"]')
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=chart.element_handle())


def test_hoa_filters_the_dashboard_and_downloads_the_csv(
        browser: Browser, live_dashboards: Callable[[str], str]) -> None:
    expect.set_options(timeout=STATE_TIMEOUT)
    base = live_dashboards("hoa")
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{base}/hr/")
        expect(page.locator("h1")).to_have_text("Hồ sơ đào tạo")
        for testid in ("chart-by-agency", "chart-by-course", "chart-coverage"):
            _chart_drawn(page, testid)
        expect(page.locator('[data-testid="enrolments"]')).to_have_text("6")

        page.select_option("select#agency", TAI_CHINH)
        page.locator('form[data-testid="filters"] button[type=submit]').click()
        expect(page.locator('[data-testid="enrolments"]')).to_have_text("3")
        expect(page.locator("select#agency")).to_have_value(TAI_CHINH)
        _chart_drawn(page, "chart-by-agency")
        page.locator("#by-agency-title ~ figure summary").click()
        expect(page.locator('[data-testid="table-by-agency"] tbody tr')).to_have_count(1)
        expect(page.locator('[data-testid="table-by-agency"] tbody tr')).to_contain_text(
            "66,7%")

        with page.expect_download() as download_info:
            page.locator('form[data-testid="records-export"] button[value="csv"]').click()
        download = download_info.value
        assert download.suggested_filename.startswith("ho-so-dao-tao-")
        assert download.suggested_filename.endswith(".csv")
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == list(FIELDS)
        assert {row[3] for row in rows[1:]} == {TAI_CHINH} and len(rows) == 4
        expect(page.locator("script")).to_have_count(0)
    finally:
        context.close()
