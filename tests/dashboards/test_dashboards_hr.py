"""The HR officer's records dashboard (dashboards/hr.py): charts with their text
alternatives, numbers as worked out by hand from tests/dashboards/site_for_dashboards.py,
filters, overdue and not started, the export form, and the per-process cache.

By hand: Sở Tài chính (an, dung) 3 enrolments, 2 completed (66,7%); Sở Nội vụ (binh, chi)
3 enrolments, none completed; each course 1 of 3 (33,3%); chi has started neither course.
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from nbgrader.api import Gradebook

from common.clock import vietnam_now
from dashboards.hr import dashboard_cache
from installation.layout import DataLayout
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

HR = f"{PREFIX}/hr/"


def _rows(html: str, testid: str) -> list[list[str]]:
    """The cells' text of a table's body rows (tags dropped, spaces squeezed)."""
    table = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', html, re.S)
    assert table, testid
    body = table.group(0).split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells])
    return rows


def _testid(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert found, testid
    return found.group(1).strip()


@pytest.fixture
def fresh_installation(installation: Path, tmp_path: Path) -> Path:
    """A copy of the module's installation (faster than building one per test)."""
    shutil.copytree(installation, tmp_path / "academy")
    return tmp_path / "academy"


@pytest.fixture
def hoa(login: Callable[[str], FlaskClient]) -> FlaskClient:
    return login("hoa")


def test_the_dashboard_shows_real_charts_with_text_alternatives(hoa: FlaskClient) -> None:
    response = hoa.get(HR)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<main class="wide">' in html
    assert "<h1>Hồ sơ đào tạo</h1>" in html
    for chart, table in (("chart-by-agency", "by-agency-table"),
                         ("chart-by-course", "by-course-table"),
                         ("chart-coverage", "coverage-table")):
        img = re.search(rf'<img data-testid="{chart}" src="data:image/svg\+xml;base64,'
                        r'([^"]+)" alt="([^"]+)" aria-describedby="([^"]+)"', html)
        assert img, chart
        svg = base64.b64decode(img.group(1)).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<script" not in svg
        assert img.group(2).startswith("Biểu đồ cột") or img.group(2).startswith(
            "Bản đồ nhiệt")
        assert img.group(3) == table and f'id="{table}"' in html
        assert re.search(rf'<details>\s*<summary>Xem số liệu</summary>\s*(<div[^>]*>\s*)?'
                         rf'<table class="numbers" id="{table}"', html), table
    agency_svg = base64.b64decode(re.search(
        r'data-testid="chart-by-agency" src="data:image/svg\+xml;base64,([^"]+)"',
        html).group(1)).decode("utf-8")
    # text stays text: the agencies and the numbers are words in the SVG
    assert TAI_CHINH in agency_svg and "66,7% (2/3)" in agency_svg
    assert "Tỷ lệ hoàn thành theo cơ quan" in agency_svg


def test_the_numbers_are_the_ones_worked_out_by_hand(hoa: FlaskClient) -> None:
    html = hoa.get(HR).get_data(as_text=True)
    assert [_testid(html, t) for t in ("learners", "enrolments", "completed",
                                       "completion-rate", "overdue-count",
                                       "not-started-count")] == ["4", "6", "2", "33,3%", "0",
                                                                 "2"]
    assert _rows(html, "table-by-agency") == [[NOI_VU, "3", "0", "0%"],
                                              [TAI_CHINH, "3", "2", "66,7%"]]
    assert _rows(html, "table-by-course") == [
        ["An toàn thông tin cho cán bộ, công chức", "3", "1", "33,3%"],
        ["Chữ ký số trong hoạt động công vụ", "3", "1", "33,3%"]]
    assert _rows(html, "table-coverage") == [
        [NOI_VU, "2", "0% (0)", "0% (0)", "0% (0)", "0% (0)"],
        [TAI_CHINH, "2", "50% (1)", "50% (1)", "100% (2)", "50% (1)"]]
    # the columns are the catalog's competencies, labelled from the framework file
    assert 'title="Ký số và kiểm tra chữ ký số trên văn bản điện tử">sign.use</abbr>' in html
    assert _rows(html, "not-started") == [
        ["Lê Thị Chi", "CB-3", NOI_VU, "An toàn thông tin cho cán bộ, công chức"],
        ["Lê Thị Chi", "CB-3", NOI_VU, "Chữ ký số trong hoạt động công vụ"]]
    assert 'data-testid="overdue-none"' in html


