"""Every CLI command and every HR export field is documented."""

from pathlib import Path

import click
from click.testing import CliRunner

from academy.cli import main
from grading.hr_export import FIELDS

REPO = Path(__file__).resolve().parents[2]


def _commands(group: click.Group, prefix: str = "academy"):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in main.commands:
        assert name in result.output


def test_readme_documents_every_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for full_name, command in _commands(main):
        if isinstance(command, click.Group):
            continue
        assert f"`{full_name}" in readme, f"{full_name} is not documented in README.md"


def test_every_export_field_is_documented():
    doc = (REPO / "docs" / "hr-export.md").read_text(encoding="utf-8")
    for field in FIELDS:
        assert f"`{field}`" in doc, f"export field {field} missing from docs/hr-export.md"


def test_unknown_command_exits_non_zero():
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code != 0 and "No such command" in result.output
