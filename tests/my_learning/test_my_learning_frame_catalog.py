"""course.toml's module fields for the two language versions and the estimated time:
``title_vi``, ``notebook_en``, ``minutes``; refused with a message naming the file, the
course and the module; course.toml files without them still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.i18n import Language
from course_kit.catalog import CatalogError, Module, load_catalog, load_course

REPO = Path(__file__).resolve().parents[2]

HEAD = """\
id = "cyber"
title = "Cybersecurity for civil servants"
title_vi = "An toàn thông tin cho cán bộ, công chức"
pass_percent = 70

[[modules]]
id = "cs01-passwords"
title = "Passwords, passphrases and MFA"
"""


def write(tmp_path: Path, module_lines: str) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(HEAD + module_lines, encoding="utf-8")
    return path


def test_the_new_fields_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, '''title_vi = "Mật khẩu, cụm mật khẩu và xác thực đa yếu tố"
notebook = "passwords.ipynb"
notebook_en = "passwords.en.ipynb"
minutes = 35
competencies = { "sign.use" = 2 }
''')
    (module,) = load_course(path).modules
    assert module == Module(
        id="cs01-passwords",
        title="Passwords, passphrases and MFA",
        notebook="passwords.ipynb",
        competencies=(("sign.use", 2),),
        title_vi="Mật khẩu, cụm mật khẩu và xác thực đa yếu tố",
        notebook_en="passwords.en.ipynb",
        minutes=35,
    )
    assert module.title_in(Language.VIETNAMESE) == "Mật khẩu, cụm mật khẩu và xác thực đa yếu tố"
    assert module.title_in(Language.ENGLISH) == "Passwords, passphrases and MFA"


def test_without_them_a_module_is_as_before(tmp_path: Path) -> None:
    (module,) = load_course(write(tmp_path, "")).modules
    assert (module.notebook, module.title_vi, module.notebook_en, module.minutes) == (
        "cs01-passwords.ipynb", "", "", None)
    # no Vietnamese title: the English one shows in both languages
    assert module.title_in(Language.VIETNAMESE) == "Passwords, passphrases and MFA"


def test_the_repository_catalogue_still_loads() -> None:
    courses = load_catalog(REPO / "courses")
    assert "digital-signatures" in courses
    assert all(m.notebook.endswith(".ipynb") for c in courses.values() for m in c.modules)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("minutes = 0\n", "minutes (the estimated time) must be a whole number of minutes "
                          "from 1 to 480, got 0"),
        ("minutes = 481\n", "from 1 to 480, got 481"),
        ('minutes = "30"\n', "got '30'"),
        ("minutes = 25.5\n", "got 25.5"),
        ("minutes = true\n", "got True"),
        ('title_vi = ""\n', "title_vi must be a non-empty text, got ''"),
        ("title_vi = 3\n", "title_vi must be a non-empty text, got 3"),
        ('notebook_en = "en/passwords.ipynb"\n',
         "notebook_en must be the file name of a notebook in the module's folder, like "
         "'lesson.ipynb', got 'en/passwords.ipynb'"),
        ('notebook_en = "passwords.en.md"\n', "got 'passwords.en.md'"),
        ('notebook_en = "..\\\\x.ipynb"\n', "notebook_en must be the file name"),
        ('notebook = "../other/passwords.ipynb"\n', "notebook must be the file name"),
        ('notebook = ".ipynb"\n', "notebook must be the file name"),
        ('notebook = "p.ipynb"\nnotebook_en = "p.ipynb"\n',
         "notebook_en must differ from notebook ('p.ipynb')"),
    ],
)
def test_bad_values_are_refused_naming_file_course_and_module(
    tmp_path: Path, lines: str, message: str
) -> None:
    path = write(tmp_path, lines)
    with pytest.raises(CatalogError) as info:
        load_course(path)
    text = str(info.value)
    assert text.startswith(f"{path}: course 'cyber', module 'cs01-passwords': "), text
    assert message in text


def test_a_module_without_title_or_with_a_path_as_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "course.toml"
    path.write_text(HEAD.replace('title = "Passwords, passphrases and MFA"\n', ""),
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="module 'cs01-passwords': missing field 'title'"):
        load_course(path)
    path.write_text(HEAD.replace('id = "cs01-passwords"', 'id = "../cs01"'), encoding="utf-8")
    with pytest.raises(CatalogError, match="the id names the module's folder"):
        load_course(path)
    path.write_text(HEAD + '\n[[modules]]\nid = "cs01-passwords"\ntitle = "Again"\n',
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="module id 'cs01-passwords' is used twice"):
        load_course(path)
