"""Injection, in a real browser: every user-editable field of the e-office gets a corpus of
hostile and odd strings, typed into the real forms in headless Debian Chromium, and every
page that shows the value afterwards must show it as literal text and run none of it.

The app is served by a real HTTP server on 127.0.0.1 (a free port); the browser logs in
through the whole OAuth dance itself: the same server answers the hub's authorize URL as a
fake hub that approves "alice" at once (the token exchange is FakeHubOAuth, in process).

Every page the browser loads is inspected (``assert_inert``): ``window.__xss`` (what every
payload would set) is undefined, no dialog opened, the page has no <script> element and no
``on*`` attribute anywhere (the e-office's templates use neither), no ``javascript:`` URL,
no <img>/<svg>/<iframe> in the main content, no request for the payloads' ``src=x`` image,
and the app's secret key is nowhere in the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.vocabulary import DocumentStatus
from tests.sandbox_eoffice.conftest import LiveEoffice

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time
LEARNER = "alice"

NOTE_LIMIT = 2000  # comment, instruction, forward note, result note, return comment
SUMMARY_LIMIT = 500
BODY_LIMIT = 20_000
SEARCH_LIMIT = 200
RECIPIENT_LINE_LIMIT = 255


def long_text(length: int) -> str:
    """`length` characters of Vietnamese and markup, ending in a letter."""
    unit = "Tiếng Việt <img src=x onerror=window.__xss=1> {{7*7}} <b>đậm</b> "
    return (unit * (length // len(unit) + 1))[: length - 1] + "x"


LONG = "very long string"

# name -> what the learner types. None starts or ends with whitespace (the app strips it).
PAYLOADS: dict[str, str] = {
    "script tag": "<script>window.__xss=1</script>",
    "img onerror": '<img src=x onerror="window.__xss=1">',
    "img onerror alert": "<img src=x onerror=alert(document.domain)>",
    "svg onload": "<svg onload=window.__xss=1>",
    "out of a double-quoted attribute": '"><script>window.__xss=1</script>',
    "out of a single-quoted attribute": "' onmouseover='window.__xss=1",
    "autofocus onfocus": '" autofocus onfocus="window.__xss=1" x="',
    "javascript: URL": "javascript:window.__xss=1",
    "javascript: link": '<a href="javascript:window.__xss=1">x</a>',
    "out of a textarea": "</textarea><script>window.__xss=1</script>",
    "template expression": "{{7*7}}",
    "template config": "{{ config }}",
    "template secret key": "{{ config.SECRET_KEY }}",
    "template statement": "{% for i in range(3) %}loop{% endfor %}",
    "other template syntaxes": "${7*7} #{7*7} <%= 7*7 %>",
    "right-to-left override": "Hóa đơn \u202egpj.exe\u202c tháng 5",
    "zero-width joiner and emoji": "Cán bộ 👩\u200d💻 ký 🇻🇳 ✅ a\u200bb\u200cc\u200dd",
    "combining marks": "Z\u0351\u0336a\u0337\u0321l\u0322g\u0334o\u0335 x\u0301\u0302\u0303",
    "Vietnamese in NFD": unicodedata.normalize("NFD", "Tiếng Việt: Ủy ban nhân dân tỉnh"),
    "bell control character": "chuông\u0007reo",
    LONG: long_text(NOTE_LIMIT - 100),
}


def fitted(name: str, limit: int) -> str:
    """The payload for a field of at most `limit` characters: the long one just under it
    (1,900 of 2,000; 19,900 of 20,000; 490 of 500; 190 of 200)."""
    if name == LONG:
        return long_text(limit - 100 if limit >= NOTE_LIMIT else limit - 10)
    return PAYLOADS[name]


def assert_literal(shown: str, typed: str) -> None:
    """The page shows exactly what was typed: escaped, not evaluated, not normalised."""
    assert shown == typed, f"shown {shown[:120]!r}, typed {typed[:120]!r}"
    if "7*7" in typed:
        assert "49" not in shown


# --- the server and the browser ----------------------------------------------------------


@pytest.fixture
def eoffice_url(live_eoffice: LiveEoffice) -> str:
    """The app served over HTTP on 127.0.0.1, logging the browser in as LEARNER."""
    return live_eoffice(LEARNER)


@dataclass
class Learner:
    """The learner's browser tab, and everything it saw that it should not have."""

    page: Page
    url: str
    secret_key: str
    dialogs: list[str] = field(default_factory=list)
    payload_requests: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        response = self.page.goto(self.url + path)
        assert response is not None and response.status == 200, path
        self.assert_inert()

    def submit(self, button: Locator, *, status: int = 302) -> None:
        """Click a form's button (or a link) and wait until the page it leads to has loaded;
        `status` is the answer to the click (302: the step was done, and the page it
        redirects to shows the success message)."""
        page = self.page
        with page.expect_event("load"), page.expect_response(
                lambda r: r.request.is_navigation_request() and r.frame == page.main_frame
        ) as answer:
            button.click()
        assert answer.value.status == status, (answer.value.url, answer.value.status)
        if status == 302:
            expect(page.locator("main .flash-success")).to_have_count(1)
            expect(page.locator("main .flash-warning")).to_have_count(0)
        self.assert_inert()

    def assert_inert(self) -> None:
        page = self.page
        found = page.evaluate(INSPECT_PAGE)
        assert found == {"xss": "undefined", "scripts": 0, "handlers": [],
                         "javascript_urls": [], "injected": []}, (page.url, found)
        assert self.dialogs == [], (page.url, self.dialogs)
        assert self.payload_requests == [], (page.url, self.payload_requests)
        assert self.secret_key not in page.content(), page.url


