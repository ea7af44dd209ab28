"""The walking-skeleton journey, driven in headless Chromium through the real servers."""

from __future__ import annotations

import csv
import hashlib
import re
import time

from playwright.sync_api import Browser, Page, expect

from tests.e2e.platform_process import Platform

MODULE = "ds01-what-a-signature-proves"
# the module as My learning and Voila show it by default (Vietnamese; course.toml title_vi)
MODULE_TITLE = "Chữ ký số chứng minh điều gì?"
COURSE_TITLE = "Digital signatures in public service"
COURSE_TITLE_VI = "Chữ ký số trong hoạt động công vụ"  # what My learning shows by default
# the learner gets q3 wrong on purpose: 5 questions + the practical task = 9 / 10 (the
# Vietnamese texts of the options; their keys are in courses/digital-signatures/solutions/)
ANSWERS = {
    "q1": ["Mã băm thay đổi hoàn toàn: gần như mọi ký tự đều khác"],
    "q2": [
        "Văn bản không bị thay đổi kể từ khi được ký (tính toàn vẹn)",
        "Văn bản được ký bằng khóa bí mật của người có tên trong chứng thư số",
        "Người ký không thể chối bỏ việc mình đã ký (chống chối bỏ)",
    ],
    "q3": ["Chữ ký tay của lãnh đạo cơ quan"],
    "q4": ["Từ chối: mã PIN chỉ mình bạn được biết."],
    "q5": ["Báo ngay cho đầu mối quản lý chữ ký số của cơ quan"],
    "q6": ["Dừng ký bằng chứng thư số đó và đề nghị cấp chứng thư số mới"],
}
EXPECTED_SCORE = "9 / 10"
# What a question card's status says (course_kit.widgets.NOT_ANSWERED / SAVED, in Vietnamese,
# the page's default language: course_kit/translations): a fresh page, then an answer the
# kernel has written to responses.json.
NOT_ANSWERED = "Chưa trả lời"
SAVED = "Đã lưu ✓"
# How long the page may take to show what the Voila kernel (or a server) did after an action;
# a deadline only: every wait below is for a state that the action alone brings about.
STATE_TIMEOUT = 60_000


#: where a learner lands after logging in: their own server's My learning (not a hub page
#: that merely names it, e.g. /hub/user/...)
MY_LEARNING = re.compile(r"^https?://[^/]+/user/[^/?#]+/learning(?:[/?#].*)?$")
#: where the other roles land (hub_config.landing): their home page in the dashboards
ROLE_HOME = re.compile(r"^https?://[^/]+/services/dashboards/(trainer|hr|admin)/$")


def log_in(browser: Browser, platform: Platform, username: str,
           lands_on: re.Pattern[str] = MY_LEARNING) -> Page:
    account = platform.accounts()[username]
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{platform.url}/hub/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", account.password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(lands_on, timeout=120_000)
    return page


def module_row(page: Page):
    return page.locator(".module, li, tr, article, section").filter(has_text=MODULE_TITLE).last


def question_card(page: Page, qid: str):
    """The card of question `qid`: the only one offering its first right answer."""
    return page.locator(".ck-question").filter(has_text=ANSWERS[qid][0])


def _status(card):
    return card.locator(".ck-status-ok, .ck-status-wait, .ck-status-error")


def answer_questions(page: Page) -> None:
    """Answer every question, each time waiting until the kernel has saved the answer.

    A card's status turns from NOT_ANSWERED to SAVED only after the kernel's callback has
    written responses.json (course_kit.widgets._save). A card with several boxes to tick
    shows SAVED after the first one; the kernel handles widget messages one after another,
    in the order they were sent, so the next card turning SAVED proves the later ticks were
    saved too. The last question therefore has a single answer.
    """
    assert len(list(ANSWERS.values())[-1]) == 1, "the last question must have one answer"
    for qid, texts in ANSWERS.items():
        card = question_card(page, qid)
        expect(card).to_have_count(1)
        expect(_status(card)).to_have_text(NOT_ANSWERED, timeout=STATE_TIMEOUT)
        for text in texts:
            card.get_by_text(text, exact=False).first.click()
        expect(_status(card)).to_have_text(SAVED, timeout=STATE_TIMEOUT)


