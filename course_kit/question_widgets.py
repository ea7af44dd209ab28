"""The question cards learners answer, one class per kind, and the bank that draws them.

Every card is an ipywidgets ``VBox`` built from a ``QuestionSpec`` (the question as data,
``course_kit.questions.specs``): the prompt, a hint, the controls and a status line. On
every change the card saves its answer to ``responses.json`` through ``ResponseStore``
(an atomic write) and says so; a new page (a fresh kernel) shows the saved answer again.

Only native controls are used, so a card works the same in JupyterLab and in Voila and
from the keyboard: radio buttons and check boxes (Tab, arrows, Space), drop-downs and
text boxes labelled with ``<label for>`` (ipywidgets 8 links a control's ``description``
to it), and buttons (Tab, Enter or Space). ipywidgets 8 has no ``aria-pressed`` for a
toggle button (its ``ToggleButtonView`` only sets ``title`` and the ``mod-active`` class),
so a part marked in "spot the signs" also says so in its own text ("✓ …") and tooltip:
its state is never shown by colour alone.

Texts of the kit go through its gettext catalogue (``course_kit.i18n``) in the page's
language; the trainer's own texts (prompts, options) are shown as written.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

import ipywidgets as w

from common.clock import to_vietnam
from common.i18n import Language

from .i18n import N_, current_language, gettext
from .questions.draws import drawn_question_ids, learner_id, learner_order
from .questions.marking import format_number, parse_number
from .questions.registry import register_bank, register_question
from .questions.specs import (
    BankSpec,
    QuestionKind,
    QuestionSpec,
    bank_from_fields,
    spec_from_fields,
)
from .responses import ResponseStore, ResponseStoreError, get_store, show_saved_answers

SAVED = N_("Saved ✓")
NOT_ANSWERED = N_("Not answered yet")
SAVE_FAILED = N_("Could not save your answer. Please tell your trainer.")
TRUE = N_("True")
FALSE = N_("False")

# Long texts must wrap instead of being cut off; every card carries the class `ck-card`.
CSS = """<style>
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
.ck-card .widget-label { white-space: normal; overflow: visible; text-overflow: clip;
  height: auto; line-height: 1.4; }
