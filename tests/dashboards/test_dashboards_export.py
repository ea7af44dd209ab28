"""The export behind the dashboards' buttons (dashboards/records_export.py): the CLI's export
code (grading.installation_records.export_records) for the hub login, each format read back,
audited with via=dashboards, nothing left on disk; the roster's own refusal; CSRF."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from flask import Flask

from common.clock import vietnam_now
from common.roles import EXPORT_SCOPE
from grading.audit import AuditAction, read_entries
from grading.hr_export import FIELDS
from installation.layout import DataLayout
from tests.dashboards.conftest import log_in, make_app
from tests.dashboards.site_for_dashboards import DS, PREFIX, TAI_CHINH
from tests.service_auth import fake_hub

EXPORT = f"{PREFIX}/records/export"
HEADER = list(FIELDS)
ROWS = 6  # an, binh, chi in DS; an, chi, dung in cybersecurity


@pytest.fixture
def fresh_installation(installation: Path, tmp_path: Path) -> Path:
    """A copy of the module's installation (faster than building one per test)."""
    shutil.copytree(installation, tmp_path / "academy")
    return tmp_path / "academy"


@pytest.fixture
def app(fresh_installation: Path) -> Flask:
    """On a copy (exports write the audit log), without CSRF (tested on its own below)."""
    return make_app(fresh_installation, WTF_CSRF_ENABLED=False)


def _audit(app: Flask) -> list:
    layout: DataLayout = app.config["LAYOUT"]
    return list(read_entries(layout.audit_log_file, action="hr.export"))


