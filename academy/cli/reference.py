"""Markdown reference of the `academy` command, from its own --help (docs/cli.md, by cog)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from academy.cli import main


def _commands(group: click.Group, prefix: list[str]):  # type: ignore[no-untyped-def]
    for name in sorted(group.commands):
        command = group.commands[name]
        yield [*prefix, name], command
        if isinstance(command, click.Group):
            yield from _commands(command, [*prefix, name])


def reference() -> str:
    runner = CliRunner()
    parts = []
    for path, _command in [([], main), *_commands(main, [])]:
        result = runner.invoke(main, [*path, "--help"], prog_name="academy", terminal_width=88)
        if result.exit_code != 0:
            raise RuntimeError(f"academy {' '.join(path)} --help failed: {result.output}")
        title = " ".join(["academy", *path])
        parts.append(f"\n## `{title}`\n\n```\n{result.output.rstrip()}\n```\n")
    return "".join(parts) + "\n"