.ck-card .widget-dropdown, .ck-card .widget-text { height: auto; align-items: center; }
.ck-card .widget-dropdown select { white-space: normal; }
.ck-card button:focus-visible, .ck-card select:focus-visible, .ck-card input:focus-visible {
  outline: 3px solid #1d4ed8; outline-offset: 2px; }
.ck-row { border-bottom: 1px dashed #dbe3ee; padding: 2px 0; }
.ck-doc { border: 1px solid #d1d5db; background: #fff; padding: 10px 14px; margin: 6px 0;
  font-size: 15px; }
.ck-doc .widget-toggle-button { height: auto; min-height: 28px; white-space: normal;
  text-align: left; max-width: 100%; margin: 1px 2px; border: 1px dashed #6b7280;
  background: #fffdf5; }
.ck-doc .widget-toggle-button.mod-active { border: 2px solid #b42318; background: #fde8e8;
  color: #7a1010; font-weight: 600; }
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


class Status(StrEnum):
    """What a card's status line says about the answer (its CSS class ``ck-status-…``)."""

    SAVED = "ok"
    NOT_ANSWERED = "wait"
    ERROR = "error"


def status_html(kind: Status, text: str) -> str:
    """The status line of a card, announced politely by screen readers (role=status)."""
    return f'<span class="ck-status-{kind.value}" role="status">{html.escape(text)}</span>'


def saved_earlier_text(store: ResponseStore, qid: str, language: Language) -> str:
    """The status of a restored answer: "Saved ✓: your earlier answer, at 08:15 on
    31/01/2026" (Vietnam time)."""
    iso = store.saved_at(qid)
    try:
        when = to_vietnam(datetime.fromisoformat(iso)) if iso else None
    except ValueError:
        when = None
    if when is None:
        return gettext("Saved ✓: your earlier answer", language)
    return gettext("Saved ✓: your earlier answer, at {time} on {date}", language).format(
        time=when.strftime("%H:%M"), date=when.strftime("%d/%m/%Y")
    )


def notice_widgets(store: ResponseStore) -> list[w.Widget]:
    """The store's message (corrupt file recovered, trainer preview), shown once per page."""
    if not store.notice:
        return []
    text, store.notice = store.notice, None
    return [w.HTML(f'<div class="ck-notice" role="alert">{html.escape(text)}</div>')]


def save_answer(store: ResponseStore, key: str, value: Any, status: w.HTML,
                language: Language | None = None, saved_text: str | None = None) -> bool:
    """Save one answer; the status line says whether it worked (never raises: this runs
    in a widget callback, where an exception would only reach the kernel's log)."""
    language = language or current_language()
    try:
        store.set(key, value)
    except ResponseStoreError:
        status.value = status_html(Status.ERROR, gettext(SAVE_FAILED, language))
        return False
    status.value = status_html(Status.SAVED, saved_text or gettext(SAVED, language))
    return True


def close_all(widget: w.Widget) -> None:
    """Close ``widget`` and every widget inside it (their comms end: the browser drops them)."""
    for child in getattr(widget, "children", ()):
        close_all(child)
    widget.close()


class AnswerCard(w.VBox):
    """One question: prompt, hint, controls, status. Subclasses build the controls from
    the spec and the saved answer (``_build``) and say what the answer is (``value``)."""

    hint: ClassVar[str] = ""
    kinds: ClassVar[tuple[QuestionKind, ...]] = ()

    def __init__(self, spec: QuestionSpec, store: ResponseStore,
                 number: tuple[int, int] | None = None):
        self.spec = spec
        self.qid = spec.qid
        self.store = store
        self.language = current_language()
        self._restoring = True
        saved = self._saved()
        notices = notice_widgets(store)
        self.status = w.HTML()
        self._controls = self._build(saved)
        self._show_status(saved)
        counter = ""
        if number is not None:
            counter = html.escape(self.t("Question {n} of {total}", n=number[0],
                                         total=number[1]))
            counter = f'<div style="color:#1d4ed8;font-size:13px;font-weight:700">{counter}</div>'
        header = w.HTML(
            f'{counter}<div style="font-size:16px;font-weight:600;margin-bottom:2px">'
            f"{spec.prompt}</div>"
            f'<div style="color:#4b5563;font-size:13px">{html.escape(self.hint_text())}</div>'
        )
        self._head: list[w.Widget] = [w.HTML(CSS), *notices, header]
        super().__init__(
            [*self._head, *self._controls, self.status],
            layout=w.Layout(width="100%", max_width="860px"),
        )
        self.add_class("ck-card")
        self.add_class("ck-question")
        self.add_class(f"ck-{spec.kind.value.replace('_', '-')}")
        register_question(spec)
        show_saved_answers(self)
        self._restoring = False

    def _saved(self) -> Any:
        """The saved answer, or None when there is none or the trainer has since changed
        the question so that it no longer fits (asked again). What the file held is kept
        as what this card shows (``_shown``), fitting or not."""
        saved = self._shown = self.store.get(self.qid)
        if saved is not None and self.spec.problem_with(saved) is not None:
            return None
        return saved

    def _show_status(self, saved: Any) -> None:
        if saved is None:
            self.status.value = status_html(Status.NOT_ANSWERED, self.t(NOT_ANSWERED))
        else:
            self.status.value = status_html(
                Status.SAVED, saved_earlier_text(self.store, self.qid, self.language)
            )

    def reload_answers(self) -> None:
        """Show the saved answer again when it is not the one this card shows (the learner
        answered in another page since this one was built): the controls are built anew
        from it, nothing is saved."""
        shown = self._shown
        if self.store.get(self.qid) == shown:
            return
        saved = self._saved()
        self._restoring = True
        try:
            old, self._controls = self._controls, self._build(saved)
            self.children = (*self._head, *self._controls, self.status)
            self._show_status(saved)
        finally:
            self._restoring = False
        for widget in old:
            close_all(widget)

    def t(self, message: str, **values: Any) -> str:
        """A kit text in the card's language."""
        text = gettext(message, self.language)
        return text.format(**values) if values else text

    def hint_text(self) -> str:
        return self.t(self.hint)

    def _build(self, saved: Any) -> list[w.Widget]:
        raise NotImplementedError

    @property
    def value(self) -> Any:
        raise NotImplementedError

    def _save(self, value: Any, saved_text: str | None = None) -> bool:
        if self._restoring:
            return False
        saved = save_answer(self.store, self.qid, value, self.status, self.language, saved_text)
        if saved:
            self._shown = value
        return saved

    def _forget(self) -> None:
        """The learner took the answer back (emptied the box): not answered."""
        if self._restoring:
            return
        try:
            self.store.clear(self.qid)
        except ResponseStoreError:
            self.status.value = status_html(Status.ERROR, self.t(SAVE_FAILED))
            return
        self._shown = None
        self.status.value = status_html(Status.NOT_ANSWERED, self.t(NOT_ANSWERED))

    def _learner_order(self, values: Sequence[Any], purpose: str,
                       by: Sequence[Any] | None = None) -> list[Any]:
        """``values`` in this learner's order, fixed by ``by`` (default: the values): give
        the option keys, never the labels, so that both language versions show the same
        order."""
        keys = [json.dumps(v, ensure_ascii=False) for v in (values if by is None else by)]
        return learner_order(list(values), keys, purpose, self.qid, learner_id())


class Question(AnswerCard):
    """Single or multiple choice. ``value`` is the chosen option (a list, if multiple)."""

    kinds = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

    @property
    def multiple(self) -> bool:
        return self.spec.multiple

    def hint_text(self) -> str:
        return self.t(N_("Choose all that apply") if self.multiple else N_("Choose one answer"))

    def _build(self, saved: Any) -> list[w.Widget]:
        pairs = list(zip(self.spec.labels, self.spec.options, strict=True))
        self._pairs = pairs
        shown = (self._learner_order(pairs, "options", by=[key for _, key in pairs])
                 if self.spec.shuffle else pairs)
        if self.multiple:
            chosen = {json.dumps(v) for v in saved} if isinstance(saved, list) else set()
            self._boxes = {
                json.dumps(value): w.Checkbox(
                    value=json.dumps(value) in chosen, description=label, indent=False,
                    layout=w.Layout(width="100%"),
                )
                for label, value in shown
            }
            self.checkboxes = [self._boxes[json.dumps(v)] for _, v in pairs]  # written order
            for box in self._boxes.values():
                box.observe(self._on_change, names="value")
            self.choice: w.Widget = w.VBox(list(self._boxes.values()),
                                           layout=w.Layout(width="100%"))
        else:
            self.choice = w.RadioButtons(
                options=shown, value=saved, layout=w.Layout(width="100%"),
                tooltip=self.hint_text(),
            )
            self.choice.observe(self._on_change, names="value")
        return [self.choice]

    @property
    def value(self) -> Any:
        if self.multiple:
            return [v for (_, v), box in zip(self._pairs, self.checkboxes, strict=True)
                    if box.value]
        return self.choice.value

    @value.setter
    def value(self, new: Any) -> None:
        if self.multiple:
            wanted = {json.dumps(v) for v in new or []}
            for (_, v), box in zip(self._pairs, self.checkboxes, strict=True):
                box.value = json.dumps(v) in wanted
        else:
            self.choice.value = new

    def _on_change(self, _change: dict[str, Any]) -> None:
        value = self.value
        if value is not None:
            self._save(value)


class TrueFalse(AnswerCard):
    """A statement the learner says is true or false; saved as ``true`` / ``false``."""

    kinds = (QuestionKind.TRUE_FALSE,)
    hint = N_("Choose true or false")

    def _build(self, saved: Any) -> list[w.Widget]:
        self.choice = w.RadioButtons(
            options=[(self.t(TRUE), True), (self.t(FALSE), False)],
            value=saved if isinstance(saved, bool) else None,
            orientation="horizontal", tooltip=self.hint_text(),
        )
        self.choice.observe(self._on_change, names="value")
        return [self.choice]

    @property
    def value(self) -> bool | None:
        return self.choice.value

    @value.setter
    def value(self, new: bool | None) -> None:
        self.choice.value = new

    def _on_change(self, _change: dict[str, Any]) -> None:
        if isinstance(self.value, bool):
            self._save(self.value)


class Ordering(AnswerCard):
    """Items to put in order with an Up and a Down button on each row.

    The rows stay where they are and their texts move, so the button just pressed keeps
    the keyboard focus. The items start in a per-learner order that is never the order
    the trainer wrote them in; "Keep this order" saves the order as shown."""

    kinds = (QuestionKind.ORDERING,)
    hint = N_("Put the items in order with the Up and Down buttons")

    def _build(self, saved: Any) -> list[w.Widget]:
        keys = list(self.spec.options)
        self._labels = dict(zip(self.spec.options, self.spec.labels, strict=True))
        if isinstance(saved, list):
            order = list(saved)
        else:
            order = self._learner_order(keys, "order")
            if order == keys:  # never start in the order written (it may be the key)
                order = order[1:] + order[:1]
        self.order: list[str] = order
        self.texts: list[w.HTML] = []
        self.up_buttons: list[w.Button] = []
        self.down_buttons: list[w.Button] = []
        rows = []
        last = len(keys) - 1
        for position in range(len(keys)):
            text = w.HTML(layout=w.Layout(flex="1 1 auto", width="auto"))
            up = w.Button(description=self.t("Up"), icon="arrow-up", disabled=position == 0,
                          layout=w.Layout(width="auto", flex="0 0 auto"))
            down = w.Button(description=self.t("Down"), icon="arrow-down",
                            disabled=position == last,
                            layout=w.Layout(width="auto", flex="0 0 auto"))
            up.on_click(lambda _b, p=position: self.move(p, -1))
            down.on_click(lambda _b, p=position: self.move(p, +1))
            self.texts.append(text)
            self.up_buttons.append(up)
            self.down_buttons.append(down)
            row = w.HBox([text, up, down], layout=w.Layout(align_items="center", width="100%"))
            row.add_class("ck-row")
            rows.append(row)
        self.keep = w.Button(description=self.t("Keep this order"), icon="check",
                             tooltip=self.t("Save the order as it is shown"),
                             layout=w.Layout(width="auto", margin="8px 0 0 0"))
        self.keep.on_click(lambda _b: self._save(list(self.order)))
        self._show()
        return [w.VBox(rows, layout=w.Layout(width="100%")), self.keep]

    def _show(self) -> None:
        for position, key in enumerate(self.order):
            label = self._labels[key]
            self.texts[position].value = (
                f"<b>{position + 1}.</b> {html.escape(label)}"
            )
            self.up_buttons[position].tooltip = self.t("Move “{item}” up", item=label)
            self.down_buttons[position].tooltip = self.t("Move “{item}” down", item=label)

    def move(self, position: int, step: int) -> None:
        """Swap the item at ``position`` with its neighbour above (-1) or below (+1)."""
        other = position + step
        if not 0 <= other < len(self.order):
            return
        self.order[position], self.order[other] = self.order[other], self.order[position]
        self._show()
        self._save(list(self.order))

    @property
    def value(self) -> list[str]:
        return list(self.order)


_UNCHOSEN = ""  # the drop-down's "— choose —" entry (item keys are never empty)


class Matching(AnswerCard):
    """Each item on the left gets one item of the right column, from a drop-down labelled
    with the left item; saved as ``{left key: right key}`` for the items matched so far."""

    kinds = (QuestionKind.MATCHING,)
    hint = N_("Choose a match for each item")

    def _build(self, saved: Any) -> list[w.Widget]:
        right = list(zip(self.spec.labels, self.spec.options, strict=True))
        shown = self._learner_order(right, "right", by=[key for _, key in right])
        choices = [(self.t("— choose —"), _UNCHOSEN), *shown]
        saved = saved if isinstance(saved, dict) else {}
        self.dropdowns: dict[str, w.Dropdown] = {}
        for key, label in zip(self.spec.left, self.spec.left_labels, strict=True):
            dropdown = w.Dropdown(
                options=choices, value=saved.get(key, _UNCHOSEN), description=label,
                style={"description_width": "45%"}, layout=w.Layout(width="100%"),
            )
            dropdown.observe(self._on_change, names="value")
            self.dropdowns[key] = dropdown
        return [w.VBox(list(self.dropdowns.values()), layout=w.Layout(width="100%"))]

    @property
    def value(self) -> dict[str, str]:
        return {k: d.value for k, d in self.dropdowns.items() if d.value != _UNCHOSEN}

    def _on_change(self, _change: dict[str, Any]) -> None:
        if self.value:
            self._save(self.value)
        else:
            self._forget()


class ShortText(AnswerCard):
    """A few words typed in a box, saved as typed (Unicode NFC) on every change; the
    grader compares them normalised (``course_kit.questions.marking.normalise_text``)."""

    kinds = (QuestionKind.SHORT_TEXT,)
    hint = N_("Type your answer")

    def _build(self, saved: Any) -> list[w.Widget]:
        self.text = w.Text(
            value=saved if isinstance(saved, str) else "",
            placeholder=self.spec.placeholder, description=self.t("Your answer"),
            continuous_update=True, style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        self.text.observe(self._on_change, names="value")
        return [self.text]

    @property
    def value(self) -> str | None:
        text = unicodedata.normalize("NFC", self.text.value)
        return text if text.strip() else None

    def _on_change(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        text = self.value
        if text is None:
            self._forget()
        elif len(text) > self.spec.max_length:
            self.status.value = status_html(Status.ERROR, self.t(
                "Too long: at most {limit} characters. Not saved.", limit=self.spec.max_length
            ))
        else:
            self._save(text)


class Numeric(AnswerCard):
    """A number typed in a box, read the Vietnamese or the English way
    (``parse_number``: "3,5", "1.500") and saved as a number; the status line shows how it
    was read."""

    kinds = (QuestionKind.NUMERIC,)
    hint = N_("Type a number; use a comma for decimals, e.g. 3,5")

    def _build(self, saved: Any) -> list[w.Widget]:
        shown = format_number(saved, self.language) if saved is not None else ""
        self.text = w.Text(
            value=shown, description=self.t("Your answer"), continuous_update=True,
            style={"description_width": "initial"}, layout=w.Layout(width="auto"),
        )
        self.text.observe(self._on_change, names="value")
        parts: list[w.Widget] = [self.text]
        if self.spec.unit:
            parts.append(w.HTML(html.escape(self.spec.unit)))
        return [w.HBox(parts, layout=w.Layout(align_items="center", grid_gap="8px"))]

    @property
    def value(self) -> int | float | None:
        return parse_number(self.text.value, self.language)

    def _on_change(self, _change: dict[str, Any]) -> None:
        if self._restoring:
            return
        if not self.text.value.strip():
            self._forget()
            return
        number = self.value
        if number is None:
            self.status.value = status_html(Status.ERROR, self.t(
                "“{text}” is not a number: type digits, with a comma for decimals (3,5). "
                "Not saved.", text=self.text.value.strip()
            ))
            return
        shown = f"{format_number(number, self.language)} {self.spec.unit}".strip()
        self._save(number, self.t("Saved ✓: read as {number}", number=shown))


class SpotTheSigns(AnswerCard):
    """A text (an email, a document) whose suspicious parts the learner marks: each part
    the trainer made markable is a toggle button in the text. Saved as the sorted ids of
    the marked parts."""

    kinds = (QuestionKind.SPOT_THE_SIGNS,)
    hint = N_("Click every suspicious part; click it again to unmark it")

    def _build(self, saved: Any) -> list[w.Widget]:
        chosen = set(saved) if isinstance(saved, list) else set()
        self.toggles: dict[str, w.ToggleButton] = {}
        self._texts: dict[str, str] = {}
        lines: list[list[w.Widget]] = [[]]
        for text, span in self.spec.segments:
            if span is None:
                for i, part in enumerate(text.split("\n")):
                    if i:
                        lines.append([])
                    if part:
                        lines[-1].append(w.HTML(html.escape(part).replace("  ", " &nbsp;")))
                continue
            toggle = w.ToggleButton(value=span in chosen, layout=w.Layout(width="auto"))
            self._texts[span] = text
            self._label(toggle, text)
            toggle.observe(lambda change, s=span: self._on_toggle(s), names="value")
            self.toggles[span] = toggle
            lines[-1].append(toggle)
        rows = [
            w.HBox(line or [w.HTML("&nbsp;")],
                   layout=w.Layout(flex_flow="row wrap", align_items="center"))
            for line in lines
        ]
        self.document = w.VBox(rows, layout=w.Layout(width="100%"))
        self.document.add_class("ck-doc")
        return [self.document]

    def _label(self, toggle: w.ToggleButton, text: str) -> None:
        if toggle.value:
            toggle.description = f"✓ {text}"
            toggle.tooltip = self.t("Marked as suspicious: click to unmark")
        else:
            toggle.description = text
            toggle.tooltip = self.t("Click to mark as suspicious")

    def _on_toggle(self, span: str) -> None:
        self._label(self.toggles[span], self._texts[span])
        self._save(self.value)

    @property
    def value(self) -> list[str]:
        return sorted(s for s, t in self.toggles.items() if t.value)


_CARDS: dict[QuestionKind, type[AnswerCard]] = {
    kind: card
    for card in (Question, TrueFalse, Ordering, Matching, ShortText, Numeric, SpotTheSigns)
    for kind in card.kinds
}


def card_for(spec: QuestionSpec, store: ResponseStore,
             number: tuple[int, int] | None = None) -> AnswerCard:
    """The card that asks ``spec``."""
    return _CARDS[spec.kind](spec, store, number)


class QuestionBank(w.VBox):
    """The questions of a bank drawn for this learner, in their order (slot 1 first)."""

    def __init__(self, bank: BankSpec, store: ResponseStore):
        self.bank = bank
        self.language = current_language()
        self.drawn = drawn_question_ids(bank, learner_id())
        total = len(self.drawn)
        self.cards = [
            card_for(bank.question(qid), store, (n, total))
            for n, qid in enumerate(self.drawn, start=1)
        ]
        intro = gettext(
            "These {count} questions were drawn for you from a bank of {size}: other "
            "learners get other questions, in another order.", self.language,
        ).format(count=total, size=len(bank.questions))
        register_bank(bank)
        super().__init__(
            [w.HTML(f'<div style="color:#374151;margin:6px 0">{html.escape(intro)}</div>'),
             *self.cards],
            layout=w.Layout(width="100%", max_width="860px"),
        )
        self.add_class("ck-bank")


def _spec(kind: QuestionKind, qid: str, prompt: str, **fields: Any) -> QuestionSpec:
    return spec_from_fields({"id": qid, "kind": kind, "prompt": prompt, **fields})


def _store(store: ResponseStore | None) -> ResponseStore:
    return get_store() if store is None else store


def question(
    qid: str,
    prompt: str,
    options: Sequence[Any],
    *,
    multiple: bool = False,
    shuffle: bool = False,
    store: ResponseStore | None = None,
) -> Question:
    """A single-choice question (radio buttons), or with ``multiple=True`` a multiple-choice
    one (check boxes, saved as the list of ticked options in the order written).

    ``prompt`` may contain simple HTML. ``options`` are texts, or (text, value) pairs when
    the saved value should differ from the text (use keys when the module has a Vietnamese
    and an English version, so both save the same answer). ``shuffle=True`` shows them in
    a per-learner order. The grader reads every argument without running the notebook, so
    write them out literally; the answer and the explanation go in the hidden test."""
    kind = QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE
    spec = _spec(kind, qid, prompt, options=options, shuffle=shuffle)
    return Question(spec, _store(store))


def true_false(qid: str, prompt: str, *, store: ResponseStore | None = None) -> TrueFalse:
    """A statement to judge true or false; saved as ``true`` or ``false``."""
    return TrueFalse(_spec(QuestionKind.TRUE_FALSE, qid, prompt), _store(store))


def ordering(
    qid: str, prompt: str, items: Sequence[Any], *, store: ResponseStore | None = None
) -> Ordering:
    """Steps to put in order ("the steps of issuing a document"); ``items`` are texts or
    (text, key) pairs; saved as the list of keys in the learner's order."""
    return Ordering(_spec(QuestionKind.ORDERING, qid, prompt, items=items), _store(store))


def matching(
    qid: str,
    prompt: str,
    left: Sequence[Any],
    right: Sequence[Any],
    *,
    store: ResponseStore | None = None,
) -> Matching:
    """Each ``left`` item gets one ``right`` item (the right column may hold extra
    distractors); both are texts or (text, key) pairs; saved as ``{left: right}``."""
    spec = _spec(QuestionKind.MATCHING, qid, prompt, left=left, right=right)
    return Matching(spec, _store(store))


def short_text(
    qid: str,
    prompt: str,
    *,
    placeholder: str = "",
    max_length: int = 200,
    store: ResponseStore | None = None,
) -> ShortText:
    """A short typed answer (a document's symbol, a term); saved as typed."""
    spec = _spec(QuestionKind.SHORT_TEXT, qid, prompt, placeholder=placeholder,
                 max_length=max_length)
    return ShortText(spec, _store(store))


def numeric(
    qid: str, prompt: str, *, unit: str = "", store: ResponseStore | None = None
) -> Numeric:
    """A number ("how many working days…"); "3,5" and "1.500" are read the Vietnamese way;
    saved as a number."""
    return Numeric(_spec(QuestionKind.NUMERIC, qid, prompt, unit=unit), _store(store))


def spot_the_signs(
    qid: str, prompt: str, segments: Sequence[Any], *, store: ResponseStore | None = None
) -> SpotTheSigns:
    """A text whose suspicious parts the learner marks. ``segments`` is the text in
    pieces: plain texts ("\\n" starts a new line) and (text, span id) pairs for the parts
    that can be marked (the suspicious ones and harmless ones alike, so that the choice
    says nothing). Saved as the sorted list of marked span ids."""
    spec = _spec(QuestionKind.SPOT_THE_SIGNS, qid, prompt, segments=segments)
    return SpotTheSigns(spec, _store(store))


def question_bank(
    bank_id: str,
    questions: Sequence[dict[str, Any]],
    *,
    draw: int,
    shuffle_options: bool = True,
    store: ResponseStore | None = None,
) -> QuestionBank:
    """``draw`` questions from ``questions``, chosen and ordered for this learner
    (``course_kit.questions.draws``). Each question is a dict with the arguments of its
    widget function: ``{"id": …, "kind": "single", "prompt": …, "options": […]}`` (kinds:
    ``course_kit.questions.QuestionKind``); no answers, no explanations. Grade it with one
    hidden test per slot: ``check_bank_slot(bank_id, n, KEY)``."""
    bank = bank_from_fields(bank_id, questions, draw=draw, shuffle_options=shuffle_options)
    return QuestionBank(bank, _store(store))
