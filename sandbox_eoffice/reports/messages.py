"""What a person reads for the reports' codes: problems named by indicator, refusals,
statuses, figures in the page's language (pages and API alike, translated by gettext)."""

from __future__ import annotations

from flask_babel import LazyString, format_decimal, get_locale, lazy_gettext
from flask_babel import gettext as _

from sandbox_eoffice.reports.catalogue import BY_CODE, Indicator
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus
from sandbox_eoffice.reports.periods import ReportKind
from sandbox_eoffice.reports.service import (
    INVALID_INPUT,
    LOCKED,
    MAX_NOTE,
    NOT_READY,
    REPORT_ACTION_REFUSED,
    REPORT_FILLED,
    REPORT_LIST_VIEWED,
    REPORT_SAVED,
    REPORT_SUBMITTED,
    REPORT_VALIDATED,
    REPORT_VIEWED,
    Figure,
    Problem,
    ProblemKind,
)

REFUSALS: dict[str, LazyString] = {
    LOCKED: lazy_gettext("This report has been submitted and is locked: it can no longer be "
                         "changed."),
    INVALID_INPUT: lazy_gettext("Nothing was saved: correct the figures listed below."),
    NOT_READY: lazy_gettext("The report was not submitted and nothing was saved: correct "
                            "the problems listed below."),
}

STATUS_LABELS: dict[ReportStatus, LazyString] = {
    ReportStatus.DRAFT: lazy_gettext("Not submitted"),
    ReportStatus.SUBMITTED: lazy_gettext("Submitted, locked"),
}

KIND_LABELS: dict[ReportKind, LazyString] = {
    ReportKind.MONTH: lazy_gettext("Monthly"),
    ReportKind.QUARTER: lazy_gettext("Quarterly"),
}

# for the activity page (sandbox_eoffice.labels.describe_action knows the core actions only)
ACTION_LABELS: dict[str, LazyString] = {
    REPORT_LIST_VIEWED: lazy_gettext("Viewed the periodic reports"),
    REPORT_VIEWED: lazy_gettext("Opened a periodic report"),
    REPORT_FILLED: lazy_gettext("Filled a report from the agency's data"),
    REPORT_SAVED: lazy_gettext("Saved a report's figures"),
    REPORT_VALIDATED: lazy_gettext("Validated a report"),
    REPORT_SUBMITTED: lazy_gettext("Submitted a periodic report"),
    REPORT_ACTION_REFUSED: lazy_gettext("Tried a step the report does not allow"),
}

SOURCE_LABELS: dict[str, LazyString] = {
    "one_stop": lazy_gettext("One-stop desk"),
    "eoffice": lazy_gettext("E-office documents"),
    "manual": lazy_gettext("Typed in"),
}


def language() -> str:
    return get_locale().language if get_locale() else "vi"


def show_figure(figure: Figure) -> str:
    """A figure as read in the page's language (1.234,5 in Vietnamese); a dash for none."""
    if figure is None:
        return "—"
    return str(format_decimal(figure, format="#,##0.##"))


def input_figure(figure: Figure) -> str:
    """A figure as typed back into a field: no thousands separator, the page's decimal mark."""
    if figure is None:
        return ""
    text = format(figure, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if language() == "vi" else text


def indicator_name(indicator: Indicator) -> str:
    return indicator.name(language())


def period_label(report: PeriodicReport) -> str:
    return report.period.label(language())


def describe(problem: Problem) -> str:
    """The problem in one sentence that names the indicator (its row and its name)."""
    indicator = BY_CODE.get(problem.indicator)
    if indicator is None:
        return _("There is no indicator %(code)s in this report.", code=problem.indicator)
    lang = language()
    names = {"number": indicator.number, "indicator": indicator.name(lang)}
    unit = indicator.unit_symbol(lang)
    match problem.kind:
        case ProblemKind.NOT_A_NUMBER:
            return _("%(number)s. %(indicator)s: “%(typed)s” is not a number. Type digits "
                     "only, with a comma before the decimals.", typed=problem.typed, **names)
        case ProblemKind.TOO_MANY_DECIMALS if indicator.unit.decimals == 0:
            return _("%(number)s. %(indicator)s: “%(typed)s” is not a whole number. Type it "
                     "without a thousands separator.", typed=problem.typed, **names)
        case ProblemKind.TOO_MANY_DECIMALS:
            return _("%(number)s. %(indicator)s: “%(typed)s” has more than %(decimals)s "
                     "decimals.", typed=problem.typed, decimals=indicator.unit.decimals,
                     **names)
        case ProblemKind.NOTE_TOO_LONG:
            return _("%(number)s. %(indicator)s: the note is longer than %(max)s characters.",
                     max=MAX_NOTE, **names)
        case ProblemKind.MISSING if indicator.source.computed:
            return _("%(number)s. %(indicator)s: no figure yet. Fill the report from your "
                     "agency's data.", **names)
        case ProblemKind.MISSING:
            return _("%(number)s. %(indicator)s: no figure yet. Type it in.", **names)
        case ProblemKind.OUT_OF_RANGE:
            return _("%(number)s. %(indicator)s: %(value)s is outside the valid range, "
                     "%(minimum)s to %(maximum)s %(unit)s.", value=show_figure(problem.value),
                     minimum=show_figure(indicator.minimum),
                     maximum=show_figure(indicator.maximum), unit=unit, **names)
        case ProblemKind.DIFFERS_WITHOUT_NOTE:
            return _("%(number)s. %(indicator)s: %(value)s differs from your agency's data "
                     "(%(system)s). Fill it from the data again, or explain the difference "
                     "in the note.", value=show_figure(problem.value),
                     system=show_figure(problem.system_value), **names)
        case _:  # DIFFERS_EXPLAINED
            return _("%(number)s. %(indicator)s: %(value)s differs from your agency's data "
                     "(%(system)s); it will be flagged, with your note.",
                     value=show_figure(problem.value),
                     system=show_figure(problem.system_value), **names)


def problem_dict(problem: Problem) -> dict[str, object]:
    return {**problem.as_dict(), "message": describe(problem)}


def range_text(indicator: Indicator) -> str:
    return _("%(minimum)s to %(maximum)s %(unit)s", minimum=show_figure(indicator.minimum),
             maximum=show_figure(indicator.maximum), unit=indicator.unit_symbol(language()))

