"""A trainer's class overview (dashboards/trainer.py) on site_for_dashboards' installation:
giang teaches digital-signatures, khoa cybersecurity (real nbgrader gradebooks, see the
docstring of tests/dashboards/site_for_dashboards.py). Each sees their own classes only,
filters them, asks the grading service to grade a module (a job, never twice at once, its
state as JSON), overrides a completion through the CLI's own code (audited, the certificate
queued to follow), and is refused another trainer's course; forms need their CSRF token."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grading.audit import read_entries
from grading.completion_overrides import load_overrides
from grading.grading_jobs import JobKind, JobOutcome, JobSpool, JobState
from installation.layout import DataLayout
from people.roster import load_roster, save_roster
from tests.dashboards.conftest import log_in, make_app
from tests.dashboards.site_for_dashboards import (
    CYBER,
    CYBER_MODULES,
    DS,
    DS_MODULE,
    NOI_VU,
    PREFIX,
    TAI_CHINH,
)

PAGE = f"{PREFIX}/trainer/"


def _page(client: FlaskClient, query: str = "") -> str:
    response = client.get(PAGE + query)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _rows(page: str, course: str) -> list[str]:
    """The usernames of the rows of a course's table, in order."""
    table = page.split(f'data-course="{course}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-username="([^"]+)"', table)