def _read(fmt: str, data: bytes) -> list[list[str]] | list[dict]:
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
        return [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    return json.loads(data)


@pytest.mark.parametrize("username", ["hoa", "minh"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_hr_and_admin_export_every_format(app: Flask, username: str, fmt: str) -> None:
    client = log_in(app, username)
    response = client.post(EXPORT, data={"format": fmt})
    assert response.status_code == 200, response.get_data(as_text=True)
    day = vietnam_now().date()
    name = f"ho-so-dao-tao-{day:%Y%m%d}.{fmt}"
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.mimetype == {"csv": "text/csv", "json": "application/json",
                                 "xlsx": "application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet"}[fmt]
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_data()
    assert response.content_length == len(data)
    rows = _read(fmt, data)
    if fmt == "json":
        assert len(rows) == ROWS and list(rows[0]) == HEADER
        an_ds = next(r for r in rows if r["employee_id"] == "CB-1" and r["course_id"] == DS)
        assert an_ds["passed"] is True and an_ds["score"] == 9
    else:
        assert list(rows[0]) == HEADER and len(rows) == ROWS + 1
        an_ds = next(r for r in rows[1:] if r[0] == "CB-1" and r[6] == DS)
        assert an_ds[1] == "Nguyễn Văn An"
        assert an_ds[10] == (9 if fmt == "xlsx" else "9")  # XLSX cells are typed
    # audited as the CLI's export, with the door and the hub login
    [entry] = _audit(app)
    assert entry.action == AuditAction.HR_EXPORT
    assert entry.actor == username
    assert entry.details["via"] == "dashboards" and entry.details["format"] == fmt
    assert entry.details["rows"] == ROWS
    # the file and its private folder are gone once sent
    out = Path(entry.details["out"])
    assert out.name == name and not out.exists() and not out.parent.exists()


def test_the_filters_go_with_the_export(app: Flask) -> None:
    response = log_in(app, "hoa").post(EXPORT, data={
        "format": "json", "agency": TAI_CHINH, "course": DS, "since": "2026-03-01",
        "until": "31/03/2026"})
    assert response.status_code == 200
    rows = json.loads(response.get_data())
    assert [(r["employee_id"], r["course_id"]) for r in rows] == [("CB-1", DS)]
    [entry] = _audit(app)
    assert entry.details["agency"] == TAI_CHINH and entry.details["courses"] == [DS]
    assert (entry.details["since"], entry.details["until"]) == ("2026-03-01", "2026-03-31")


def test_a_hub_login_with_the_scope_but_not_the_roster_role_is_refused(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster decides too: an (a learner) holding the hub scope by mistake, and a hub
    user who is not in the roster at all ("admin" of the fake hub)."""
    monkeypatch.setitem(fake_hub.HUB_TOKENS, "token-an", fake_hub._user(
        "an", fake_hub.DASHBOARDS_ACCESS, EXPORT_SCOPE))
    for username, reason in (("an", "role learner"), ("admin", "not in the roster")):
        response = log_in(app, username).post(EXPORT, data={"format": "csv"})
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        assert "không cho phép xuất hồ sơ đào tạo" in html
        assert f"{username} may not export HR records ({reason})" in html
        assert "Content-Disposition" not in response.headers
    entries = _audit(app)
    assert [(e.action, e.actor, e.details["via"]) for e in entries] == [
        (AuditAction.HR_EXPORT_REFUSED, "an", "dashboards"),
        (AuditAction.HR_EXPORT_REFUSED, "admin", "dashboards")]
    assert not Path(entries[0].details["out"]).parent.exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"format": "pdf"}, "Hãy chọn một định dạng xuất: CSV, XLSX hoặc JSON."),
    ({}, "Hãy chọn một định dạng xuất"),
    ({"format": "csv", "since": "32/01/2026"}, "32/01/2026 không phải là một ngày"),
    ({"format": "csv", "since": "2026-03-10", "until": "2026-03-01"},
     "Khoảng thời gian bắt đầu ngày 10/03/2026"),
    ({"format": "csv", "course": "nope"}, "Không xuất được hồ sơ đào tạo."),
])
def test_a_bad_request_is_a_clear_page(app: Flask, data: dict[str, str], message: str) -> None:
    response = log_in(app, "hoa").post(EXPORT, data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_an_export_that_cannot_be_written_is_a_clear_page(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import grading.installation_records
    from grading.hr_export import ExportError

    def broken(*_args: object, **_kwargs: object) -> int:
        raise ExportError("cannot write /nowhere: disk full")

    monkeypatch.setattr(grading.installation_records, "write_records", broken)
    response = log_in(app, "hoa").post(EXPORT, data={"format": "xlsx"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Không xuất được hồ sơ đào tạo." in html and "disk full" in html


def test_csrf_is_enforced(fresh_installation: Path) -> None:
    app = make_app(fresh_installation)  # CSRF on, as in production
    client = log_in(app, "hoa")
    assert client.post(EXPORT, data={"format": "csv"}).status_code == 400
    assert _audit(app) == []
    # the dashboard's form carries the token
    html = client.get(f"{PREFIX}/hr/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(EXPORT, data={"format": "csv", "csrf_token": token})
    assert response.status_code == 200
    assert response.get_data().startswith(b"\xef\xbb\xbf")


def test_the_form_partial_renders_hidden_filters_and_a_button_per_format(app: Flask) -> None:
    with app.test_request_context(f"{PREFIX}/hr/"):
        from flask import render_template_string

        html = render_template_string(
            '{% with export_filters={"agency": "A & B", "course": "", "since": "2026-01-01"} %}'
            '{% include "records/_export_form.html" %}{% endwith %}')
        empty = render_template_string(
            '{% with export_filters={} %}{% include "records/_export_form.html" %}{% endwith %}')
    assert re.search(r'method="post" action="[^"]*/records/export"', html)
    assert '<input type="hidden" name="agency" value="A &amp; B">' in html
    assert '<input type="hidden" name="since" value="2026-01-01">' in html
    assert 'name="course"' not in html
    assert re.findall(r'<button type="submit" name="format" value="(\w+)"', html) == [
        "csv", "xlsx", "json"]
    assert 'name="csrf_token"' in empty and 'type="hidden" name="agency"' not in empty
