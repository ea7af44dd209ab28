"""Competency records (evidence, score, level reached, date) and module competency tags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from course_kit.catalog import CatalogError, Course, Module, load_catalog
from grading.competencies import load_framework
from grading.competency_records import (
    course_levels,
    format_levels,
    learner_competencies,
    load_checked_catalog,
)
from grading.completion import (
    CompletionOverride,
    CompletionSource,
    Score,
    course_completion,
)
from grading.gradebook_totals import ModuleResult

REPO = Path(__file__).resolve().parents[2]

SIGN = Course("sign", "Signatures", "Chữ ký số", 70, (
    Module("s1", "Why sign", "s1.ipynb", (("sign.use", 2),)),
    Module("s2", "Sign and verify", "s2.ipynb", (("sign.use", 3), ("sign.incidents", 2))),
    Module("s3", "Lost token", "s3.ipynb", (("sign.incidents", 4),)),
    Module("s4", "Quiz without tags", "s4.ipynb"),
))
MAX = {"s1": 10.0, "s2": 10.0, "s3": 10.0, "s4": 5.0}
ADVANCED = Course("sign-advanced", "Advanced", "", 80, (
    Module("a1", "Organisation certificates", "a1.ipynb", (("sign.use", 5),)),
))


def result(score: float, day: int, graded: bool = True) -> ModuleResult:
    return ModuleResult(score, graded, datetime(2026, 3, day, 20, 0))  # 03:00 next day, VN


def test_level_needs_every_module_at_that_level_or_above_graded_and_passing() -> None:
    # s1 (level 2) passes alone, but level 2 also needs s2 (level 3): not yet graded
    assert course_levels(SIGN, {"s1": result(10, 1)}, MAX) == {}
    results = {"s1": result(4, 1), "s2": result(8, 2)}
    # level 3: s2 alone, 8/10 >= 70 %; sign.incidents level 2 needs s2 and s3 (level 4)
    assert course_levels(SIGN, results, MAX) == {"sign.use": 3}
    results["s3"] = result(6, 3)
    # sign.incidents: level 4 needs s3 only (6/10 < 70 %); level 2: s2 + s3 = 14/20 = 70 %
    assert course_levels(SIGN, results, MAX) == {"sign.use": 3, "sign.incidents": 2}
    results["s2"] = result(6, 2)
    # sign.use level 3: 6/10 fails; level 2: s1 + s2 = 10/20 fails
    # sign.incidents level 2: s2 + s3 = 12/20 < 70 % as well
    assert course_levels(SIGN, results, MAX) == {}


def test_a_module_waiting_for_a_manual_grade_is_not_evidence() -> None:
    results = {"s1": result(10, 1), "s2": result(10, 2, graded=False)}
    assert course_levels(SIGN, results, MAX) == {}
    records = learner_competencies([(SIGN, results, MAX)])
    assert [e.module_id for e in records["sign.use"].evidence] == ["s1"]
    assert records["sign.incidents"].evidence == () and records["sign.incidents"].level == 0


def test_records_across_courses() -> None:
    sign = {"s1": result(9, 1), "s2": result(8, 2), "s3": result(9, 5), "s4": result(5, 6)}
    advanced = {"a1": result(7, 9)}  # 70 % < the course's 80 %: level 5 not reached
    records = learner_competencies([(SIGN, sign, MAX), (ADVANCED, advanced, {"a1": 10.0})])
    use = records["sign.use"]
    assert use.level == 3
    assert [(e.course_id, e.module_id, e.level) for e in use.evidence] == [
        ("sign", "s1", 2), ("sign", "s2", 3), ("sign-advanced", "a1", 5)]
    assert use.score == Score(24, 30)
    assert use.date == date(2026, 3, 10)  # latest evidence, Vietnam date (20:00 UTC + 7 h)
    incidents = records["sign.incidents"]
    assert (incidents.level, incidents.score, incidents.date) == (4, Score(17, 20),
                                                                  date(2026, 3, 6))
    assert list(records) == ["sign.use", "sign.incidents"]  # untagged s4 gives nothing
    advanced["a1"] = result(8, 9)
    records = learner_competencies([(SIGN, sign, MAX), (ADVANCED, advanced, {"a1": 10.0})])
    assert records["sign.use"].level == 5  # the highest level reached in any course


def test_format_levels() -> None:
    assert format_levels({"sign.use": 3, "sign.incidents": 2}) == "sign.use:3; sign.incidents:2"
    assert format_levels({}) == ""


def test_completion_rule_with_and_without_override() -> None:
    stamps = [datetime(2026, 3, 1, 18, 0), None]
    done = course_completion(Score(7, 10), True, 70, stamps)
    assert (done.completed, done.completion_date, done.source) == (
        True, date(2026, 3, 2), CompletionSource.GRADES)
    assert course_completion(Score(7, 10), False, 70, stamps).completed is False
    assert course_completion(Score(6.9, 10), True, 70, stamps).completion_date is None
    assert course_completion(Score(0, 0), True, 70, stamps).completed is False
    at = datetime(2026, 4, 30, 17, 30, tzinfo=UTC)  # 1 May in Vietnam
    yes = CompletionOverride("an", "sign", True, "Thi lại trên giấy", "giang", at)
    over = course_completion(Score(2, 10), False, 70, stamps, yes)
    assert (over.completed, over.completion_date, over.overridden) == (True, date(2026, 5, 1),
                                                                      True)
    no = CompletionOverride("an", "sign", False, "Gian lận", "giang", at)
    refused = course_completion(Score(10, 10), True, 70, stamps, no)
    assert (refused.completed, refused.completion_date, refused.override) == (False, None, no)


COURSE_TOML = """id = "sign"
title = "Signatures"
[[modules]]
id = "s1"
title = "Why sign"
competencies = {competencies}
"""


def write_course(tmp_path: Path, competencies: str) -> Path:
    (tmp_path / "sign").mkdir(exist_ok=True)
    path = tmp_path / "sign" / "course.toml"
    path.write_text(COURSE_TOML.format(competencies=competencies), encoding="utf-8")
    return path


def test_tags_are_read_in_order(tmp_path: Path) -> None:
    write_course(tmp_path, '{ "sign.use" = 3, "sign.incidents" = 2 }')
    course = load_checked_catalog(tmp_path)["sign"]
    assert course.modules[0].competencies == (("sign.use", 3), ("sign.incidents", 2))


@pytest.mark.parametrize(("tags", "message"), [
    ('{ "sign.usage" = 3 }', r"course 'sign', module 's1': unknown competency 'sign.usage' "
                             r"\(known: collab.meetings, .*sign.use"),
    ('{ "sign.use" = 9 }', r"module 's1': competency 'sign.use': level must be an integer "
                           r"from 1 to 8, got 9"),
    ('{ "sign.use" = 0 }', r"level must be an integer from 1 to 8, got 0"),
    ('{ "sign.use" = "3" }', r"level must be an integer from 1 to 8, got '3'"),
    ('{ "sign.use" = true }', r"level must be an integer from 1 to 8, got True"),
    ('{ "Sign Use" = 3 }', r"competency 'Sign Use' is not a code like 'sign.use'"),
    ('["sign.use"]', r"module 's1': competencies must be a table"),
])
def test_bad_tags_name_course_module_and_code(tmp_path: Path, tags: str, message: str) -> None:
    path = write_course(tmp_path, tags)
    with pytest.raises(CatalogError, match=message) as info:
        load_checked_catalog(tmp_path)
    assert str(path) in str(info.value)


def test_unknown_codes_are_only_checked_against_a_framework(tmp_path: Path) -> None:
    write_course(tmp_path, '{ "sign.usage" = 3 }')
    # the course kit alone (no framework given) accepts a well-formed code
    assert load_catalog(tmp_path)["sign"].modules[0].competencies == (("sign.usage", 3),)


def test_the_shipped_courses_are_tagged_with_framework_codes() -> None:
    catalog = load_checked_catalog(REPO / "courses")
    codes = load_framework().platform
    tagged = [m for c in catalog.values() for m in c.modules if m.competencies]
    assert tagged, "every shipped course declares the competencies its modules train"
    assert all(code in codes and 1 <= level <= 8
               for m in tagged for code, level in m.competencies)
    assert dict(catalog["digital-signatures"].modules[0].competencies)["sign.use"] >= 1
