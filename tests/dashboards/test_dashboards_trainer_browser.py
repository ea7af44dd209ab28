"""The trainer's class overview in a real browser (headless Debian Chromium), as giang: the
Vietnamese page, a filter by status that changes the rows, and a grading job's progress bar
following the job as the grading service moves it on (the page's few lines of JS)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, expect

from grading.grading_jobs import JobSpool
from installation.layout import DataLayout
from tests.dashboards.site_for_dashboards import DS, DS_MODULE

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time


def test_giang_filters_the_class_and_watches_a_job(
        browser: Browser, live_dashboards: Callable[[str], str], installation: Path) -> None:
    expect.set_options(timeout=STATE_TIMEOUT)
    # (this module's own installation: nobody else reads its spool)
    spool = JobSpool.of(DataLayout.at(installation))
    job, _ = spool.request_grading(DS, DS_MODULE, "giang")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(live_dashboards("giang") + "/trainer/")
        expect(page.locator("h1")).to_have_text("Lớp học của tôi")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        rows = page.locator(f'table[data-course="{DS}"] tbody tr[data-username]')
        expect(rows).to_have_count(3)

        # a filter by status: only the learner who has submitted nothing
        page.select_option("#filter-status", "not-started")
        page.locator("form.filters button[type=submit]").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-username", "chi")
        expect(page).to_have_url(re.compile(r"[?&]status=not-started"))
        expect(page.locator("#filter-status")).to_have_value("not-started")

        # the job queued for ds01: its bar follows the grading service, without a reload
        box = page.locator(f'th[data-module="{DS_MODULE}"] .job')
        expect(box).to_have_attribute("data-state", "queued")
        spool.claim(job.job_id)
        spool.report_progress(job.job_id, 1, 2)
        expect(box).to_have_attribute("data-state", "running")
        expect(box.locator("progress")).to_have_js_property("value", 50)
    finally:
        context.close()