def check_answers_kept(page: Page) -> None:
    """After a reload (a fresh kernel): every answer is read back from responses.json."""
    for qid, texts in ANSWERS.items():
        card = question_card(page, qid)
        expect(_status(card)).to_contain_text(
            "câu trả lời trước đây của bạn", timeout=STATE_TIMEOUT
        )
        for text in texts:
            label = card.locator("label").filter(has_text=text).first
            expect(label.locator("input")).to_be_checked(timeout=STATE_TIMEOUT)


def _shown_digest(digest: str) -> re.Pattern[str]:
    """`digest` as the page shows it: hex in groups, some characters highlighted."""
    return re.compile(r"^\s*" + r"\s*".join(digest) + r"\s*$")


def digest_changes(page: Page) -> None:
    """Type a sentence: the page shows its SHA-256; change one character: it all changes.

    Each step waits for what only the kernel's answer to that step can show: the SHA-256,
    computed here, of the text just typed (the page showed other digests before).
    """
    sentence = "Kính gửi Sở Tài chính"
    changed = sentence.replace("Kính", "Kinh")
    sentence_digest = hashlib.sha256(sentence.encode("utf-8")).hexdigest()
    changed_digest = hashlib.sha256(changed.encode("utf-8")).hexdigest()
    differing = sum(a != b for a, b in zip(sentence_digest, changed_digest, strict=True))
    card = page.locator(".ck-digest").first
    boxes = card.locator("textarea")
    digests = card.locator(".ck-hex")  # the original's digest, then the copy's
    saved = card.locator(".ck-status-ok")
    expect(digests).to_have_count(2, timeout=STATE_TIMEOUT)
    expect(saved).to_have_count(0)  # a fresh page: nothing tried yet

    # 1. the original: the kernel copies it into the untouched copy and digests both
    boxes.first.fill(sentence)
    expect(boxes.nth(1)).to_have_value(sentence, timeout=STATE_TIMEOUT)
    expect(digests.nth(0)).to_have_text(_shown_digest(sentence_digest), timeout=STATE_TIMEOUT)
    expect(digests.nth(1)).to_have_text(_shown_digest(sentence_digest), timeout=STATE_TIMEOUT)

    # 2. one character changed in the copy: its digest, the count and the save are new
    boxes.nth(1).fill(changed)
    expect(digests.nth(1)).to_have_text(_shown_digest(changed_digest), timeout=STATE_TIMEOUT)
    expect(card).to_contain_text(f"{differing} trên 64 ký tự của mã băm đã thay đổi",
                                 timeout=STATE_TIMEOUT)
    expect(saved).to_have_text(SAVED, timeout=STATE_TIMEOUT)
    expect(digests.nth(1).locator(".ck-diff")).to_have_count(differing)
    expect(digests.nth(0)).to_have_text(_shown_digest(sentence_digest))
    expect(boxes.first).to_have_value(sentence)
    expect(boxes.nth(1)).to_have_value(changed)


