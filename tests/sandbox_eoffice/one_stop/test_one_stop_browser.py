"""The one-stop desk in a real browser (headless Chromium): alice receives a citizen at the
counter, looks them up in the population database with a purpose, checks completeness,
transfers, approves, collects the fee online, digitises the paper result and returns it;
the desk's indicators then count her dossier and the task evaluator says done. Every page
has no script and no event-handler attribute."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urljoin

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from common.i18n import LANGUAGE_COOKIE
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.one_stop import dossiers as service
from sandbox_eoffice.one_stop.indicators import DeskIndicators, desk_indicators
from sandbox_eoffice.one_stop.models import Dossier, DossierStatus, PopulationLookup
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import TASKS
from tests.sandbox_eoffice.conftest import LiveEoffice
from tests.sandbox_eoffice.test_injection_browser import INSPECT_PAGE

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time


@pytest.fixture
def page(browser: Browser, live_eoffice: LiveEoffice) -> Iterator[Page]:
    url = live_eoffice("alice")
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": url}])
    tab = context.new_page()
    try:
        response = tab.goto(url)  # -> hub authorize -> oauth_callback -> home
        assert response is not None and response.status == 200
        expect(tab.locator("nav.sidebar")).to_be_visible()
        yield tab
    finally:
        context.close()


def _inert(page: Page) -> None:
    found = page.evaluate(INSPECT_PAGE)
    assert found == {"xss": "undefined", "scripts": 0, "handlers": [], "javascript_urls": [],
                     "injected": []}, (page.url, found)


def _indicators(app: Flask) -> DeskIndicators:
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        today = service.vietnam_today()
        return desk_indicators(db(), tenant, today - timedelta(days=89), today)


def _card(page: Page, title: str) -> str:
    return page.locator("#indicators .indicator", has_text=title).inner_text()


def test_a_dossier_from_the_counter_to_the_result(app: Flask, page: Page) -> None:
    page.get_by_role("link", name="One-stop desk").click()
    expect(page.locator("h1")).to_have_text("One-stop desk")
    _inert(page)
    before = _indicators(app)
    assert f"({before.received_online}/{before.received})" in _card(page, "Received online")
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        citizen = service.counter_queue(db(), tenant)[0].record
        db().expunge(citizen)

    # receive: the procedure, then the applicant as on their card, every paper handed in
    page.get_by_role("link", name="Receive a dossier at the counter").click()
    page.get_by_role("link", name="Business household registration").click()
    _inert(page)
    page.get_by_label("Applicant's full name").fill(citizen.full_name)
    page.get_by_label("Citizen ID (12 digits, on the CCCD card)").fill(citizen.citizen_id)
    page.get_by_label("Date of birth").fill(citizen.date_of_birth.isoformat())
    page.get_by_label("Permanent address").fill(citizen.permanent_address)
    for box in page.locator("input[name=provided]").all():
        box.check()
    page.get_by_role("button", name="Receive and give the receipt").click()
    expect(page.locator("main .flash-success")).to_contain_text("received. Due date:")
    _inert(page)
    dossier_url = page.url

    # look the applicant up, with the purpose
    page.locator("#lookup select[name=purpose]").select_option("verify_applicant")
    page.locator("#lookup textarea[name=note]").fill("Đối chiếu thông tin người nộp")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#match-ok")).to_be_visible()
    expect(page.locator("#lookup-result")).to_contain_text(citizen.hometown)
    _inert(page)

    # check, transfer, approve
    page.get_by_role("button", name="Check completeness").click()
    expect(page.locator("main .flash-success")).to_contain_text("the dossier is complete")
    page.locator("#steps select[name=unit]").select_option(index=0)
    page.get_by_role("button", name="Transfer to the specialist unit").click()
    expect(page.locator("main .flash-success")).to_contain_text("Transferred to")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#dossier-status")).to_have_text("Approved, result to return")

    # the fee, online; the paper result, scanned and uploaded; the result returned
    page.locator("#payment-form input[value=online]").check()
    page.get_by_role("button", name="Collect the fee").click()
    expect(page.locator("main .flash-success")).to_contain_text("online payment")
    href = page.get_by_role("link", name="the paper result (PDF)").get_attribute("href")
    paper = page.request.get(urljoin(page.url, href or ""))
    assert paper.ok and paper.body().startswith(b"%PDF-")
    page.locator("#digitise-form input[type=file]").set_input_files(
        {"name": "giay-chung-nhan-hkd.pdf", "mimeType": "application/pdf",
         "buffer": paper.body()})
    page.get_by_role("button", name="Digitise the result").click()
    expect(page.locator("main .flash-success")).to_contain_text("The result is digitised")
    page.get_by_role("button", name="Return the result to the citizen").click()
    expect(page.locator("main .flash-success")).to_contain_text("Result returned on time")
    expect(page.locator("#dossier-status")).to_have_text("Result returned")
    expect(page.locator("#rating")).to_have_text(re.compile(r"^[45]/5$"))
    _inert(page)
    assert page.url == dossier_url

    # the desk's indicators count it
    page.get_by_role("link", name="Back to the desk").click()
    after = _indicators(app)
    assert after.received == before.received + 1
    assert after.resolved_on_time == before.resolved_on_time + 1
    assert after.paid_online == before.paid_online + 1
    assert after.results_digitised == before.results_digitised + 1
    assert f"({after.received_online}/{after.received})" in _card(page, "Received online")
    assert f"({after.resolved_on_time}/{after.resolved})" in _card(page, "On time")
    assert f"({after.paid_online}/{after.with_fee})" in _card(page, "Paid online")
    assert f"({after.results_digitised}/{after.resolved})" in _card(page, "Results digitised")
    assert f"({after.satisfied_ratings}/{after.ratings})" in _card(page, "Satisfied citizens")

    # the lookup log, and what the grader reads
    page.get_by_role("link", name="My population-database lookups").click()
    expect(page.locator("#lookup-log")).to_contain_text(citizen.citizen_id)
    _inert(page)
    with app.app_context():
        tenant = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        dossier = db().scalars(select(Dossier).where(
            Dossier.tenant_id == tenant.id, Dossier.citizen_id == citizen.citizen_id)).one()
        assert dossier.status is DossierStatus.RETURNED and dossier.result_pdf is not None
        assert db().scalars(select(PopulationLookup.purpose)).one() == "verify_applicant"
        for task_id in ("one-stop-processed-on-time", "one-stop-lookup-with-purpose",
                        "one-stop-fee-collected-online", "one-stop-result-digitised"):
            result = TASKS[task_id].evaluate(db(), tenant)
            assert result.done, (task_id, result.detail)
        assert not TASKS["one-stop-requested-additional-documents"].evaluate(db(), tenant).done