def _cells(page: str, username: str) -> dict[str, str]:
    """module -> status of a learner's cells."""
    row = page.split(f'<tr data-username="{username}">', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-module="([^"]+)" data-status="([^"]+)"', row))


def _row(page: str, username: str) -> str:
    return page.split(f'<tr data-username="{username}">', 1)[1].split("</tr>", 1)[0]


def _token(client: FlaskClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', _page(client))
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def writable(installation: Path, tmp_path: Path) -> tuple[Flask, DataLayout]:
    """The app on a copy of the module's installation, for a test that writes (a copy is
    much faster than building the gradebooks again)."""
    copy = shutil.copytree(installation, tmp_path / "academy")
    return make_app(copy), DataLayout.at(copy)


# --- what each trainer sees ---------------------------------------------------------------


def test_giang_sees_digital_signatures_learners_by_modules(
        login: Callable[[str], FlaskClient]) -> None:
    page = _page(login("giang"))
    assert 'class="wide"' in page
    assert _rows(page, DS) == ["an", "binh", "chi"]  # roster order, learners of the course
    assert f'data-course="{CYBER}"' not in page and "Phạm Văn Dũng" not in page  # khoa's
    assert _cells(page, "an") == {DS_MODULE: "graded"}
    assert _cells(page, "chi") == {DS_MODULE: "not-submitted"}
    an, binh = _row(page, "an"), _row(page, "binh")
    assert "CB-1" in an and "Nguyễn Văn An" in an and html.escape(TAI_CHINH) in an
    assert '<span class="score">9 / 10</span>' in an and "90%" in an
    assert '<span class="yes">' in an and '<span class="no">' in binh  # 9/10 ≥ 70 %; 3/10
    assert "1 / 1" in binh and "3 / 10 (30%)" in binh
    assert '<th scope="row">Nguyễn Văn An</th>' in an
    assert page.count('<th scope="col"') >= 9
    # the Vietnamese page (dashboards/translations, merged from /tmp/tr/trainer.json)
    assert "Chữ ký số trong hoạt động công vụ" in page
    assert "Đã chấm" in an and "Chưa nộp bài" in _row(page, "chi")
    assert "Chấm ngay" in page


def test_khoa_sees_the_manual_grading_waiting_and_formgrader_links(
        login: Callable[[str], FlaskClient]) -> None:
    page = _page(login("khoa"))
    assert _rows(page, CYBER) == ["an", "chi", "dung"]
    assert f'data-course="{DS}"' not in page
    assert _cells(page, "an") == {CYBER_MODULES[0]: "graded",
                                  CYBER_MODULES[1]: "waiting-for-manual-grading"}
    assert _cells(page, "dung") == dict.fromkeys(CYBER_MODULES, "graded")
    assert "19 / 20 (95%)" in _row(page, "dung")
    # formgrader: the course's, the module waiting for a manual grade, the learner's cell
    assert f'href="/services/{CYBER}/formgrader/"' in page
    assert f'href="/services/{CYBER}/formgrader/gradebook/{CYBER_MODULES[1]}"' in page
    assert f'href="/services/{CYBER}/formgrader/gradebook/{CYBER_MODULES[0]}"' not in page
    assert (f'href="/services/{CYBER}/formgrader/manage_students/an/{CYBER_MODULES[1]}"'
            in _row(page, "an"))
    # the e-office's campaign pages (its own access control)
    assert 'href="/services/eoffice/mail/campaigns"' in page
    assert 'href="/services/eoffice/mail/campaigns/metrics"' in page
    assert "Chờ chấm thủ công" in _row(page, "an")


def test_the_hub_base_url_follows_the_hub_prefix(installation: Path) -> None:
    from tests.service_auth.fake_hub import make_fake_hub_auth

    hub_auth = make_fake_hub_auth("dashboards")
    hub_auth.hub_prefix = "/academy/hub/"
    app = make_app(installation, HUB_AUTH=hub_auth)
    page = _page(log_in(app, "khoa"))
    assert f'href="/academy/services/{CYBER}/formgrader/"' in page
    assert 'href="/academy/services/eoffice/mail/campaigns"' in page


def test_filters_by_status_and_agency(login: Callable[[str], FlaskClient]) -> None:
    giang = login("giang")
    assert _rows(_page(giang, "?status=not-started"), DS) == ["chi"]
    assert _rows(_page(giang, "?status=completed"), DS) == ["an"]
    assert _rows(_page(giang, "?status=not-completed"), DS) == ["binh", "chi"]
    assert _rows(_page(giang, f"?agency={quote(NOI_VU)}"), DS) == ["binh", "chi"]
    page = _page(giang, f"?agency={quote(TAI_CHINH)}&status=not-started")
    assert _rows(page, DS) == [] and "Không có học viên nào" in page
    # the agencies present in the class are offered, the chosen ones selected
    page = _page(giang, f"?agency={quote(NOI_VU)}&status=completed")
    assert f'<option value="{NOI_VU}" selected>' in page
    assert '<option value="completed" selected>' in page
    # anything not offered is no filter
    assert _rows(_page(giang, "?status=bogus&agency=Nowhere"), DS) == ["an", "binh", "chi"]
    khoa = login("khoa")
    assert _rows(_page(khoa, "?status=waiting-for-manual-grading"), CYBER) == ["an"]
    assert _rows(_page(khoa, "?status=waiting-for-grading"), CYBER) == ["an"]


def test_a_trainer_without_a_course_sees_a_plain_message(
        writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    roster = [replace(p, courses=()) if p.username == "giang" else p
              for p in load_roster(layout.roster_file)]
    save_roster(layout.roster_file, roster)
    page = _page(log_in(app, "giang"))
    assert "<table" not in page and "Chấm ngay" not in page
    assert "chưa giảng dạy khóa học nào" in page


# --- grade now ------------------------------------------------------------------------------


def test_grade_now_queues_one_job_and_its_state_is_polled(
        writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    giang = log_in(app, "giang")
    url = f"{PREFIX}/trainer/{DS}/modules/{DS_MODULE}/grade"
    response = giang.post(url, data={"csrf_token": _token(giang)})
    assert response.status_code == 302 and response.location.endswith(f"#course-{DS}")
    spool = JobSpool.of(layout)
    [job] = spool.jobs()
    assert (job.kind, job.course_id, job.module_id, job.requested_by, job.state) == (
        JobKind.GRADE, DS, DS_MODULE, "giang", JobState.QUEUED)
    page = _page(giang)
    assert "Đã đưa vào hàng đợi" in page or "Đang chờ" in page  # the state, without JS
    assert f'data-job-url="{PREFIX}/trainer/jobs/{job.job_id}"' in page
    # asked again while queued: no second job
    giang.post(url, data={"csrf_token": _token(giang)})
    assert len(spool.jobs()) == 1
    # the JSON the page polls, as the grading service moves the job on
    status = giang.get(f"{PREFIX}/trainer/jobs/{job.job_id}")
    assert status.status_code == 200 and status.json["state"] == "queued"
    spool.claim(job.job_id)
    spool.report_progress(job.job_id, 1, 2)
    status = giang.get(f"{PREFIX}/trainer/jobs/{job.job_id}").json
    assert (status["state"], status["done"], status["total"], status["percent"]) == (
        "running", 1, 2, 50)
    assert status["active"] is True and status["message"]
    assert '<progress max="100" value="50"' in _page(giang)
    spool.finish(job.job_id, JobOutcome(submissions=2))
    status = giang.get(f"{PREFIX}/trainer/jobs/{job.job_id}").json
    assert status["state"] == "done" and status["active"] is False
    assert status["percent"] == 100 and "2" in status["message"]
    # done: the module may be graded again
    giang.post(url, data={"csrf_token": _token(giang)})
    assert len(spool.jobs()) == 2


def test_a_trainer_cannot_grade_or_poll_another_trainer_s_course(
        writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    giang = log_in(app, "giang")
    token = _token(giang)
    response = giang.post(f"{PREFIX}/trainer/{CYBER}/modules/{CYBER_MODULES[0]}/grade",
                          data={"csrf_token": token})
    assert response.status_code == 403
    response = giang.post(f"{PREFIX}/trainer/{DS}/modules/{CYBER_MODULES[0]}/grade",
                          data={"csrf_token": token})
    assert response.status_code == 404  # not a module of giang's course
    spool = JobSpool.of(layout)
    assert spool.jobs() == []
    khoa_job, _ = spool.request_grading(CYBER, CYBER_MODULES[0], "khoa")
    response = giang.get(f"{PREFIX}/trainer/jobs/{khoa_job.job_id}")
    assert response.status_code == 404 and response.json["status"] == 404
    assert giang.get(f"{PREFIX}/trainer/jobs/..%2F..%2Fsecrets").status_code == 404
    assert log_in(app, "khoa").get(f"{PREFIX}/trainer/jobs/{khoa_job.job_id}").status_code == 200


def test_csrf_is_required(writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    assert app.config.get("WTF_CSRF_ENABLED", True)
    giang = log_in(app, "giang")
    response = giang.post(f"{PREFIX}/trainer/{DS}/modules/{DS_MODULE}/grade")
    assert response.status_code == 400
    response = giang.post(f"{PREFIX}/trainer/{DS}/learners/binh/override",
                          data={"completed": "yes", "reason": "Học bù"})
    assert response.status_code == 400
    response = giang.post(f"{PREFIX}/trainer/{DS}/learners/binh/override",
                          data={"completed": "yes", "reason": "Học bù", "csrf_token": "forged"})
    assert response.status_code == 400
    assert JobSpool.of(layout).jobs() == []
    assert load_overrides(layout.completion_overrides_file) == {}


# --- completion overrides ------------------------------------------------------------------


def _override(client: FlaskClient, course: str, user: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"{PREFIX}/trainer/{course}/learners/{user}/override",
                       data={"csrf_token": _token(client), **data})


def test_an_override_needs_a_reason_and_says_why_it_is_refused(
        writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    giang = log_in(app, "giang")
    response = _override(giang, DS, "binh", completed="yes", reason="   ")
    assert response.status_code == 400
    row = _row(response.get_data(as_text=True), "binh")
    assert "<details class=\"override\" open>" in row and 'role="alert"' in row
    assert "Hãy nêu lý do" in row
    response = _override(giang, DS, "binh", reason="Học bù")  # neither yes nor no
    assert response.status_code == 400
    assert load_overrides(layout.completion_overrides_file) == {}
    # a learner not enrolled in the course: the CLI's check refuses it, and says so
    response = _override(giang, DS, "dung", completed="yes", reason="Nhầm lớp")
    assert response.status_code == 400
    assert "&#39;dung&#39; is not a learner enrolled in digital-signatures" in \
        response.get_data(as_text=True)
    [refused] = list(read_entries(layout.audit_log_file,
                                  action="completion.override.refused"))
    assert refused.actor == "giang" and refused.details["via"] == "dashboards"
    assert load_overrides(layout.completion_overrides_file) == {}
    assert JobSpool.of(layout).jobs() == []


def test_an_accepted_override_is_audited_and_the_certificate_queued(
        writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    giang = log_in(app, "giang")
    reason = "Hoàn thành ở lớp trực tiếp ngày 12/3"
    response = _override(giang, DS, "binh", completed="yes", reason=reason)
    assert response.status_code == 302
    override = load_overrides(layout.completion_overrides_file)[("binh", DS)]
    assert (override.completed, override.reason, override.by) == (True, reason, "giang")
    [entry] = list(read_entries(layout.audit_log_file, action="completion.override"))
    assert entry.actor == "giang" and entry.details["via"] == "dashboards"
    assert entry.details["user"] == "binh" and entry.details["reason"] == reason
    [job] = JobSpool.of(layout).jobs()
    assert (job.kind, job.course_id, job.username, job.requested_by, job.reason) == (
        JobKind.CERTIFICATES, DS, "binh", "giang", reason)
    page = _page(giang)
    binh = _row(page, "binh")
    assert '<span class="yes">' in binh and 'class="tag"' in binh  # completed, overridden
    assert _rows(_page(giang, "?status=overridden"), DS) == ["binh"]
    history = page.split('class="class overrides"', 1)[1].split("</table>", 1)[0]
    assert reason in history and "Trần Thị Bình" in history and "Đỗ Thị Giang" in history


def test_a_trainer_cannot_override_another_trainer_s_course(
        writable: tuple[Flask, DataLayout]) -> None:
    app, layout = writable
    giang = log_in(app, "giang")
    response = _override(giang, CYBER, "dung", completed="no", reason="Không đạt")
    assert response.status_code == 403
    assert load_overrides(layout.completion_overrides_file) == {}
    [refused] = list(read_entries(layout.audit_log_file,
                                  action="completion.override.refused"))
    assert refused.actor == "giang" and "may not override completions of" in \
        refused.details["refused"]
    assert _override(giang, CYBER, "dung", completed="no").status_code == 403
    assert JobSpool.of(layout).jobs() == []
