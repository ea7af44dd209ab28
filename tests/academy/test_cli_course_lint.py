"""`academy course lint`: the catalogue of the checkout passes; a course with problems gets
them listed as FILE:CELL: MESSAGE and exit status 1.

The checks themselves, one deliberately broken module each, are in
tests/grading/test_grading_course_lint.py; this file runs the command in-process.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from academy.cli import main
from tests.grading.test_grading_course_lint import COURSE, EN, VALID, VI, write_course

REPO = Path(__file__).resolve().parents[2]
MISSING = "m3-missing"


def lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["course", "lint", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def courses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course with a valid module and one whose notebooks course.toml names wrongly."""
    folder = write_course(tmp_path / "courses", {VALID: False, MISSING: False})
    toml = folder / "course.toml"
    text = toml.read_text(encoding="utf-8")
    head, missing = text.split(f'id = "{MISSING}"')
    missing = missing.replace(f'notebook = "{VI}"', 'notebook = "khong-co.ipynb"').replace(
        f'notebook_en = "{EN}"\n', "")
    toml.write_text(head + f'id = "{MISSING}"' + missing, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # problems are shown relative to the working directory
    return tmp_path / "courses"


@pytest.mark.timeout(600)
def test_the_catalogue_has_no_problems() -> None:
    code, out, err = lint("--courses-dir", str(REPO / "courses"))
    assert code == 0, out + err
    assert out.strip().endswith("course(s): no problems")


@pytest.mark.timeout(300)
def test_a_valid_module_passes_with_a_summary(courses: Path) -> None:
    code, out, err = lint(COURSE, "--courses-dir", str(courses), "--module", VALID)
    assert code == 0, out + err
    assert out == "1 module(s) of 1 course(s): no problems\n"
    assert err.startswith(f"{COURSE}/{VALID}: ok (")


def test_problems_are_listed_with_file_and_cell_and_exit_1(courses: Path) -> None:
    code, out, err = lint("--courses-dir", str(courses), "--module", MISSING)
    assert code == 1
    assert out.splitlines() == [
        f"courses/{COURSE}/source/{MISSING}/khong-co.ipynb: no such notebook (course.toml "
        "names it)",
        f"courses/{COURSE}/course.toml:{MISSING}: no notebook_en: every module has an English "
        "version",
    ]
    first, last = err.splitlines()
    assert re.fullmatch(rf"{COURSE}/{MISSING}: 2 problem\(s\) \(\d+\.\d s\)", first)
    assert last == "2 problem(s) in 1 of 1 module(s)"


def test_unknown_course_is_an_error(courses: Path) -> None:
    code, _out, err = lint("nope", "--courses-dir", str(courses))
    assert code == 1
    assert "unknown course nope" in err and COURSE in err