def test_in_english_the_decimal_mark_is_a_point(hoa: FlaskClient) -> None:
    hoa.get(f"{PREFIX}/language/en?next=/")
    html = hoa.get(HR).get_data(as_text=True)
    assert _testid(html, "completion-rate") == "33.3%"
    assert "<h1>Training records</h1>" in html


def test_the_agency_filter_narrows_everything(hoa: FlaskClient) -> None:
    response = hoa.get(HR, query_string={"agency": TAI_CHINH})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _rows(html, "table-by-agency") == [[TAI_CHINH, "3", "2", "66,7%"]]
    assert [_testid(html, t) for t in ("learners", "enrolments", "completed")] == [
        "2", "3", "2"]
    assert 'data-testid="not-started-none"' in html  # chi works for the other agency
    assert re.search(rf'<option value="{TAI_CHINH}" selected>', html)
    # the export buttons carry the filter
    form = re.search(r'<form class="records-export".*?</form>', html, re.S).group(0)
    assert f'<input type="hidden" name="agency" value="{TAI_CHINH}">' in form


def test_the_course_and_period_filters(hoa: FlaskClient) -> None:
    html = hoa.get(HR, query_string={"course": DS}).get_data(as_text=True)
    assert [r[0] for r in _rows(html, "table-by-course")] == ["Chữ ký số trong hoạt động công vụ"]
    assert re.findall(r'<abbr title="[^"]+">([^<]+)</abbr>', html) == ["edoc.handling",
                                                                     "sign.use"]
    # a period counts the completions in it (dung's 06/03/2026, not an's 02/03/2026);
    # dates as people write them here, or as a date field sends them
    for since in ("05/03/2026", "2026-03-05"):
        html = hoa.get(HR, query_string={"since": since}).get_data(as_text=True)
        assert [_testid(html, t) for t in ("enrolments", "completed")] == ["6", "1"]
        assert 'value="05/03/2026"' in html and 'data-testid="period-note"' in html
        form = re.search(r'<form class="records-export".*?</form>', html, re.S).group(0)
        assert '<input type="hidden" name="since" value="2026-03-05">' in form


