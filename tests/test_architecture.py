"""The tree, docs/architecture.md, the README, pyproject.toml and import-linter agree."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def top_level_packages() -> set[str]:
    return {
        p.parent.name
        for p in REPO.glob("*/__init__.py")
        if p.parent.name not in {"tests", "build"} and not p.parent.name.startswith(".")
    }


def _table_packages(text: str, heading: str) -> set[str]:
    section = text.split(heading, 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    return set(re.findall(r"^\| `([a-z_]+)/` \|", section, re.M))


def test_architecture_doc_describes_every_package_and_nothing_else() -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert _table_packages(doc, "## Packages") == top_level_packages()


def test_readme_layout_lists_every_package() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = _table_packages(readme, "## Layout")
    assert top_level_packages() <= listed
    assert "courses" in listed and "tests" in listed


def test_pyproject_installs_and_checks_every_package() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    installed = {p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert installed == top_level_packages()
    assert set(config["tool"]["importlinter"]["root_packages"]) == top_level_packages()
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    in_layers = {name.strip() for layer in layers for name in layer.split("|")}
    assert in_layers == top_level_packages()
    assert layers[0] == "academy" and layers[-1] == "common"


def test_course_content_holds_no_code() -> None:
    assert list((REPO / "courses").rglob("*.py")) == []


def test_import_rules_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml")],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
