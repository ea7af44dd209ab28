"""The walking-skeleton journey, driven in headless Chromium through the real servers."""

from __future__ import annotations

import csv
import hashlib
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.platform_process import Platform

MODULE = "ds01-what-a-signature-proves"
MODULE_TITLE = "What a digital signature proves"
COURSE_TITLE = "Digital signatures in public service"
# the learner gets q3 wrong on purpose: 5 questions + the practical task = 9 / 10
ANSWERS = {
    "q1": ["The digest changes completely: almost every character is different"],
    "q2": [
        "The document has not been changed since it was signed (integrity)",
        "It was signed with the private key of the holder named in the certificate (origin)",
        "The signer cannot later deny having signed it (non-repudiation)",
    ],
    "q3": ["The handwritten signature of the agency's leader"],
    "q4": ["Refuse: the PIN is yours alone."],
    "q5": ["Report it at once to your agency's digital-signature focal point"],
    "q6": ["Stop signing with it and get a new certificate with the new name and title"],
}
EXPECTED_SCORE = "9 / 10"


def log_in(browser: Browser, platform: Platform, username: str) -> Page:
    account = platform.accounts()[username]
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{platform.url}/hub/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", account.password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/user/[^/]+/learning.*"), timeout=120_000)
    return page


def module_row(page: Page):
    return page.locator(".module, li, tr, article, section").filter(has_text=MODULE_TITLE).last


def answer_questions(page: Page) -> None:
    for texts in ANSWERS.values():
        for text in texts:
            page.get_by_text(text, exact=False).first.click()
    expect(page.get_by_text("Saved").first).to_be_visible()


def check_answers_kept(page: Page) -> None:
    for texts in ANSWERS.values():
        for text in texts:
            label = page.locator("label").filter(has_text=text).first
            expect(label.locator("input")).to_be_checked()


def digest_changes(page: Page) -> None:
    """Type a sentence: the page shows its SHA-256; change one character: it all changes."""
    sentence = "Kính gửi Sở Tài chính"
    changed = sentence.replace("Kính", "Kinh")
    card = page.locator(".ck-digest").first
    boxes = card.locator("textarea")
    boxes.first.fill(sentence)
    boxes.nth(1).fill(changed)
    expect(card).to_contain_text("of 64 characters of the digest changed")

    def shown() -> str:
        return re.sub(r"\s+", "", card.inner_text())

    for text in (sentence, changed):
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert digest in shown(), f"SHA-256 of {text!r} not shown"


def register_in_eoffice(page: Page, platform: Platform) -> None:
    page.goto(f"{platform.url}/services/eoffice/")
    expect(page.get_by_text("Incoming documents").first).to_be_visible()
    page.goto(f"{platform.url}/services/eoffice/documents/incoming")
    page.locator("tr").filter(has_text="Sở Tài chính").locator("a").first.click()
    page.click("button:has-text('Register (Vào sổ)')")
    expect(page.get_by_text("Registered:").first).to_be_visible()
    page.goto(f"{platform.url}/services/eoffice/activity")
    expect(page.get_by_text("register no.").first).to_be_visible()


def run_journey(browser: Browser, platform: Platform, learner: str, tmp_path) -> None:
    page = log_in(browser, platform, learner)
    # My learning: no code, no JupyterLab; the course and the module, not started
    expect(page.get_by_text("My learning").first).to_be_visible()
    expect(page.get_by_text(COURSE_TITLE).first).to_be_visible()
    expect(module_row(page)).to_contain_text("Not started")
    assert page.locator(".jp-LabShell, #jp-main-dock-panel").count() == 0

    page.click("button:has-text('Start')")
    page.wait_for_url(re.compile(r".*/voila/render/.*"), timeout=120_000)
    expect(page.get_by_text(MODULE_TITLE).first).to_be_visible()
    page.wait_for_selector(".widget-radio-box", timeout=120_000)
    image = page.locator("img[src$='.svg']").first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0
    assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
    digest_changes(page)
    answer_questions(page)
    voila_url = page.url
    page.reload()
    page.wait_for_selector(".widget-radio-box", timeout=120_000)
    check_answers_kept(page)
    assert page.url == voila_url

    register_in_eoffice(page, platform)

    page.goto(f"{platform.url}/user/{learner}/learning")
    expect(module_row(page)).to_contain_text("In progress")
    module_row(page).locator("button:has-text('Submit')").click()
    expect(module_row(page)).to_contain_text("Submitted")

    grading = platform.academy("grade", "autograde", MODULE)
    assert grading.returncode == 0, grading.stdout + grading.stderr
    assert f"{learner}: graded 9/10" in grading.stdout

    page.goto(f"{platform.url}/user/{learner}/learning")
    expect(module_row(page)).to_contain_text("Graded")
    expect(module_row(page)).to_contain_text(EXPECTED_SCORE)
    feedback_link = module_row(page).locator("a:has-text('feedback')").first
    page.goto(feedback_link.evaluate("a => a.href"))
    body = page.content()
    assert "BEGIN HIDDEN TESTS" not in body
    assert "practical" in body.lower()
    page.close()

    out = platform.data_dir / "hr-records.csv"  # writable by whoever runs the platform
    export = platform.academy("hr", "export", "--format", "csv", "--out", str(out))
    assert export.returncode == 0, export.stdout + export.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    person = next(p for p in _roster(platform) if p.username == learner)
    row = next(r for r in rows if r["employee_id"] == person.employee_id)
    assert row["full_name"] == person.full_name
    assert row["agency"] == person.agency
    assert row["course_id"] == "digital-signatures"
    assert (row["score"], row["max_score"], row["passed"]) == ("9", "10", "yes")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["completion_date"])
    others = [r for r in rows if r["employee_id"] != person.employee_id]
    assert others and all(r["passed"] == "no" and r["completion_date"] == "" for r in others)


def _roster(platform: Platform):
    from hub_config.roster import load_roster

    return load_roster(platform.layout.roster_file)
