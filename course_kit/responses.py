"""Learners' answers, kept in `responses.json` beside the notebook.

Voila runs each page view in a fresh kernel, so widget state is gone when the learner
reloads the page or when nbgrader grades the submission. Every answer is therefore written
to a small JSON file in the kernel's working directory (the notebook's folder under Voila;
`autograded/<student>/<assignment>/` during `nbgrader autograde`, where the hidden tests
read it back through `course_kit.grading`).

File format (version 1)::

    {"version": 1,
     "answers": {"q1": {"value": "...", "saved_at": "2025-01-31T08:15:00+00:00"}}}

Writes are atomic (temporary file in the same folder + `os.replace`), and every write
re-reads the file first, so two open tabs of the same page do not wipe each other's answers.
A corrupt file never breaks the page: it is kept as `responses.json.corrupt-<time>` and the
store starts clean, with a message for the learner in `ResponseStore.notice`.

**Pages run before they are asked for.** A learner's server may run a module page's kernel
before the learner opens the page (`my_learning.module_kernels`: the page opens at once),
and the learner may have answered in another page since. Every widget that shows saved
answers registers itself (`show_saved_answers`); just before such a page is handed over, the
server runs `RELOAD_CODE` in its kernel, and each of them shows the file's answers again
(`reload_views`).
"""

from __future__ import annotations

import json
import logging
import os
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from common.files import atomic_write

from .i18n import gettext as _

FILENAME = "responses.json"
FORMAT_VERSION = 1

# Folders of an nbgrader course tree that belong to the trainer, not to a learner. Answers
# given while a trainer previews the notebook there must not land in a file that nbgrader
# would copy into the released assignment or over a learner's submission.
TRAINER_FOLDERS = frozenset({"source", "release"})


class ResponseStoreError(OSError):
    """The answers file could not be written (disk full, read-only folder...)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_path() -> Path:
    """`responses.json` in the current working directory (the notebook's folder)."""
    return Path.cwd() / FILENAME


def is_trainer_preview(folder: Path | None = None) -> bool:
    """True when the notebook runs inside an nbgrader `source/` or `release/` folder."""
    folder = Path.cwd() if folder is None else folder
    return folder.resolve().parent.name in TRAINER_FOLDERS


class ResponseStore:
    """Answers of one learner for one notebook, persisted to a JSON file.

    `persist=False` keeps answers in memory only (used for a trainer's preview).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, persist: bool = True):
        self.path = Path(path) if path is not None else default_path()
        self.persist = persist
        self.notice: str | None = None  # a message for the learner, e.g. after recovery
        self._memory: dict[str, dict[str, Any]] = {}

    # -- reading -----------------------------------------------------------------------
    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.persist:
            return dict(self._memory)
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.notice = _(
                "Your earlier answers could not be read ({reason}). "
                "You can keep working; ask your trainer if this message stays."
            ).format(reason=exc.strerror)
            return {}
        try:
            data = json.loads(raw)
            answers = data["answers"]
            if not isinstance(answers, dict) or not all(
                isinstance(v, dict) and "value" in v for v in answers.values()
            ):
                raise ValueError("unexpected structure")
        except (ValueError, KeyError, TypeError):
            self._set_aside_corrupt()
            return {}
        return answers

    def _set_aside_corrupt(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, backup)
        except OSError:
            backup = None
        self.notice = _(
            "Your saved answers file was damaged, so this page starts with empty answers: "
            "please answer again."
        )
        if backup is not None:
            self.notice += " " + _("A copy of the damaged file was kept as {name}.").format(
                name=backup.name
            )

    def answers(self) -> dict[str, Any]:
        """All saved answers, `{question id: value}`."""
        return {qid: entry["value"] for qid, entry in self._load().items()}

    def get(self, qid: str, default: Any = None) -> Any:
        entry = self._load().get(qid)
        return default if entry is None else entry["value"]

    def saved_at(self, qid: str) -> str | None:
        """ISO time (UTC) at which the answer to `qid` was last saved, or None."""
        entry = self._load().get(qid)
        return None if entry is None else entry.get("saved_at")

    # -- writing -----------------------------------------------------------------------
    def set(self, qid: str, value: Any) -> None:
        """Save one answer (JSON-serialisable value) with the current time."""
        json.dumps(value)  # fail early, before touching the file, on a bad value
        answers = self._load()
        answers[qid] = {"value": value, "saved_at": _now()}
        if self.persist:
            self._write(answers)
        else:
            self._memory = answers

    def clear(self, qid: str) -> None:
        """Forget the answer to ``qid`` (the learner emptied a text box): not answered."""
        answers = self._load()
        if answers.pop(qid, None) is None:
            return
        if self.persist:
            self._write(answers)
        else:
            self._memory = answers

    def _write(self, answers: dict[str, dict[str, Any]]) -> None:
        payload = json.dumps(
            {"version": FORMAT_VERSION, "answers": answers}, ensure_ascii=False, indent=1
        )
        try:
            # 0644: nbgrader's exchange copies the file on, for the grader to read
            atomic_write(self.path, payload, mode=0o644)
        except OSError as exc:
            raise ResponseStoreError(exc.errno, f"cannot save {self.path}: {exc}") from exc


_stores: dict[Path, ResponseStore] = {}


def get_store() -> ResponseStore:
    """The store of the current notebook (one per working directory and kernel)."""
    folder = Path.cwd()
    store = _stores.get(folder)
    if store is None:
        preview = is_trainer_preview(folder)
        store = ResponseStore(folder / FILENAME, persist=not preview)
        if preview:
            store.notice = _(
                "Trainer preview: this notebook is in the course's '{folder}/' folder, so "
                "answers are not saved here."
            ).format(folder=folder.resolve().parent.name)
        _stores[folder] = store
    return store


class SavedAnswersView(Protocol):
    """A widget that shows answers saved in the answers file."""

    def reload_answers(self) -> None:
        """Show the file's answers again, if they changed since shown; never save."""


_views: weakref.WeakSet[SavedAnswersView] = weakref.WeakSet()

#: What a learner's server runs in a module page's kernel before handing over a page it
#: ran earlier: a kernel that never imported the kit has nothing to reload.
RELOAD_CODE = (
    "__import__('sys').modules.get('course_kit.responses') is not None and "
    "__import__('sys').modules['course_kit.responses'].reload_views()"
)


def show_saved_answers(view: SavedAnswersView) -> None:
    """Register ``view`` for `reload_views` (held weakly: a closed widget drops out)."""
    _views.add(view)


def reload_views() -> None:
    """Every registered view shows the answers file as it is now. One that fails is
    logged (the kernel's log) and the others still reload."""
    for view in list(_views):
        try:
            view.reload_answers()
        except Exception:  # a widget callback's context: nothing above to catch it
            logging.getLogger("course_kit").exception("reloading answers failed")
