"""Interactive pieces a trainer puts in a course notebook; learners see them through Voila.

Every function returns an ipywidgets container: make it the last expression of a code cell
and Voila shows it. Answers are saved from kernel-side callbacks into `responses.json`
(see `course_kit.responses`), so they survive a page reload and reach nbgrader's grader.
Nothing here knows the correct answers: those live only in the hidden tests.

The question cards (single and multiple choice, true/false, ordering, matching, short text,
numeric, spot the signs) and question banks live in `course_kit.question_widgets`; this
module gives notebooks one place to import them from, with the digest explorer and the
practical task card (`course_kit.task_card`).
"""

from __future__ import annotations

import hashlib
from typing import Any

import ipywidgets as w

from .i18n import current_language, gettext
from .question_widgets import (  # noqa: F401 - notebooks import the widgets from here
    CSS,
    NOT_ANSWERED,
    SAVED,
    AnswerCard,
    Matching,
    Numeric,
    Ordering,
    Question,
    QuestionBank,
    ShortText,
    SpotTheSigns,
    Status,
    TrueFalse,
    matching,
    notice_widgets,
    numeric,
    ordering,
    question,
    question_bank,
    save_answer,
    short_text,
    spot_the_signs,
    status_html,
    true_false,
)
from .responses import ResponseStore, get_store, show_saved_answers

# the practical task card lives in course_kit.task_card; notebooks import it from here too
from .task_card import PracticalTask, eoffice_url, practical_task  # noqa: F401

#: The kit's one style sheet (the task card uses it too).
_CSS = CSS


# -- digest explorer -------------------------------------------------------------------

DIGEST_KEY = "digest-explorer"
#: Keys the widgets save for the learner's own use; grading ignores them.
UNGRADED_KEYS = frozenset({DIGEST_KEY})
DEFAULT_SENTENCE = "Sở Tài chính đề nghị UBND huyện chuyển 150.000.000 đồng trước ngày 15/3."


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hex_html(digest: str, other: str | None = None) -> str:
    """The digest in groups of 8, characters that differ from `other` highlighted."""
    parts = []
    for i, ch in enumerate(digest):
        if i and i % 8 == 0:
            parts.append(" ")
        if other is not None and other[i] != ch:
            parts.append(f'<span class="ck-diff">{ch}</span>')
        else:
            parts.append(ch)
    return f'<div class="ck-hex">{"".join(parts)}</div>'


def count_differences(a: str, b: str) -> int:
    return sum(1 for x, y in zip(a, b, strict=True) if x != y)


