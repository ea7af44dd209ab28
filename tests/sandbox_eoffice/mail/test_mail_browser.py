"""The main journey in a real browser (headless Debian Chromium): a trainer creates a
phishing campaign for alice from the sidebar; alice opens the message, looks at its details,
clicks the link, types into the fake page and lands on the teaching page; the trainer's
results show her as clicked and submitted, and the class metrics page shows its chart.
Trainer and learner each have their own browser context (their own login)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.sandbox_eoffice.conftest import LiveEoffice

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time
SUBJECT = "Chứng thư chữ ký số của Quý đơn vị sẽ hết hạn"


def _no_script(page: Page) -> None:
    expect(page.locator("script")).to_have_count(0)


def test_phishing_campaign_journey(browser: Browser, live_eoffice: LiveEoffice) -> None:
    expect.set_options(timeout=STATE_TIMEOUT)
    alice_url, trainer_url = live_eoffice("alice"), live_eoffice("trainer")
    alice_context, trainer_context = browser.new_context(), browser.new_context()
    try:
        alice = alice_context.new_page()
        alice.goto(alice_url)  # alice's sandbox agency exists from her first visit
        expect(alice.locator("nav.sidebar")).to_be_visible()
        expect(alice.locator('nav.sidebar a[href$="/mail/campaigns"]')).to_have_count(0)

        # the trainer: sidebar -> campaigns -> new campaign for alice
        trainer = trainer_context.new_page()
        trainer.goto(trainer_url)
        trainer.locator('nav.sidebar a[href$="/mail/campaigns"]').click()
        trainer.locator('main a[href$="/mail/campaigns/new"]').first.click()
        trainer.fill("input[name=name]", "Tập huấn: gia hạn chứng thư")
        trainer.select_option("select[name=lure]", "certificate_expiry")
        trainer.check('input[name=recipients][value="alice"]')
        _no_script(trainer)
        trainer.locator("main form button[type=submit]").click()
        row = trainer.locator('tr[data-username="alice"]')
        expect(row).to_have_count(1)
        results_url = trainer.url

        # alice: sidebar -> mail -> the message -> show details -> click -> type -> lesson
        alice.locator('nav.sidebar a[href$="/mail/"]').click()
        alice.locator("main table a", has_text=SUBJECT).click()
        expect(alice.locator("h1")).to_contain_text(SUBJECT)
        alice.locator('main a[href*="details=1"]').click()
        expect(alice.locator('[data-testid="real-link-target"]')).to_have_text(
            "https://ca-gov.vn/gia-han-chung-thu/xac-thuc")
        link = alice.locator(".mail-body a")
        expect(link).to_have_text("https://ca.gov.vn/gia-han-chung-thu")
        expect(link).to_have_attribute("title", "https://ca-gov.vn/gia-han-chung-thu/xac-thuc")
        _no_script(alice)
        link.click()
        expect(alice.locator(".address-bar")).to_have_text(
            "https://ca-gov.vn/gia-han-chung-thu/xac-thuc")
        alice.fill("#username", "alice@example.org")
        alice.fill("#password", "mat-khau-that")
        alice.fill("#pin", "123456")
        _no_script(alice)
        alice.locator("form button[type=submit]").click()
        expect(alice).to_have_url(re.compile(r"/mail/l/[^/]+/learn\?via=submit$"))
        expect(alice.locator("ol.signs > li")).to_have_count(5)
        expect(alice.locator("main")).to_contain_text("ca-gov.vn")

        # the trainer's results: alice clicked and submitted data
        trainer.goto(results_url)
        cells = row.locator("td")
        for column in (3, 4):  # clicked the link, submitted data
            expect(cells.nth(column)).not_to_have_text("—")
        expect(cells.nth(6)).to_have_text("—")  # not reported
        expect(trainer.locator('[data-testid="phish-prone"]')).to_have_text("100%")

        # the class metrics page has its chart (an SVG drawn on the server)
        trainer.locator('main a[href$="/mail/campaigns/metrics"]').click()
        chart = trainer.locator('img[data-testid="funnel-chart"]')
        expect(chart).to_be_visible()
        trainer.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                  arg=chart.element_handle())
        expect(trainer.locator('[data-testid="class-phish-prone"]')).to_have_text("100%")
        _no_script(trainer)
    finally:
        alice_context.close()
        trainer_context.close()
