"""`academy grade autograde --regrade` leaves an audit entry (``academy.cli.grade``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from academy.cli.grade import _audit_regrade
from grading.audit import read_entries, verify_chain
from installation.layout import DataLayout


def test_a_regrade_is_audited(tmp_path: Path) -> None:
    layout = DataLayout.at(tmp_path)
    report = SimpleNamespace(
        course_id="digital-signatures", assignment="ds01-what-a-signature-proves",
        students=[SimpleNamespace(student_id="an"), SimpleNamespace(student_id="binh")],
        failed_students=["binh"])
    _audit_regrade(layout, report)  # type: ignore[arg-type]
    [entry] = list(read_entries(layout.audit_log_file, action="grade.regrade"))
    details = dict(entry.details)
    assert details.pop("os_user")  # the account that ran it, beside the named actor
    assert details == {"course": "digital-signatures",
                       "module": "ds01-what-a-signature-proves",
                       "students": ["an", "binh"], "not_graded": ["binh"]}
    assert entry.actor and verify_chain(layout.audit_log_file).ok
