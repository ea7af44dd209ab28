"""The competency framework: the platform's competency codes, mapped to DigComp 2.2 and to
Vietnam's basic IT skills standard (Circular 03/2014/TT-BTTTT, IU01–IU06).

The data lives in ``grading/data/competencies.toml``; ``load_framework`` reads it and checks
it whole (DigComp's 5 areas, 21 competences and 8 levels in 4 groups; every platform code's
references exist), so a typo there is an error that names the entry, not a silent gap in a
learner's record.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "competencies.toml"

DIGCOMP_AREAS = 5
DIGCOMP_COMPETENCES = 21
DIGCOMP_LEVELS = 8
_PLATFORM_CODE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


class FrameworkError(ValueError):
    """The framework file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Label:
    en: str
    vi: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.vi


@dataclass(frozen=True)
class Level:
    level: int
    group: str
    group_label: Label


@dataclass(frozen=True)
class Competence:
    code: str  # "4.1"
    area: str  # "4"
    label: Label


@dataclass(frozen=True)
class PlatformCompetency:
    code: str  # "security.phishing"
    label: Label
    digcomp: tuple[str, ...]
    it_standard: tuple[str, ...]


@dataclass(frozen=True)
class Framework:
    name: str
    areas: Mapping[str, Label]
    competences: Mapping[str, Competence]
    levels: tuple[Level, ...]
    it_standard: Mapping[str, Label]
    platform: Mapping[str, PlatformCompetency]

    def competency(self, code: str) -> PlatformCompetency:
        """The platform competency `code`; KeyError naming the known codes otherwise."""
        try:
            return self.platform[code]
        except KeyError:
            known = ", ".join(sorted(self.platform))
            raise KeyError(f"unknown competency code {code!r} (known: {known})") from None


def _label(entry: Any, where: str) -> Label:
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key), str) and entry[key].strip() for key in ("en", "vi")
    ):
        raise FrameworkError(f"{where}: needs non-empty 'en' and 'vi' names")
    return Label(en=entry["en"], vi=entry["vi"])


def parse_framework(data: Mapping[str, Any], source: str) -> Framework:
    """The framework from the file's parsed TOML; FrameworkError says what and where."""
    areas = {code: _label(entry, f"{source}: areas.{code}")
             for code, entry in data.get("areas", {}).items()}
    if len(areas) != DIGCOMP_AREAS:
        raise FrameworkError(f"{source}: DigComp 2.2 has {DIGCOMP_AREAS} areas, "
                             f"the file has {len(areas)}")
    competences: dict[str, Competence] = {}
    for code, entry in data.get("competences", {}).items():
        area = code.split(".", 1)[0]
        if area not in areas or not re.fullmatch(r"\d\.\d", code):
            raise FrameworkError(f"{source}: competences.{code}: not a competence of a "
                                 "known area (codes look like 4.1)")
        competences[code] = Competence(code, area, _label(entry, f"{source}: competences.{code}"))
    if len(competences) != DIGCOMP_COMPETENCES:
        raise FrameworkError(f"{source}: DigComp 2.2 has {DIGCOMP_COMPETENCES} competences, "
                             f"the file has {len(competences)}")
    groups = {name: _label(entry, f"{source}: groups.{name}")
              for name, entry in data.get("groups", {}).items()}
    levels = []
    for index, entry in enumerate(data.get("levels", []), start=1):
        if entry.get("level") != index or entry.get("group") not in groups:
            raise FrameworkError(f"{source}: levels[{index}]: expected level {index} with a "
                                 f"group among {sorted(groups)}")
        levels.append(Level(index, entry["group"], groups[entry["group"]]))
    if len(levels) != DIGCOMP_LEVELS or len(groups) != DIGCOMP_LEVELS // 2:
        raise FrameworkError(f"{source}: DigComp 2.2 has {DIGCOMP_LEVELS} levels in "
                             f"{DIGCOMP_LEVELS // 2} groups")
    it_standard = {code: _label(entry, f"{source}: it_standard.{code}")
                   for code, entry in data.get("it_standard", {}).items()}
    platform: dict[str, PlatformCompetency] = {}
    for code, entry in data.get("platform", {}).items():
        where = f"{source}: platform.{code}"
        if not _PLATFORM_CODE.match(code):
            raise FrameworkError(f"{where}: codes look like 'security.phishing'")
        digcomp = tuple(entry.get("digcomp", ()))
        iu = tuple(entry.get("it_standard", ()))
        if not digcomp:
            raise FrameworkError(f"{where}: maps to no DigComp competence")
        unknown = [c for c in digcomp if c not in competences] + [
            c for c in iu if c not in it_standard]
        if unknown:
            raise FrameworkError(f"{where}: unknown references {unknown}")
        platform[code] = PlatformCompetency(code, _label(entry, where), digcomp, iu)
    name = str(data.get("framework", {}).get("name", ""))
    return Framework(name, areas, competences, tuple(levels), it_standard, platform)


@cache
def load_framework(path: Path = FRAMEWORK_FILE) -> Framework:
    """The framework file, read and checked (cached per path)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FrameworkError(f"{path}: {error}") from error
    return parse_framework(data, str(path))