INSPECT_PAGE = r"""() => {
  const handlers = [], javascriptUrls = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const where = `${element.tagName.toLowerCase()}[${attribute.name}]`;
      if (attribute.name.startsWith('on')) handlers.push(where);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(attribute.name)
          && /^[\s\u0000-\u001f]*javascript:/i.test(attribute.value)) javascriptUrls.push(where);
    }
  }
  return {
    xss: typeof window.__xss,
    scripts: document.scripts.length,
    handlers,
    javascript_urls: javascriptUrls,
    injected: Array.from(
      document.querySelectorAll('main img, main svg, main iframe, main object, main embed, '
                                + 'main math, [autofocus]'),
      element => element.outerHTML.slice(0, 100)),
  };
}"""


@pytest.fixture
def learner(browser: Browser, eoffice_url: str, app: Flask) -> Iterator[Learner]:
    """Alice's tab, logged in through the hub login as a person would."""
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    page = context.new_page()
    tab = Learner(page, eoffice_url, app.config["SECRET_KEY"])

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request: Any) -> None:
        if urlsplit(request.url).path.endswith("/x"):
            tab.payload_requests.append(request.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    try:
        response = page.goto(eoffice_url)  # -> hub authorize -> oauth_callback -> home
        assert response is not None and response.status == 200
        assert page.url == eoffice_url
        expect(page.locator("nav.sidebar")).to_be_visible()
        tab.assert_inert()
        yield tab
    finally:
        context.close()


def open_documents(app: Flask, *statuses: DocumentStatus) -> list[tuple[int, DocumentStatus]]:
    """The learner's incoming documents in `statuses`, in that order of status."""
    with app.app_context():
        found = []
        for status in statuses:
            found += [(document.id, status) for document in db().scalars(
                select(IncomingDocument)
                .join(Tenant, Tenant.id == IncomingDocument.tenant_id)
                .where(Tenant.username == LEARNER, IncomingDocument.status == status)
                .order_by(IncomingDocument.id))]
        return found


def visit_overview_pages(learner: Learner) -> None:
    for path in ("", "activity", "documents/incoming", "documents/outgoing"):
        learner.open(path)


# --- incoming documents --------------------------------------------------------------------


def test_the_payload_corpus_is_what_it_claims() -> None:
    assert len(PAYLOADS[LONG]) == 1900 and len(fitted(LONG, BODY_LIMIT)) == 19_900
    assert all(text == text.strip() and "\0" not in text for text in PAYLOADS.values())
    assert PAYLOADS["Vietnamese in NFD"] != unicodedata.normalize(
        "NFC", PAYLOADS["Vietnamese in NFD"])


def test_comments_render_inert(app: Flask, learner: Learner) -> None:
    [(document_id, _status), *_] = open_documents(app, DocumentStatus.REGISTERED)
    page = learner.page
    learner.open(f"documents/incoming/{document_id}")
    for name in PAYLOADS:
        page.locator("#comment textarea[name=body]").fill(fitted(name, NOTE_LIMIT))
        learner.submit(page.locator("#comment button[type=submit]"))
    learner.open(f"documents/incoming/{document_id}")
    comments = page.locator("#history blockquote")
    expect(comments).to_have_count(len(PAYLOADS))
    expect(comments.first).to_contain_text(PAYLOADS["script tag"])
    for shown, name in zip(comments.all_text_contents(), PAYLOADS, strict=True):
        assert_literal(shown, fitted(name, NOTE_LIMIT))
    visit_overview_pages(learner)


def test_assign_instructions_render_inert(app: Flask, learner: Learner) -> None:
    [(document_id, _status), *_] = open_documents(app, DocumentStatus.REGISTERED)
    page = learner.page
    learner.open(f"documents/incoming/{document_id}")
    for name in PAYLOADS:  # assigned once, then re-assigned with each next instruction
        page.locator("#assign select[name=lead_unit]").select_option(index=1)
        page.locator("#assign textarea[name=instruction]").fill(fitted(name, NOTE_LIMIT))
        learner.submit(page.locator("#assign button[type=submit]"))
        assert fitted(name, NOTE_LIMIT) in page.locator("table.fields td").all_text_contents()
    instructions = page.locator("#history em")
    expect(instructions).to_have_count(len(PAYLOADS))
    for shown, name in zip(instructions.all_text_contents(), PAYLOADS, strict=True):
        assert_literal(shown, fitted(name, NOTE_LIMIT))
    visit_overview_pages(learner)


def test_forward_notes_render_inert(app: Flask, learner: Learner) -> None:
    [(document_id, _status), *_] = open_documents(app, DocumentStatus.REGISTERED)
    page = learner.page
    learner.open(f"documents/incoming/{document_id}")
    for name in PAYLOADS:
        # one colleague, as a user would (no box of the group is HTML-required)
        page.locator("#forward input[name=colleagues]").first.check()
        page.locator("#forward textarea[name=note]").fill(fitted(name, NOTE_LIMIT))
        learner.submit(page.locator("#forward button[type=submit]"))
    learner.open(f"documents/incoming/{document_id}")
    notes = page.locator("#history em")
    expect(notes).to_have_count(len(PAYLOADS))
    expect(notes.first).to_contain_text(PAYLOADS["script tag"])
    for shown, name in zip(notes.all_text_contents(), PAYLOADS, strict=True):
        assert_literal(shown, fitted(name, NOTE_LIMIT))
    visit_overview_pages(learner)


def test_result_notes_render_inert(app: Flask, learner: Learner) -> None:
    """One document per payload, taken through the flow (register, assign) to done."""
    documents = open_documents(app, DocumentStatus.REGISTERED, DocumentStatus.RECEIVED,
                               DocumentStatus.ASSIGNED)
    assert len(documents) >= len(PAYLOADS), "the sandbox has too few open documents"
    page = learner.page
    for name, (document_id, status) in zip(PAYLOADS, documents, strict=False):
        learner.open(f"documents/incoming/{document_id}")
        if status is DocumentStatus.RECEIVED:
            learner.submit(page.locator("#register button[type=submit]"))
        if status is not DocumentStatus.ASSIGNED:
            page.locator("#assign select[name=lead_unit]").select_option(index=1)
            learner.submit(page.locator("#assign button[type=submit]"))
        page.locator("#complete textarea[name=result_note]").fill(fitted(name, NOTE_LIMIT))
        learner.submit(page.locator("#complete button[type=submit]"))
        expect(page.locator("#complete")).to_have_count(0)  # done: nothing left to complete
        learner.open(f"documents/incoming/{document_id}")
        last_step = page.locator("#history li").last.locator("div")
        expect(last_step).to_have_count(1)
        assert_literal(last_step.text_content() or "", fitted(name, NOTE_LIMIT))
        assert fitted(name, NOTE_LIMIT) in page.locator("table.fields td").all_text_contents()
    visit_overview_pages(learner)


def test_search_terms_render_inert(learner: Learner) -> None:
    """The one GET form: the search box shows the words searched for, as typed."""
    page = learner.page
    learner.open("documents/incoming")
    for name in PAYLOADS:
        page.locator("input[name=q]").fill(fitted(name, SEARCH_LIMIT))
        learner.submit(page.locator("form[role=search] button[type=submit]"), status=200)
        expect(page.locator("input[name=q]")).to_have_value(fitted(name, SEARCH_LIMIT))


def test_refused_long_comment_is_shown_back_inert(app: Flask, learner: Learner) -> None:
    """Past the limit (the textarea's maxlength taken off, as a forger would), the form
    comes back with a 400 and an error, the typed text kept in the textarea, inert."""
    [(document_id, _status), *_] = open_documents(app, DocumentStatus.REGISTERED)
    page = learner.page
    learner.open(f"documents/incoming/{document_id}")
    too_long = (PAYLOADS["out of a textarea"] + long_text(NOTE_LIMIT))[:NOTE_LIMIT + 1]
    box = page.locator("#comment textarea[name=body]")
    box.evaluate("textarea => textarea.removeAttribute('maxlength')")
    box.fill(too_long)
    learner.submit(page.locator("#comment button[type=submit]"), status=400)
    expect(page.locator("#comment .field-error")).to_have_count(1)
    expect(page.locator("#comment textarea[name=body]")).to_have_value(too_long)
    expect(page.locator("#history blockquote")).to_have_count(0)


# --- outgoing documents --------------------------------------------------------------------


def recipient_lines(name: str) -> list[str]:
    """One line per recipient: the payload, or for the long one 15 long lines."""
    if name == LONG:
        return [long_text(RECIPIENT_LINE_LIMIT - 5)] * 15
    return [PAYLOADS[name]]


def test_outgoing_fields_and_return_comments_render_inert(learner: Learner) -> None:
    """A draft per payload (summary, content, recipients), submitted, then returned with
    the payload as the comment; shown on the detail page, the revise form and the list."""
    page = learner.page
    summaries = []
    for name in PAYLOADS:
        summary, body = fitted(name, SUMMARY_LIMIT), fitted(name, BODY_LIMIT)
        recipients, comment = "\n".join(recipient_lines(name)), fitted(name, NOTE_LIMIT)
        learner.open("documents/outgoing/new")
        page.locator("textarea[name=summary]").fill(summary)
        page.locator("textarea[name=body]").fill(body)
        page.locator("textarea[name=recipients]").fill(recipients)
        learner.submit(page.locator("main form.stacked button[type=submit]"))
        learner.submit(page.locator("#steps form[action$='/submit'] button"))
        page.locator("#steps textarea[name=comment]").fill(comment)
        learner.submit(page.locator("#steps form[action*='/return'] button"))
        fields = page.locator("table.fields td")
        assert summary in fields.all_text_contents()
        assert comment in fields.all_text_contents()
        history_comments = page.locator("#history blockquote")
        expect(history_comments).to_have_count(1)
        assert_literal(history_comments.text_content() or "", comment)
        summaries.append(summary)

        learner.submit(page.locator("#steps a[href$='/edit']"), status=200)
        expect(page.locator("textarea[name=body]")).to_have_value(body)
        expect(page.locator("textarea[name=summary]")).to_have_value(summary)
        expect(page.locator("textarea[name=recipients]")).to_have_value(recipients)
        returned = page.locator("main .flash-warning")
        expect(returned).to_have_count(1)
        assert (returned.text_content() or "").endswith(" " + comment)
    learner.open("documents/outgoing")
    listed = page.locator("table.documents td").all_text_contents()
    for summary in summaries:
        assert summary in listed
    visit_overview_pages(learner)


def test_refused_long_summary_is_shown_back_inert(learner: Learner) -> None:
    page = learner.page
    learner.open("documents/outgoing/new")
    too_long = (PAYLOADS["out of a textarea"] + long_text(SUMMARY_LIMIT))[:SUMMARY_LIMIT + 1]
    summary = page.locator("textarea[name=summary]")
    summary.evaluate("textarea => textarea.removeAttribute('maxlength')")
    summary.fill(too_long)
    page.locator("textarea[name=body]").fill(PAYLOADS["out of a textarea"])
    page.locator("textarea[name=recipients]").fill(PAYLOADS["script tag"])
    learner.submit(page.locator("main form.stacked button[type=submit]"), status=400)
    expect(page.locator("main .field-error")).to_have_count(1)
    expect(page.locator("textarea[name=summary]")).to_have_value(too_long)
    expect(page.locator("textarea[name=body]")).to_have_value(PAYLOADS["out of a textarea"])
    expect(page.locator("textarea[name=recipients]")).to_have_value(PAYLOADS["script tag"])