def handle_in_eoffice(page: Page, platform: Platform) -> None:
    """The incoming-document journey in Vietnamese (the default), then in English: register
    the document from Sở Tài chính, assign it for handling, mark it as done."""
    eoffice = f"{platform.url}/services/eoffice"
    page.goto(f"{eoffice}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".sidebar").get_by_text("Văn bản đến")).to_be_visible()
    page.goto(f"{eoffice}/documents/incoming?q=du+toan+ngan+sach")  # no diacritics needed
    page.locator("tr").filter(has_text="Sở Tài chính").locator("a").first.click()
    page.click("button:has-text('Vào sổ')")
    # the confirmation the e-office flashes after the POST has committed the registration
    expect(page.locator(".flash-success")).to_contain_text("Đã vào sổ:", timeout=STATE_TIMEOUT)
    # the attached file is a real PDF that the browser opens
    pdf = page.request.get(page.locator("a[href$='attachment.pdf']").evaluate("a => a.href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    form = page.locator("#assign form")
    form.locator("select[name=lead_unit]").select_option(index=2)
    form.locator("select[name=assignee]").select_option(index=5)
    form.locator("input[name=coordinating_units]").first.check()
    form.locator("input[name=deadline_days]").fill("5")
    form.locator("textarea[name=instruction]").fill("Chủ trì tham mưu, báo cáo trước hạn.")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã giao xử lý", timeout=STATE_TIMEOUT)
    expect(page.locator("#history")).to_contain_text("Chủ trì tham mưu, báo cáo trước hạn.")

    page.locator("#complete textarea[name=result_note]").fill("Đã tham mưu dự toán.")
    page.locator("#complete button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã hoàn thành", timeout=STATE_TIMEOUT)
    expect(page.locator("#history li")).to_have_count(4)  # received, registered, assigned, done

    # an outgoing letter: draft, submit, approve (as the signer), issue, send over the axis
    page.goto(f"{eoffice}/documents/outgoing/new")
    page.fill("textarea[name=summary]", "V/v báo cáo kết quả dự toán ngân sách")
    page.fill("textarea[name=body]", "Thực hiện Công văn của Sở Tài chính, đơn vị báo cáo.")
    page.click("form.stacked button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu dự thảo", timeout=STATE_TIMEOUT)
    for button, done in (("Trình duyệt", "Đã trình duyệt"), ("Duyệt", "Đã duyệt"),
                         ("Phát hành", "Đã phát hành với số, ký hiệu")):
        page.locator("#steps button[type=submit]").filter(has_text=button).first.click()
        expect(page.locator(".flash-success")).to_contain_text(done, timeout=STATE_TIMEOUT)
    page.locator("#steps input[name=recipients]").first.check()
    page.locator("#steps button[type=submit]").filter(has_text="Gửi").click()
    expect(page.locator("#deliveries")).to_contain_text("Đã xác nhận nhận văn bản",
                                                        timeout=STATE_TIMEOUT)

    # the REST API with a token the real hub issues (what a notebook or script uses)
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf"
                and c["path"] == "/hub/")
    learner = page.request.get(f"{platform.url}/hub/api/user").json()["name"]
    token = page.request.post(
        f"{platform.url}/hub/api/users/{learner}/tokens", headers={"X-XSRFToken": xsrf},
        data={"note": "e-office API", "scopes": ["access:services!service=eoffice"],
              "expires_in": 600}).json()["token"]
    api = page.context.request  # shares no cookie use: the API takes the token only
    listing = api.get(f"{eoffice}/api/v1/incoming?status=done",
                      headers={"Authorization": f"Bearer {token}"})
    assert listing.ok and listing.json()["total"] >= 1
    assert api.get(f"{eoffice}/api/v1/incoming").status == 401  # the cookie alone: no

    # one click switches the whole page to English, and the choice stays
    page.click("a[hreflang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#history")).to_contain_text("Sent over the interconnection axis")
    page.goto(f"{eoffice}/activity")
    expect(page.get_by_text("register no.").first).to_be_visible()
    page.click("a[hreflang=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def sign_in_eoffice(browser: Browser, page: Page, platform: Platform) -> None:
    """Digital signatures in Vietnamese: the learner requests a certificate with a PIN, the
    trainer (registration officer) approves it in their own browser, the learner approves a
    letter with the PIN (a wrong PIN first), issues it with the agency's seal, and checks the
    signatures of a received exercise."""
    eoffice = f"{platform.url}/services/eoffice"
    page.goto(f"{eoffice}/signatures/")
    form = page.locator("form[action$='/signatures/request']")
    form.locator("input[name='request-pin']").fill("482915")
    form.locator("input[name='request-confirm']").fill("482915")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã gửi đề nghị",
                                                          timeout=STATE_TIMEOUT)

    trainer_name = next(name for name, account in platform.accounts().items()
                        if account.role == "trainer")
    trainer = browser.new_page()
    try:
        trainer.goto(f"{platform.url}/hub/login")
        trainer.fill("input[name=username]", trainer_name)
        trainer.fill("input[name=password]", platform.accounts()[trainer_name].password)
        trainer.click("input[type=submit], button[type=submit]")
        # a trainer lands on the class overview (hub_config.landing)
        trainer.wait_for_url(re.compile(r"^https?://[^/]+/services/dashboards/trainer/"),
                             timeout=120_000)
        trainer.goto(f"{eoffice}/signatures/registration")
        trainer.locator("button:has-text('Phê duyệt và cấp')").first.click()
        expect(trainer.locator(".flash-success")).to_contain_text("Đã cấp chứng thư số",
                                                                  timeout=STATE_TIMEOUT)
    finally:
        trainer.close()

    page.goto(f"{eoffice}/documents/outgoing/new")
    page.fill("textarea[name=summary]", "V/v triển khai chữ ký số chuyên dùng công vụ")
    page.fill("textarea[name=body]", "Đề nghị các đơn vị triển khai chữ ký số.")
    page.click("form.stacked button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu dự thảo", timeout=STATE_TIMEOUT)
    page.locator("#steps button[type=submit]").filter(has_text="Trình duyệt").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã trình duyệt", timeout=STATE_TIMEOUT)
    approve = page.locator("form[action$='/approve']")
    approve.locator("input[name=pin]").fill("739164")
    approve.locator("button[type=submit]").click()
    expect(page.locator(".flash-warning")).to_contain_text("4", timeout=STATE_TIMEOUT)
    approve.locator("input[name=pin]").fill("482915")
    approve.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã duyệt và ký số",
                                                          timeout=STATE_TIMEOUT)
    page.locator("#steps button[type=submit]").filter(has_text="Phát hành").click()
    expect(page.locator(".flash-success")).to_contain_text("có chữ ký số của cơ quan",
                                                          timeout=STATE_TIMEOUT)
    pdf = page.request.get(page.locator("a[href$='document.pdf']").evaluate("a => a.href"))
    assert pdf.ok and pdf.body().count(b"/ByteRange") == 2  # personal + agency signatures

    page.goto(f"{eoffice}/signatures/")
    page.locator("form[action*='/signatures/verify/incoming/'] button").first.click()
    expect(page.locator("h1")).to_contain_text("Kiểm tra chữ ký số", timeout=STATE_TIMEOUT)
    expect(page.locator(".verdict").first).to_contain_text("TOTAL_")


