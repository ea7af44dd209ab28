"""The audit log's view for admins (/admin/audit, dashboards/admin.py): entries newest first,
filters by action, actor and dates, pages of 50, each entry's details readable and escaped,
and the hash chain's verdict on top (a tampered log shows where the chain breaks).

The view reads nothing but the audit log, so these tests give the app a data folder holding
only that (building site_for_dashboards.py's gradebooks would cost seconds a test)."""

from __future__ import annotations

import html as html_module
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from common.clock import VIETNAM_TZ
from common.i18n import LANGUAGE_COOKIE
from dashboards import admin
from dashboards.admin import AuditQuery, audit_page
from grading.audit import AuditAction, append_entry, read_entries
from installation.layout import DataLayout
from tests.dashboards.conftest import log_in, make_app
from tests.dashboards.site_for_dashboards import PREFIX

AUDIT = f"{PREFIX}/admin/audit"
HOSTILE_ACTOR = "<script>alert('actor')</script>"
HOSTILE_REASON = '<img src=x onerror="alert(1)">'


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Flask, DataLayout]]:
    """A data folder whose audit log has 6 entries (line: what):
    1 hoa exports (01/03), 2 an's export refused (02/03), 3 giang overrides (02/03 00:30
    Vietnam = 01/03 17:30 UTC), 4 minh regrades (03/03), 5 academy issues a certificate
    (04/03), 6 a hostile actor's refused override (05/03)."""
    layout = DataLayout.at(tmp_path)
    log = layout.audit_log_file
    append_entry(log, AuditAction.HR_EXPORT, "hoa", {
        "format": "xlsx", "out": "/srv/exports/ho-so.xlsx", "rows": 12, "agency": None,
        "courses": ["digital-signatures", "cybersecurity"], "since": "2026-01-15",
        "until": None, "via": "dashboards"}, at=_at(1))
    append_entry(log, AuditAction.HR_EXPORT_REFUSED, "an", {
        "reason": "role learner", "out": "/tmp/x.csv", "via": "cli"}, at=_at(2))
    append_entry(log, AuditAction.COMPLETION_OVERRIDE, "giang", {
        "user": "binh", "course": "digital-signatures", "completed": True,
        "reason": "Đã hoàn thành bài thực hành trên giấy",
        "at": "2026-03-01T17:30:00+00:00"}, at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    append_entry(log, AuditAction.REGRADE, "minh", {
        "course": "cybersecurity", "module": "cs02-phishing", "students": ["an", "dung"],
        "not_graded": []}, at=_at(3))
    append_entry(log, AuditAction.CERTIFICATE_ISSUE, "academy (grading)", {
        "certificate": "ABCD-EFGH-JKLM", "user": "dung", "course": "cybersecurity"},
        at=_at(4))
    append_entry(log, AuditAction.COMPLETION_OVERRIDE_REFUSED, HOSTILE_ACTOR, {
        "reason": HOSTILE_REASON, "<b>key</b>": "</td></tr><script>x()</script>"},
        at=_at(5))
    yield make_app(tmp_path), layout


def _client(app: Flask, language: str = "en") -> FlaskClient:
    client = log_in(app, "minh")
    client.set_cookie(LANGUAGE_COOKIE, language)
    return client


def _get(client: FlaskClient, query: str = "") -> str:
    response = client.get(AUDIT + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _lines(html: str) -> list[int]:
    """The audit log's line numbers of the entries shown, in the page's order."""
    return [int(n) for n in re.findall(r'<tr data-line="(\d+)"', html)]


def test_entries_newest_first_with_their_details_readable(
        site: tuple[Flask, DataLayout]) -> None:
    html = _get(_client(site[0]))
    assert _lines(html) == [6, 5, 4, 3, 2, 1]
    assert 'data-testid="chain-intact"' in html
    assert 'data-total="6"' in html
    export = html.split('<tr data-line="1"')[1].split("</tr>")[0]
    assert "01/03/2026 09:00" in export  # the entry's time, Vietnam time
    assert "Records exported" in export and "hoa" in export
    assert "<dt>Courses</dt><dd>digital-signatures, cybersecurity</dd>" in export
    assert "<dt>From</dt><dd>15/01/2026</dd>" in export  # a date, dd/mm/yyyy
    assert "<dt>To</dt><dd>—</dd>" in export  # nothing
    assert "<dt>Through</dt><dd>the academy&#39;s pages</dd>" in export
    override = html.split('<tr data-line="3"')[1].split("</tr>")[0]
    assert "02/03/2026 00:30" in override  # 17:30 UTC is past midnight in Vietnam
    assert "<dt>Recorded at</dt><dd>02/03/2026 00:30</dd>" in override
    assert "<dt>Completed</dt><dd>yes</dd>" in override
    assert "Đã hoàn thành bài thực hành trên giấy" in override
    regrade = html.split('<tr data-line="4"')[1].split("</tr>")[0]
    assert "<dt>Not graded</dt><dd>—</dd>" in regrade and "<dd>an, dung</dd>" in regrade


def test_hostile_actors_and_details_are_escaped(site: tuple[Flask, DataLayout]) -> None:
    html = _get(_client(site[0]))
    assert "<script>alert" not in html and "<script>x()" not in html
    assert "<img src=x" not in html and "<b>key</b>" not in html
    assert str(escape(HOSTILE_ACTOR)) in html
    assert str(escape(HOSTILE_REASON)) in html
    assert "&lt;b&gt;key&lt;/b&gt;" in html
    assert _lines(html) == [6, 5, 4, 3, 2, 1]  # the details' "</tr>" closed no row


@pytest.mark.parametrize(("query", "lines"), [
    ("?action=hr.export", [1]),  # that action exactly: its refusal has its own choice
    ("?action=hr.export.refused", [2]),
    ("?action=completion.override", [3]),
    ("?actor=GIANG", [3]),  # the username, any case
    ("?actor=+minh+", [4]),
    ("?actor=" + HOSTILE_ACTOR.replace("<", "%3C").replace(">", "%3E"), [6]),
    ("?since=2026-03-02", [6, 5, 4, 3, 2]),  # Vietnam dates: line 3 is on 02/03 there
    ("?until=2026-03-01", [1]),
    ("?since=2026-03-02&until=2026-03-03", [4, 3, 2]),
    ("?since=02/03/2026&until=02/03/2026", [3, 2]),  # typed dd/mm/yyyy
    ("?action=completion.override&actor=giang&since=2026-03-02", [3]),
    ("?actor=nobody", []),
])
def test_filters(site: tuple[Flask, DataLayout], query: str, lines: list[int]) -> None:
    html = _get(_client(site[0]), query)
    assert _lines(html) == lines
    assert f'data-total="{len(lines)}"' in html
    if not lines:
        assert 'data-testid="audit-empty"' in html


@pytest.mark.parametrize("query", [
    "?since=2026-03-05&until=2026-03-01", "?since=31/02/2026", "?action=system.shutdown",
    "?actor=" + "x" * 101])
def test_a_bad_filter_is_said_and_nothing_listed(site: tuple[Flask, DataLayout],
                                                 query: str) -> None:
    html = _get(_client(site[0]), query)
    assert 'class="errors"' in html
    assert _lines(html) == []
    assert 'data-testid="chain-intact"' in html  # the verdict does not depend on filters


def test_the_action_choices_are_every_audit_action_with_a_label(
        site: tuple[Flask, DataLayout]) -> None:
    html = _get(_client(site[0]))
    values = re.findall(r'<option value="([^"]*)"', html)
    assert values == ["", *[a.value for a in AuditAction]]
    assert set(admin.ACTION_LABELS) == set(AuditAction)


def test_pages_of_fifty_newest_first_keeping_the_filters(tmp_path: Path) -> None:
    log = DataLayout.at(tmp_path).audit_log_file
    start = datetime(2026, 3, 1, 8, 0, tzinfo=VIETNAM_TZ)
    for n in range(1, 121):
        action = AuditAction.CERTIFICATE_ISSUE if n % 2 else AuditAction.CERTIFICATE_REVOKE
        append_entry(log, action, "academy (grading)", {"n": n},
                     at=start + timedelta(minutes=n))
    client = _client(make_app(tmp_path))
    first = _get(client)
    assert _lines(first) == list(range(120, 70, -1))
    assert 'rel="next"' in first and 'rel="prev"' not in first
    third = _get(client, "?page=3")
    assert _lines(third) == list(range(20, 0, -1))
    assert 'rel="next"' not in third and 'rel="prev"' in third
    assert _lines(_get(client, "?page=4")) == []
    assert _lines(_get(client, "?page=0")) == _lines(first)
    # a filtered list pages through its own entries, and the links keep the filter
    revokes = _get(client, "?action=certificate.revoke")
    assert _lines(revokes) == list(range(120, 20, -2))
    following = re.search(r'<a rel="next" href="([^"]+)"', revokes)
    assert following is not None
    link = html_module.unescape(following.group(1))
    assert "action=certificate.revoke" in link and "page=2" in link
    assert _lines(_get(client, link.removeprefix(AUDIT))) == list(range(20, 0, -2))


@pytest.mark.parametrize("window", [1, 7, 20, 10_000])
def test_a_page_is_the_same_however_it_is_found(tmp_path: Path, window: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One pass with a ring buffer (near pages) or two passes (far pages): same page."""
    log = DataLayout.at(tmp_path).audit_log_file
    for n in range(1, 24):
        append_entry(log, AuditAction.REGRADE, f"trainer{n % 3}", {"n": n})
    monkeypatch.setattr(admin, "SINGLE_PASS_WINDOW", window)
    everything = list(reversed(list(read_entries(log))))
    for query in (AuditQuery(), AuditQuery(actor="trainer1")):
        matching = [e for e in everything if query.matches(e)]
        for page in range(1, 6):
            found = audit_page(log, query, page, per_page=5)
            assert found.entries == matching[(page - 1) * 5:page * 5], (window, page)
            assert found.total == len(matching)


def test_a_tampered_log_shows_where_the_chain_breaks(site: tuple[Flask, DataLayout]) -> None:
    app, layout = site
    lines = layout.audit_log_file.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[1])
    entry["actor"] = "hoa"  # someone rewrites who was refused
    lines[1] = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode() + b"\n"
    layout.audit_log_file.write_bytes(b"".join(lines))
    html = _get(_client(app))
    assert 'data-testid="chain-intact"' not in html
    assert 'data-testid="chain-broken" data-line="3"' in html  # the line after the change
    broken = html.split('data-testid="chain-broken"')[1].split("</section>")[0]
    assert "line 3" in broken and "does not follow the line before it" in broken
    assert 'role="alert"' in html.split('data-testid="chain-broken"')[0][-80:]
    # the entries are still listed; from the broken line on they are marked untrusted
    assert _lines(html) == [6, 5, 4, 3, 2, 1]
    assert re.search(r'<tr data-line="3" [^>]*class="untrusted breaks"', html)
    assert re.search(r'<tr data-line="6" [^>]*class="untrusted"', html)
    assert not re.search(r'<tr data-line="2" [^>]*class=', html)


def test_a_line_that_is_not_an_entry_breaks_the_chain_and_is_said(
        site: tuple[Flask, DataLayout]) -> None:
    app, layout = site
    with layout.audit_log_file.open("ab") as log:
        log.write(b"rm -rf / # not json\n")
    html = _get(_client(app))
    assert 'data-testid="chain-broken" data-line="7"' in html
    assert 'data-testid="audit-unreadable"' in html
    assert "line 7" in html


def test_no_log_yet(tmp_path: Path) -> None:
    html = _get(_client(make_app(tmp_path)))
    assert 'data-testid="chain-intact"' in html
    assert 'data-total="0"' in html and 'data-testid="audit-empty"' in html


def test_the_audit_log_in_vietnamese(site: tuple[Flask, DataLayout]) -> None:
    """Passes once the catalogue has /tmp/tr/admin.json merged."""
    html = _get(_client(site[0], "vi"))
    assert "Nhật ký kiểm toán" in html
    assert "Xuất dữ liệu hồ sơ đào tạo" in html  # Records exported
    assert "Chuỗi băm nguyên vẹn" in html  # Chain intact
