"""Interactive pieces a trainer puts in a course notebook; learners see them through Voila.

Every function returns an ipywidgets container: make it the last expression of a code cell
and Voila shows it. Answers are saved from kernel-side callbacks into `responses.json`
(see `course_kit.responses`), so they survive a page reload and reach nbgrader's grader.
Nothing here knows the correct answers: those live only in the hidden tests.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import ipywidgets as w

from common.clock import to_vietnam

from .responses import ResponseStore, ResponseStoreError, get_store

SAVED = "Saved ✓ (Đã lưu)"
NOT_ANSWERED = "Not answered yet (Chưa trả lời)"

# Long option texts must wrap instead of being cut off; widgets carry the class `ck-card`.
_CSS = """<style>
.ck-card { border: 1px solid #c9d3e0; border-radius: 8px; padding: 12px 16px;
  margin: 10px 0; background: #fbfcfe; }
.ck-card .widget-radio-box label, .ck-card .jupyter-widget-radio-box label {
  display: flex; align-items: flex-start; height: auto; line-height: 1.45;
  white-space: normal; padding: 4px 0; }
.ck-card .widget-radio-box input, .ck-card .jupyter-widget-radio-box input {
  float: none; order: -1; flex: 0 0 auto; height: auto; margin: 3px 10px 0 1px; }
.ck-card .widget-checkbox, .ck-card .jupyter-widget-checkbox { height: auto; }
.ck-card .widget-checkbox label, .ck-card .jupyter-widget-checkbox label {
  display: flex; align-items: flex-start; height: auto; line-height: 1.45;
  white-space: normal; overflow: visible; padding: 4px 0; }
.ck-card .widget-checkbox input, .ck-card .jupyter-widget-checkbox input {
  order: -1; flex: 0 0 auto; margin: 3px 10px 0 1px; }
.ck-card .widget-checkbox span, .ck-card .jupyter-widget-checkbox span {
  white-space: normal; overflow: visible; text-overflow: clip; }
.ck-card .widget-html-content { line-height: 1.5; }
.ck-card textarea { font-family: inherit; font-size: 15px; line-height: 1.4; }
.ck-status-ok { color: #1b7a36; font-weight: 600; }
.ck-status-wait { color: #6b7280; }
.ck-status-error { color: #b42318; font-weight: 600; }
.ck-notice { background: #fff4e5; border-left: 4px solid #f59e0b; padding: 6px 10px; }
.ck-hex { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 15px;
  letter-spacing: 0.5px; word-break: normal; overflow-wrap: anywhere; }
.ck-hex .ck-diff { background: #ffd54f; color: #7a2e00; font-weight: 700; }
.ck-open { display: inline-block; background: #1d4ed8; color: #fff !important;
  padding: 9px 18px; border-radius: 6px; text-decoration: none !important; font-weight: 600; }
.ck-open:hover { background: #1e40af; }
</style>"""


def _status_html(kind: str, text: str) -> str:
    return f'<span class="ck-status-{kind}">{html.escape(text)}</span>'


def _time_label(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        when = to_vietnam(datetime.fromisoformat(iso))
    except ValueError:
        return ""
    return when.strftime(" at %H:%M, %d/%m/%Y")


def _notice_widgets(store: ResponseStore) -> list[w.Widget]:
    """The store's message (corrupt file recovered, trainer preview), shown once per page."""
    if not store.notice:
        return []
    text, store.notice = store.notice, None
    return [w.HTML(f'<div class="ck-notice">{html.escape(text)}</div>')]


def _save(store: ResponseStore, key: str, value: Any, status: w.HTML) -> bool:
    try:
        store.set(key, value)
    except ResponseStoreError:
        status.value = _status_html(
            "error",
            "Could not save your answer (Chưa lưu được). Please tell your trainer.",
        )
        return False
    status.value = _status_html("ok", SAVED)
    return True


def _normalise_options(options: Sequence[Any]) -> list[tuple[str, Any]]:
    """Options as (label, stored value) pairs; a plain string is both."""
    pairs: list[tuple[str, Any]] = []
    for opt in options:
        if isinstance(opt, str):
            pairs.append((opt, opt))
        else:
            label, value = opt
            pairs.append((str(label), value))
    if len(pairs) < 2:
        raise ValueError("a question needs at least two options")
    values = [v for _, v in pairs]
    if len(set(map(repr, values))) != len(values):
        raise ValueError("question options must be distinct")
    return pairs


class Question(w.VBox):
    """A knowledge-check question. `value` is the chosen option (or list, if multiple)."""

    def __init__(
        self, qid: str, prompt: str, options: Sequence[Any], *, multiple: bool, store: ResponseStore
    ):
        self.qid = qid
        self.multiple = multiple
        self.store = store
        self._pairs = _normalise_options(options)
        self._restoring = True
        saved = store.get(qid)
        notices = _notice_widgets(store)

        self.status = w.HTML(_status_html("wait", NOT_ANSWERED))
        hint = (
            "Choose all that apply (chọn tất cả đáp án đúng)"
            if multiple
            else "Choose one answer (chọn một đáp án)"
        )
        header = w.HTML(
            f'<div style="font-size:16px;font-weight:600;margin-bottom:2px">'
            f"{prompt}</div>"
            f'<div style="color:#4b5563;font-size:13px">{hint}</div>'
        )
        if multiple:
            chosen = set(map(repr, saved)) if isinstance(saved, list) else set()
            self.checkboxes = [
                w.Checkbox(
                    value=repr(value) in chosen,
                    description=label,
                    indent=False,
                    layout=w.Layout(width="100%"),
                )
                for label, value in self._pairs
            ]
            for box in self.checkboxes:
                box.observe(self._on_change, names="value")
            self.choice: w.Widget = w.VBox(self.checkboxes, layout=w.Layout(width="100%"))
        else:
            values = [v for _, v in self._pairs]
            initial = saved if saved in values else None
            self.choice = w.RadioButtons(
                options=self._pairs, value=initial, layout=w.Layout(width="100%")
            )
            self.choice.observe(self._on_change, names="value")
        if saved is not None:
            when = _time_label(store.saved_at(qid))
            self.status.value = _status_html("ok", f"{SAVED}: your earlier answer{when}")
        super().__init__(
            [w.HTML(_CSS), *notices, header, self.choice, self.status],
            layout=w.Layout(width="100%", max_width="860px"),
        )
        self.add_class("ck-card")
        self.add_class("ck-question")
        self._restoring = False

    @property
    def value(self) -> Any:
        if self.multiple:
            return [
                v for (_, v), box in zip(self._pairs, self.checkboxes, strict=True) if box.value
            ]
        return self.choice.value

    @value.setter
    def value(self, new: Any) -> None:
        if self.multiple:
            wanted = set(map(repr, new or []))
            for (_, v), box in zip(self._pairs, self.checkboxes, strict=True):
                box.value = repr(v) in wanted
        else:
            self.choice.value = new

    def _on_change(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        value = self.value
        if value is None:
            return
        _save(self.store, self.qid, value, self.status)


def question(
    qid: str,
    prompt: str,
    options: Sequence[Any],
    *,
    multiple: bool = False,
    store: ResponseStore | None = None,
) -> Question:
    """A knowledge-check question, saved to `responses.json` under `qid` on every change.

    `prompt` may contain simple HTML. `options` are strings, or (label, value) pairs when the
    saved value should differ from the text shown. With `multiple=True` the learner ticks
    checkboxes and the saved value is the list of ticked options, in the order given.

    The grader reads the id, the prompt and the options from the notebook without running it
    (`grading.answers`), so write them out literally. The explanation the learner reads in
    their feedback goes in the hidden test cell, with `course_kit.grading.explain`, so that
    nobody sees it before grading.
    """
    return Question(
        qid, prompt, options, multiple=multiple, store=get_store() if store is None else store
    )


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
        saved = store.get(DIGEST_KEY)
        notices = _notice_widgets(store)
        original = sentence
        changed = sentence
        if isinstance(saved, dict):
            original = str(saved.get("original", original))
            changed = str(saved.get("changed", original))
        box = w.Layout(width="100%", height="64px")
        self.original = w.Textarea(value=original, layout=box, continuous_update=True)
        self.changed = w.Textarea(value=changed, layout=box, continuous_update=True)
        self.original_digest = w.HTML()
        self.changed_digest = w.HTML()
        self.verdict = w.HTML()
        self.status = w.HTML("")
        self.reset = w.Button(
            description="Reset the copy", icon="undo", layout=w.Layout(width="auto")
        )
        self.reset.on_click(self._on_reset)
        self._last_original = original
        self._refresh(save=False)
        if isinstance(saved, dict) and saved.get("tried"):
            self.status.value = _status_html("ok", f"{SAVED}: you have tried this")
        self.original.observe(self._on_original, names="value")
        self.changed.observe(self._on_changed, names="value")
        label = '<div style="font-weight:600;margin-top:8px">{}</div>'
        super().__init__(
            [
                w.HTML(_CSS),
                *notices,
                w.HTML(
                    '<div style="font-size:16px;font-weight:600">Try it: the digest '
                    "(mã băm) of a sentence</div>"
                ),
                w.HTML(label.format("1. Original document (văn bản gốc)")),
                self.original,
                w.HTML("SHA-256 digest:"),
                self.original_digest,
                w.HTML(
                    label.format(
                        "2. A copy: change just one character, e.g. 150 → 151 or a full stop "
                        "→ a comma"
                    )
                ),
                self.changed,
                w.HTML("SHA-256 digest (differences highlighted):"),
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

    def _refresh(self, *, save: bool) -> None:
        d1 = sha256_hex(self.original.value)
        d2 = sha256_hex(self.changed.value)
        self.original_digest.value = _hex_html(d1)
        self.changed_digest.value = _hex_html(d2, d1)
        n = count_differences(d1, d2)
        if self.original.value == self.changed.value:
            self.verdict.value = (
                '<div style="color:#1b7a36">The two texts are identical, so the digests are '
                "identical too. Now change one character in the copy.</div>"
            )
        else:
            self.verdict.value = (
                f'<div style="color:#7a2e00;font-weight:600">{n} of 64 characters of the '
                "digest changed, although the text differs only a little. The signature "
                "was made over the first digest, so it no longer matches: the change is "
                "detected.</div>"
            )
            if save:
                _save(
                    self.store,
                    DIGEST_KEY,
                    {
                        "tried": True,
                        "original": self.original.value,
                        "changed": self.changed.value,
                        "differing_hex_chars": n,
                    },
                    self.status,
                )

    def _on_original(self, change: dict[str, Any]) -> None:
        # while the copy is untouched, keep it a copy
        if self.changed.value == self._last_original:
            self.changed.value = change["new"]  # triggers _on_changed -> refresh
        self._last_original = change["new"]
        self._refresh(save=True)

    def _on_changed(self, _change: dict[str, Any]) -> None:
        self._refresh(save=True)

    def _on_reset(self, _button: w.Button) -> None:
        self.changed.value = self.original.value


def digest_explorer(
    store: ResponseStore | None = None, sentence: str = DEFAULT_SENTENCE
) -> DigestExplorer:
    """Type a sentence, see its SHA-256 digest; change one character in a copy, compare."""
    return DigestExplorer(get_store() if store is None else store, sentence)


# -- practical task card ---------------------------------------------------------------


def eoffice_url(eoffice_path: str = "/services/eoffice/") -> str:
    """Absolute URL path of the sandbox e-office behind the hub (JUPYTERHUB_BASE_URL)."""
    if eoffice_path.startswith(("http://", "https://")):
        return eoffice_path
    base = os.environ.get("JUPYTERHUB_BASE_URL", "/") or "/"
    if not base.startswith("/"):
        base = "/" + base
    return base.rstrip("/") + "/" + eoffice_path.lstrip("/")


class PracticalTask(w.VBox):
    def __init__(self, task_id: str, title: str, steps: Sequence[str], url: str):
        self.task_id = task_id
        self.url = url
        items = "".join(f'<li style="margin:4px 0">{s}</li>' for s in steps)
        self.card = w.HTML(
            f'<div style="font-size:13px;color:#1d4ed8;font-weight:700;letter-spacing:.5px">'
            f"PRACTICAL TASK (BÀI THỰC HÀNH)</div>"
            f'<div style="font-size:17px;font-weight:600;margin:4px 0 8px">{title}</div>'
            f"<div>Do this in the <b>sandbox e-office</b> (hệ thống quản lý văn bản và điều hành "
            f"- bản thực hành). It is a practice copy: nothing you do there reaches a real "
            f"agency.</div>"
            f'<ol style="margin:8px 0 8px 0;padding-left:22px">{items}</ol>'
            f'<div style="margin:10px 0">'
            f'<a class="ck-open" href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener">Open the sandbox e-office ↗ (Mở hệ thống thực hành)</a></div>'
            f'<div style="color:#374151">It opens in a new browser tab; keep this page open and '
            f"come back here when you are done.</div>"
            f'<div class="ck-notice" style="margin-top:8px"><b>How this is graded:</b> from '
            f"what you actually do in the sandbox e-office (its activity record), not from "
            f"anything typed on this page. There is nothing to fill in here. When you submit "
            f"this module, the grader checks that the task has been done.</div>"
        )
        super().__init__(
            [w.HTML(_CSS), self.card], layout=w.Layout(width="100%", max_width="860px")
        )
        self.add_class("ck-card")
        self.add_class("ck-task")


def practical_task(
    task_id: str, title: str, steps: Sequence[str], eoffice_path: str = "/services/eoffice/"
) -> PracticalTask:
    """A card describing a task in the sandbox e-office, with a button that opens it.

    `title` and `steps` may contain simple HTML. The task is graded by the academy's
    grader from the e-office's evidence API, through a task cell `practical-<task_id>`.
    """
    return PracticalTask(task_id, title, steps, eoffice_url(eoffice_path))
