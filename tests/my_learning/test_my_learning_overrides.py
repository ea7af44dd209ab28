"""A trainer's completion override reaches the learner's My learning: the learner's server
asks the dashboards (a real app over HTTP on loopback, the fake hub answering tokens) with
its own token, gets only its learner's overrides, and the one completion rule applies them;
when the dashboards cannot be asked, the page keeps to the grades."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from common.roles import DASHBOARDS_URL_ENV
from course_kit.catalog import load_catalog
from grading.completion_overrides import append_override, new_override
from my_learning.overrides import fetch_overrides, overrides_url
from my_learning.progress import build_progress
from tests.dashboards.conftest import make_app
from tests.dashboards.site_for_dashboards import CYBER, DS, PREFIX, build_installation
from tests.service_auth.live_server import LiveServers


@pytest.fixture(scope="module")
def dashboards_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboards' own address (no prefix), on an installation where an's
    digital-signatures course is overridden to completed, then to not completed, and
    chi's cybersecurity to completed."""
    root = tmp_path_factory.mktemp("academy")
    layout = build_installation(root)
    for user, course, completed, reason in (
            ("an", DS, True, "Thi lại trên giấy, đạt"), ("chi", CYBER, True, "Miễn học"),
            ("an", DS, False, "Nhầm người")):
        append_override(layout.completion_overrides_file,
                        new_override(user, course, completed, reason, "giang"))
    servers = LiveServers(make_app(root), PREFIX)
    try:
        yield servers.serve("an").removesuffix(PREFIX)
    finally:
        servers.stop_all()


def _environ(url: str, token: str) -> dict[str, str]:
    return {DASHBOARDS_URL_ENV: url, "JUPYTERHUB_API_TOKEN": token, "JUPYTERHUB_BASE_URL": "/"}


def test_a_learner_gets_the_latest_override_of_each_of_their_courses_only(
        dashboards_url: str) -> None:
    mine = fetch_overrides("an", _environ(dashboards_url, "token-an"))
    assert list(mine) == [DS]
    assert (mine[DS].completed, mine[DS].reason, mine[DS].by) == (False, "Nhầm người", "giang")
    assert list(fetch_overrides("chi", _environ(dashboards_url, "token-chi"))) == [CYBER]
    assert fetch_overrides("binh", _environ(dashboards_url, "token-binh")) == {}


def test_without_an_answer_the_page_keeps_to_the_grades(dashboards_url: str) -> None:
    assert fetch_overrides("an", _environ(dashboards_url, "token-nobody")) == {}  # 401
    assert fetch_overrides("an", _environ("http://127.0.0.1:1", "token-an")) == {}
    assert fetch_overrides("an", {"JUPYTERHUB_API_TOKEN": "token-an"}) == {}  # not told where
    assert overrides_url({DASHBOARDS_URL_ENV: "http://127.0.0.1:9/",
                          "JUPYTERHUB_BASE_URL": "/academy/"}) == \
        "http://127.0.0.1:9/academy/services/dashboards/api/v1/me/completion-overrides"


def test_the_one_rule_applies_the_override(dashboards_url: str, tmp_path: Path) -> None:
    layout = build_installation(tmp_path / "academy")
    catalog = load_catalog(layout.catalog_dir)
    overrides = fetch_overrides("chi", _environ(dashboards_url, "token-chi"))
    courses = {c.course_id: c for c in build_progress([], [], catalog, tmp_path,
                                                      enrolled=[DS, CYBER],
                                                      overrides=overrides)}
    # nothing graded: the grades alone say "not completed"; the trainer's override says
    # completed, and the one rule follows it
    assert courses[CYBER].completed and courses[CYBER].completion.overridden
    assert not courses[DS].completed and courses[DS].override is None
