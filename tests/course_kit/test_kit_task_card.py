"""The practical task card: the task, the link into the e-office, and "Check my work", which
asks a real e-office (the app served over HTTP on a loopback port, its hub faked) with the
kernel's hub token, and says done, what is missing, or why it could not ask. Nothing saved."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import ipywidgets as w
import pytest
import requests

from common.i18n import Language
from course_kit import task_card, widgets
from course_kit.task_card import (
    EOFFICE_URL_ENV,
    CheckOutcome,
    PracticalTask,
    check_task,
    eoffice_api_url,
    practical_task,
)
from sandbox_eoffice import create_app
from sandbox_eoffice.database import upgrade
from sandbox_eoffice.request_db import ENGINE_KEY
from tests.service_auth.fake_hub import PREFIX, make_fake_hub_auth
from tests.service_auth.live_server import LiveServers

REGISTER = "register-incoming-from-so-tai-chinh"
STEPS = ["Open <b>Văn bản đến</b>", "Find the document from Sở Tài chính", "Register it"]
API = "api/v1"
NOBODY_LISTENS = "http://127.0.0.1:1"  # port 1 on loopback: nothing listens there


@pytest.fixture(scope="session")
def migrated_eoffice_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated e-office database, copied for each test."""
    path = tmp_path_factory.mktemp("task-card-template") / "eoffice.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def eoffice(tmp_path_factory: pytest.TempPathFactory,
            migrated_eoffice_database: Path) -> Iterator[str]:
    """A fresh sandbox e-office over HTTP on 127.0.0.1 (a free port of its own), its hub
    faked (tests.service_auth.fake_hub: token-alice, token-bob...); its origin."""
    data = tmp_path_factory.mktemp("eoffice")
    shutil.copyfile(migrated_eoffice_database, data / "eoffice.sqlite")
    app = create_app({"TESTING": True, "DATA_DIR": str(data),
                      "DATABASE_URL": f"sqlite:///{data / 'eoffice.sqlite'}",
                      "SECRET_KEY": "test-only-" + secrets.token_hex(8), "URL_PREFIX": PREFIX,
                      "HUB_AUTH": make_fake_hub_auth()})
    servers = LiveServers(app, PREFIX)
    try:
        url = urlsplit(servers.serve("alice"))
        yield f"{url.scheme}://{url.netloc}"
    finally:
        servers.stop_all()
        app.extensions[ENGINE_KEY].dispose()


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, eoffice: str) -> Path:
    """A learner's kernel as the hub starts it (alice's server token, the hub's base URL, the
    e-office's address), working in the module's folder; that folder."""
    for name in ("JUPYTERHUB_PUBLIC_URL", "QUERY_STRING", "VOILA_PREHEAT", "ACADEMY_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "token-alice")
    monkeypatch.setenv(EOFFICE_URL_ENV, eoffice)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _card(task_id: str = REGISTER, language: Language = Language.ENGLISH) -> PracticalTask:
    return practical_task(task_id, "Register the document from Sở Tài chính", STEPS,
                          language=language)


def _press(card: PracticalTask) -> str:
    """Press "Check my work" as the browser does (the button's click event); the answer."""
    card.check_button.click()
    return card.result.value


def _register_finance_document(eoffice: str, token: str) -> None:
    """What the learner does in the e-office (through its API, with their token)."""
    api = f"{eoffice}{PREFIX}{API}"
    headers = {"Authorization": f"token {token}"}
    listing = requests.get(f"{api}/incoming", params={"status": "received", "page_size": 100},
                           headers=headers, timeout=30).json()
    [document] = [d for d in listing["items"] if d["issuing_agency"].startswith("Sở Tài chính")]
    response = requests.post(f"{api}/incoming/{document['id']}/register", headers=headers,
                             timeout=30)
    assert response.status_code == 200


def test_the_card_states_the_task_and_links_into_the_e_office(kernel: Path) -> None:
    card = _card()
    assert isinstance(card, w.VBox) and card.task_id == REGISTER
    assert card.url == "/services/eoffice/"
    shown = card.card.value
    assert 'href="/services/eoffice/"' in shown and 'target="_blank"' in shown
    assert 'rel="noopener"' in shown
    assert "Register the document from Sở Tài chính" in shown
    assert shown.count("<li") == len(STEPS) and "<b>Văn bản đến</b>" in shown
    assert "Practical task" in shown and "nothing to fill in" in shown
    # "Check my work" is a real <button>: reached with Tab, pressed with Enter or Space
    assert isinstance(card.check_button, w.Button) and card.check_button in card.children
    assert card.check_button.description == "Check my work" and card.check_button.tooltip
    assert card.result.value == ""  # nothing said before the learner asks


def test_check_my_work_says_what_is_missing_then_done(kernel: Path, eoffice: str) -> None:
    card = _card()
    answer = _press(card)
    assert "Not done yet. Still missing:" in answer
    assert ("<li>You have not registered the incoming document from Sở Tài chính in the "
            "register book yet.</li>") in answer
    assert "Checked at " in answer and 'role="status"' in answer
    _register_finance_document(eoffice, "token-alice")
    answer = _press(card)
    assert "Done ✓" in answer and "Still missing" not in answer
    # the card saved nothing: the task is graded from the e-office's evidence only
    assert list(kernel.iterdir()) == []


def test_each_learner_is_checked_on_their_own_agency(
    kernel: Path, eoffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register_finance_document(eoffice, "token-alice")
    assert check_task(REGISTER, Language.ENGLISH).outcome is CheckOutcome.DONE
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "token-bob")  # bob's kernel
    bobs = check_task(REGISTER, Language.ENGLISH)
    assert bobs.outcome is CheckOutcome.NOT_DONE and len(bobs.missing) == 1


@pytest.mark.parametrize(("token", "outcome", "said"), [
    ("", CheckOutcome.NOT_SIGNED_IN, "could not tell who you are"),  # not under the hub
    ("token-wrong", CheckOutcome.NOT_SIGNED_IN, "could not tell who you are"),  # 401
    ("token-outsider", CheckOutcome.REFUSED, "no access to the sandbox e-office"),  # 403
])
def test_a_token_the_e_office_does_not_take(
    kernel: Path, monkeypatch: pytest.MonkeyPatch, token: str, outcome: CheckOutcome,
    said: str
) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", token)
    card = _card()
    answer = _press(card)
    assert said in answer and 'role="alert"' in answer and "Done" not in answer
    assert check_task(REGISTER, Language.ENGLISH).outcome is outcome


def test_an_e_office_that_cannot_be_reached_is_said_plainly(
    kernel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EOFFICE_URL_ENV, NOBODY_LISTENS)
    answer = _press(_card())
    assert "The sandbox e-office cannot be reached right now." in answer
    assert 'role="alert"' in answer
    assert check_task(REGISTER, Language.ENGLISH).outcome is CheckOutcome.UNREACHABLE


def test_a_server_not_told_where_the_e_office_is(
    kernel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EOFFICE_URL_ENV)
    assert eoffice_api_url(REGISTER) is None
    assert "not told where the sandbox e-office is" in _press(_card())


def test_an_unknown_task_and_an_answer_that_is_not_the_checks(
    kernel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "does not know this task" in _press(_card("register-the-moon"))
    assert check_task("register-the-moon", Language.ENGLISH).outcome is \
        CheckOutcome.UNKNOWN_TASK
    # a hub under another base URL: the e-office is not at this path, its answer is no check
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/academy/")
    check = check_task(REGISTER, Language.ENGLISH)
    assert check.outcome is CheckOutcome.UNREADABLE and check.http_status == 404
    assert "an answer this page cannot read" in _press(_card())


def test_where_a_kernel_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL", raising=False)
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/academy")
    monkeypatch.setenv(EOFFICE_URL_ENV, "http://127.0.0.1:8101/")
    assert eoffice_api_url("a b/c") == (
        "http://127.0.0.1:8101/academy/services/eoffice/api/v1/tasks/a%20b%2Fc/check")
    # without the e-office's own address: the server's public one, when the hub has one
    monkeypatch.delenv(EOFFICE_URL_ENV)
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hoc.tinh.gov.vn/academy/user/an/")
    assert eoffice_api_url("t") == (
        "https://hoc.tinh.gov.vn/academy/services/eoffice/api/v1/tasks/t/check")
    for nothing in ("", "127.0.0.1:8101", "file:///etc/passwd"):
        monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", nothing)
        monkeypatch.setenv(EOFFICE_URL_ENV, nothing)
        assert eoffice_api_url("t") is None


def test_in_vietnamese(kernel: Path) -> None:
    card = _card(language=Language.VIETNAMESE)
    assert card.check_button.description == "Kiểm tra bài làm"
    assert "Mở văn phòng điện tử thực hành ↗" in card.card.value
    answer = _press(card)
    assert "Chưa xong. Còn thiếu:" in answer
    assert "<li>Bạn chưa vào sổ văn bản đến của Sở Tài chính.</li>" in answer


def test_the_card_follows_the_pages_language(
    kernel: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUERY_STRING", "lang=en")  # Voila's request: ...module.ipynb?lang=en
    assert practical_task(REGISTER, "t", []).language is Language.ENGLISH
    monkeypatch.delenv("QUERY_STRING")
    assert practical_task(REGISTER, "t", []).language is Language.VIETNAMESE


def test_notebooks_still_import_it_from_widgets() -> None:
    assert widgets.practical_task is task_card.practical_task
    assert widgets.PracticalTask is task_card.PracticalTask
    assert widgets.eoffice_url is task_card.eoffice_url
