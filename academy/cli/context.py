"""What every `academy` command receives: the installation it works on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from installation.layout import DataLayout

DEFAULT_COURSES = Path("courses")


class AcademyContext:
    def __init__(self, data_dir: Path) -> None:
        self.layout = DataLayout.at(data_dir)


pass_academy = click.make_pass_decorator(AcademyContext)


def courses_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--courses-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=lambda: os.environ.get("ACADEMY_COURSES_DIR", str(DEFAULT_COURSES)),
        show_default="$ACADEMY_COURSES_DIR or ./courses",
        help="Folder with the course sources (<course>/course.toml and <course>/source/).",
    )(f)