def run_journey(browser: Browser, platform: Platform, learner: str, tmp_path) -> None:
    page = log_in(browser, platform, learner)
    # My learning (in Vietnamese, the default): no code, no JupyterLab; the course and the
    # module, not started
    expect(page.get_by_role("heading", level=1)).to_have_text("Học tập của tôi")
    expect(page.get_by_role("heading", level=2, name=COURSE_TITLE_VI)).to_be_visible()
    expect(module_row(page)).to_contain_text("Chưa bắt đầu")
    assert page.locator(".jp-LabShell, #jp-main-dock-panel").count() == 0

    module_row(page).locator("button:has-text('Bắt đầu')").first.click()  # not another course's
    page.wait_for_url(re.compile(r"^https?://[^/]+/user/[^/?#]+/voila/render/"), timeout=120_000)
    expect(page.get_by_text(MODULE_TITLE).first).to_be_visible()
    page.wait_for_selector(".widget-radio-box", timeout=120_000)
    image = page.locator("img[src$='.svg']").first
    expect(image).to_be_visible()
    # visible is not loaded: wait until the browser has finished with it (loaded or broken)
    expect(image).to_have_js_property("complete", True, timeout=STATE_TIMEOUT)
    assert image.evaluate("img => img.naturalWidth") > 0
    assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0
    digest_changes(page)
    answer_questions(page)
    voila_url = page.url
    page.reload()
    page.wait_for_selector(".widget-radio-box", timeout=120_000)
    check_answers_kept(page)
    assert page.url == voila_url

    handle_in_eoffice(page, platform)
    sign_in_eoffice(browser, page, platform)

    page.goto(f"{platform.url}/user/{learner}/learning")
    expect(module_row(page)).to_contain_text("Đang học")
    module_row(page).locator("button:has-text('Nộp bài')").click()
    # the page the submit POST redirects to, once nbgrader has handed the work in
    page.wait_for_url(re.compile(r"/learning\?(?:.*&)?done=submitted(?:&|$)"), timeout=120_000)
    # graded on submit (course.toml): the grading service grades it within a minute, and
    # the page refreshes itself until the score is there; nobody runs a command
    expect(module_row(page)).to_contain_text("Đã chấm điểm", timeout=90_000)
    expect(module_row(page)).to_contain_text(EXPECTED_SCORE)

    # the trainer can still grade again, with the same grader
    grading = platform.academy("grade", "autograde", MODULE, "--regrade")
    assert grading.returncode == 0, grading.stdout + grading.stderr
    assert f"{learner}: graded 9/10" in grading.stdout

    page.goto(f"{platform.url}/user/{learner}/learning")
    expect(module_row(page)).to_contain_text("Đã chấm điểm")
    expect(module_row(page)).to_contain_text(EXPECTED_SCORE)
    feedback_link = module_row(page).locator("a:has-text('Xem nhận xét')").first
    page.goto(feedback_link.evaluate("a => a.href"))
    body = page.content()
    # the learner's own results, in words: no code, no tests (grading.feedback)
    for hidden in ("BEGIN HIDDEN TESTS", "assert answer", "course_kit", "explain("):
        assert hidden not in body
    # the page holds both languages; the learner reads Vietnamese (the default) alone
    shown = page.locator("body").inner_text()
    assert shown.count("Câu trả lời của bạn:") == 6 and "Your answer" not in shown
    assert shown.count("✓ Đúng:") == 5 and shown.count("✗ Chưa đúng:") == 1
    assert shown.count("Giải thích:") == 6
    assert "✓ Đã hoàn thành: 4 / 4 điểm" in shown
    assert "Bài thực hành: 4 điểm." in shown  # the trainer's own task text, in Vietnamese
    assert "Practical task" not in shown  # its English note is there, not shown
    page.close()

    # formgrader works on the same gradebook: the trainer sees the learner's 9 of 10 there
    trainer = next(p.username for p in _roster(platform) if p.role == "trainer")
    trainer_page = log_in(browser, platform, trainer, lands_on=ROLE_HOME)
    formgrader = f"{platform.url}/services/digital-signatures/formgrader"
    trainer_page.goto(formgrader)  # the service's own login (hub OAuth), then its page
    trainer_page.wait_for_url(re.compile(r"/services/digital-signatures/formgrader"),
                              timeout=120_000)
    listing = trainer_page.request.get(
        f"{formgrader}/api/submitted_notebooks/{MODULE}/what-a-signature-proves"
    )
    assert listing.ok, (listing.status, listing.text()[:300])
    rows = {row["student"]: row for row in listing.json()}
    assert (rows[learner]["score"], rows[learner]["max_score"]) == (9.0, 10.0)
    trainer_page.close()

    # one module of the course's three graded is not a completed course: the trainer records
    # a completion override on the class overview (the page trainers land on), and the
    # grading service issues the certificate that follows it
    person = next(p for p in _roster(platform) if p.username == learner)
    overview = log_in(browser, platform, trainer, lands_on=ROLE_HOME)
    # the page holds a section per course the trainer teaches: this course's
    learner_row = overview.locator("#course-digital-signatures tr").filter(
        has_text=person.employee_id).first
    expect(learner_row).to_contain_text("9 / 10")  # the class overview reads the gradebook
    learner_row.locator("summary").click()
    learner_row.locator("input[name=completed][value=yes]").check()
    learner_row.locator("textarea[name=reason]").fill(
        "Đã học và kiểm tra trực tiếp hai học phần còn lại tại Sở, kết quả đạt")
    learner_row.locator("button[type=submit]").click()
    expect(overview.locator("p.flash.success")).to_contain_text(person.username,
                                                               timeout=STATE_TIMEOUT)
    overview.close()

    out = platform.data_dir / "hr-records.csv"  # writable by whoever runs the platform
    officer = next(p.username for p in _roster(platform) if p.role == "hr")

    def export_row() -> dict[str, str]:
        export = platform.academy("hr", "export", "--format", "csv", "--out", str(out),
                                  "--by", officer)
        assert export.returncode == 0, export.stdout + export.stderr
        rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
        return next(r for r in rows if r["employee_id"] == person.employee_id
                    and r["course_id"] == "digital-signatures")

    # the certificate job is the grading service's: wait for its outcome in the records
    deadline = time.monotonic() + 120
    row = export_row()
    while not row["certificate_id"] and time.monotonic() < deadline:
        time.sleep(1)  # polling the records for the job's outcome, not waiting for time
        row = export_row()
    assert row["full_name"] == person.full_name
    assert row["agency"] == person.agency
    assert (row["score"], row["passed"], row["overridden"]) == ("9", "yes", "yes")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["completion_date"])

    # anyone holding its id (the QR code's link) checks it on the public page, without
    # logging in
    certificate_id = row["certificate_id"]
    assert certificate_id and row["certificate_url"].endswith(
        f"/services/dashboards/verify/{certificate_id}")
    public = browser.new_page()  # a context of its own: no hub login
    public.goto(f"{platform.url}/services/dashboards/verify/{certificate_id}")
    expect(public.locator("section.result h2")).to_have_text("Giấy chứng nhận hợp lệ")
    expect(public.locator("section.result")).to_contain_text(person.full_name)
    public.close()
    # and the learner downloads it from My learning's "My certificates"
    mine = log_in(browser, platform, learner)
    mine.goto(f"{platform.url}/user/{learner}/learning")
    mine.click("a:has-text('Giấy chứng nhận của tôi')")
    mine.wait_for_url(re.compile(r"/services/dashboards/certificates/$"), timeout=120_000)
    download = mine.locator(f"a[href$='/certificates/{certificate_id}.pdf']")
    expect(download).to_be_visible()
    pdf = mine.request.get(download.evaluate("a => a.href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    certificate_pdf = pdf.body()
    mine.close()
    # anyone given the PDF itself checks it on the public page: the file is read in the
    # PDF sandbox, its signature checked against the academy's root and CRL (in isolated
    # mode by the dashboards' own account, which may not read the root's key)
    saved = tmp_path / f"{certificate_id}.pdf"
    saved.write_bytes(certificate_pdf)
    public = browser.new_page()
    public.goto(f"{platform.url}/services/dashboards/verify/")
    public.set_input_files("input[type=file]", str(saved))
    public.click("form.panel button[type=submit]")
    expect(public.locator("section.result h2")).to_have_text("Giấy chứng nhận hợp lệ",
                                                            timeout=60_000)
    expect(public.locator("section.result")).to_contain_text(person.full_name)
    public.close()


def _roster(platform: Platform):
    from people.roster import load_roster

    return load_roster(platform.layout.roster_file)