class DigestExplorer(w.VBox):
    """Two sentences and their SHA-256 digests, differing hex characters highlighted."""

    def __init__(self, store: ResponseStore, sentence: str = DEFAULT_SENTENCE):
        self.store = store
        self.sentence = sentence
        self._restoring = False
        saved = self._shown = store.get(DIGEST_KEY)
        notices = notice_widgets(store)
        self.language = current_language()
        original, changed = self._texts(saved)
        box = w.Layout(width="100%", height="64px")
        self.original = w.Textarea(value=original, layout=box, continuous_update=True)
        self.changed = w.Textarea(value=changed, layout=box, continuous_update=True)
        self.original_digest = w.HTML()
        self.changed_digest = w.HTML()
        self.verdict = w.HTML()
        self.status = w.HTML("")
        self.reset = w.Button(
            description=self.t("Reset the copy"), icon="undo", layout=w.Layout(width="auto")
        )
        self.reset.on_click(self._on_reset)
        self._last_original = original
        self._refresh(save=False)
        self._show_status(saved)
        self.original.observe(self._on_original, names="value")
        self.changed.observe(self._on_changed, names="value")
        label = '<div style="font-weight:600;margin-top:8px">{}</div>'
        super().__init__(
            [
                w.HTML(_CSS),
                *notices,
                w.HTML(
                    '<div style="font-size:16px;font-weight:600">'
                    f'{self.t("Try it: the digest of a sentence")}</div>'
                ),
                w.HTML(label.format(self.t("1. Original document"))),
                self.original,
                w.HTML(self.t("SHA-256 digest:")),
                self.original_digest,
                w.HTML(
                    label.format(
                        self.t(
                            "2. A copy: change just one character, e.g. 150 → 151 or a full "
                            "stop → a comma"
                        )
                    )
                ),
                self.changed,
                w.HTML(self.t("SHA-256 digest (differences highlighted):")),
                self.changed_digest,
                self.verdict,
                w.HBox(
                    [self.reset, self.status],
                    layout=w.Layout(align_items="center", flex_flow="row wrap", grid_gap="12px"),
                ),
            ],
            layout=w.Layout(width="100%", max_width="860px"),
        )
        self.add_class("ck-card")
        self.add_class("ck-digest")
        show_saved_answers(self)

    def _texts(self, saved: Any) -> tuple[str, str]:
        """The original and the copy to show: the saved ones, else the sentence twice."""
        if not isinstance(saved, dict):
            return self.sentence, self.sentence
        original = str(saved.get("original", self.sentence))
        return original, str(saved.get("changed", original))

    def _show_status(self, saved: Any) -> None:
        tried = isinstance(saved, dict) and saved.get("tried")
        self.status.value = (
            status_html(Status.SAVED, self.t("Saved ✓: you have tried this")) if tried else ""
        )

    def reload_answers(self) -> None:
        """Show the saved texts again if they changed since shown (another page); nothing
        is saved."""
        saved = self.store.get(DIGEST_KEY)
        if saved == self._shown:
            return
        self._shown = saved
        original, changed = self._texts(saved)
        self._restoring = True
        try:
            self.original.value = original
            self.changed.value = changed
        finally:
            self._restoring = False
        self._last_original = original
        self._refresh(save=False)
        self._show_status(saved)

    def t(self, message: str, **values: Any) -> str:
        text = gettext(message, self.language)
        return text.format(**values) if values else text

    def _refresh(self, *, save: bool) -> None:
        d1 = sha256_hex(self.original.value)
        d2 = sha256_hex(self.changed.value)
        self.original_digest.value = _hex_html(d1)
        self.changed_digest.value = _hex_html(d2, d1)
        n = count_differences(d1, d2)
        if self.original.value == self.changed.value:
            self.verdict.value = '<div style="color:#1b7a36">{}</div>'.format(self.t(
                "The two texts are identical, so the digests are identical too. Now change "
                "one character in the copy."
            ))
        else:
            self.verdict.value = '<div style="color:#7a2e00;font-weight:600">{}</div>'.format(
                self.t(
                    "{count} of 64 characters of the digest changed, although the text "
                    "differs only a little. The signature was made over the first digest, so "
                    "it no longer matches: the change is detected.",
                    count=n,
                )
            )
            if save:
                tried = {
                    "tried": True,
                    "original": self.original.value,
                    "changed": self.changed.value,
                    "differing_hex_chars": n,
                }
                if save_answer(self.store, DIGEST_KEY, tried, self.status, self.language):
                    self._shown = tried

    def _on_original(self, change: dict[str, Any]) -> None:
        if self._restoring:
            return
        # while the copy is untouched, keep it a copy
        if self.changed.value == self._last_original:
            self.changed.value = change["new"]  # triggers _on_changed -> refresh
        self._last_original = change["new"]
        self._refresh(save=True)

    def _on_changed(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        self._refresh(save=True)

    def _on_reset(self, _button: w.Button) -> None:
        self.changed.value = self.original.value


def digest_explorer(
    store: ResponseStore | None = None, sentence: str = DEFAULT_SENTENCE
) -> DigestExplorer:
    """Type a sentence, see its SHA-256 digest; change one character in a copy, compare."""
    return DigestExplorer(get_store() if store is None else store, sentence)