@pytest.mark.parametrize(("query", "message"), [
    ({"since": "31/02/2026"}, '"Hoàn thành từ ngày": 31/02/2026 không phải là một ngày'),
    ({"until": "hôm qua"}, '"Hoàn thành đến ngày": hôm qua không phải là một ngày'),
    ({"since": "10/03/2026", "until": "01/03/2026"},
     "Khoảng thời gian bắt đầu ngày 10/03/2026, sau ngày kết thúc (01/03/2026)."),
    ({"agency": "Sở Không Có"}, "Không có học viên nào trong danh sách thuộc cơ quan Sở Không Có."),
    ({"course": "nope"}, "Danh mục không có khóa học nope."),
])
def test_a_bad_filter_is_a_clear_message_not_an_error(hoa: FlaskClient, query: dict[str, str],
                                                      message: str) -> None:
    response = hoa.get(HR, query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"')
    assert 'data-testid="filter-error"' in html and 'data-testid="summary"' not in html
    for value in query.values():  # what was typed stays in the form
        if "Sở" not in value and value != "nope":
            assert f'value="{value}"' in html


def test_filter_values_are_escaped(hoa: FlaskClient) -> None:
    html = hoa.get(HR, query_string={"since": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x" not in html and "&lt;script&gt;" in html


def _set_due(layout: DataLayout, course: str, module: str, due: datetime) -> None:
    with Gradebook(f"sqlite:///{layout.gradebook_file(course)}", course) as gb:
        gb.update_or_create_assignment(module, duedate=due)


@pytest.fixture
def venv_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def test_overdue_modules_from_the_trainers_due_dates(fresh_installation: Path,
                                                     venv_on_path: None) -> None:
    layout = DataLayout.at(fresh_installation)
    today = vietnam_now().replace(tzinfo=None)
    # nbgrader keeps due dates as naive UTC; 12:00 UTC is 19:00 the same day in Vietnam
    _set_due(layout, DS, DS_MODULE, (today - timedelta(days=10)).replace(hour=12))
    _set_due(layout, CYBER, CYBER_MODULES[1], (today - timedelta(days=3)).replace(hour=12))
    _set_due(layout, CYBER, CYBER_MODULES[0], today + timedelta(days=30))
    client = log_in(make_app(fresh_installation), "hoa")
    html = client.get(HR).get_data(as_text=True)
    assert _testid(html, "overdue-count") == "2"
    ds_due = f"{today - timedelta(days=10):%d/%m/%Y}"
    cs_due = f"{today - timedelta(days=3):%d/%m/%Y}"
    # ds01: only chi has not submitted; cs02: chi (an's waits for a grade, dung completed)
    assert _rows(html, "overdue") == [
        ["Lê Thị Chi", "CB-3", NOI_VU, "Chữ ký số trong hoạt động công vụ",
         "What a digital signature proves", ds_due, "10"],
        ["Lê Thị Chi", "CB-3", NOI_VU, "An toàn thông tin cho cán bộ, công chức", "Phishing",
         cs_due, "3"]]
    html = client.get(HR, query_string={"agency": TAI_CHINH}).get_data(as_text=True)
    assert 'data-testid="overdue-none"' in html


def test_a_repeated_view_is_served_from_the_cache_until_the_records_change(
        fresh_installation: Path, venv_on_path: None) -> None:
    app = make_app(fresh_installation)
    client = log_in(app, "hoa")
    cache = dashboard_cache(app)
    first = client.get(HR).get_data(as_text=True)
    computed = cache.computed
    again = client.get(HR).get_data(as_text=True)
    assert cache.computed == computed  # nothing computed again
    assert _testid(again, "computed-at") == _testid(first, "computed-at")
    client.get(HR, query_string={"agency": NOI_VU})
    assert cache.computed == computed + 1  # other filters: their own entry
    # a trainer grades: the gradebook's file changes, the view is computed again
    layout = DataLayout.at(fresh_installation)
    with Gradebook(f"sqlite:///{layout.gradebook_file(DS)}", DS) as gb:
        grade = gb.find_grade("q1", "nb", DS_MODULE, "binh")
        grade.manual_score = 8
        gb.db.commit()
    html = client.get(HR).get_data(as_text=True)
    assert cache.computed == computed + 2
    assert _rows(html, "table-by-course")[1][1:] == ["3", "2", "66,7%"]  # binh passed


def test_a_due_date_passing_ends_the_cached_view(fresh_installation: Path,
                                                 venv_on_path: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import dashboards.hr

    layout = DataLayout.at(fresh_installation)
    now = vietnam_now()
    due = now.replace(tzinfo=None) + timedelta(hours=1)  # naive: in an hour (UTC or not)
    _set_due(layout, DS, DS_MODULE, due - timedelta(hours=7))
    app = make_app(fresh_installation)
    client = log_in(app, "hoa")
    assert _testid(client.get(HR).get_data(as_text=True), "overdue-count") == "0"
    monkeypatch.setattr(dashboards.hr, "vietnam_now", lambda: now + timedelta(hours=2))
    assert _testid(client.get(HR).get_data(as_text=True), "overdue-count") == "1"


def test_unreadable_records_are_a_message(fresh_installation: Path) -> None:
    layout = DataLayout.at(fresh_installation)
    layout.gradebook_file(DS).write_bytes(b"not a gradebook" * 100)
    response = log_in(make_app(fresh_installation), "hoa").get(HR)
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert 'data-testid="records-error"' in html and "cannot read gradebook" in html


def test_the_cache_is_per_app(app: Flask, installation: Path) -> None:
    assert dashboard_cache(app) is dashboard_cache(app)
    assert dashboard_cache(make_app(installation)) is not dashboard_cache(app)
