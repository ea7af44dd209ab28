"""`academy eoffice reset|scenario|exchange`: trainers' commands on learners' sandboxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from academy.cli import main
from common.roles import Role
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from people.roster import Person, save_roster
from sandbox_eoffice.database import make_engine, make_session_factory
from sandbox_eoffice.models import Agency, ClassExchange, Tenant
from sandbox_eoffice.outgoing_documents import axis_directory, partner_name
from sandbox_eoffice.tenants import get_tenant


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    layout = DataLayout.at(tmp_path / "academy")
    layout.root.mkdir()
    InstallSettings(mode=Mode.SHARED, install_seed=5).save(layout)
    save_roster(layout.roster_file, [
        Person("hoc1", "Nguyễn Văn Học", Role.LEARNER, courses=("digital-signatures",)),
        Person("hoc2", "Trần Thị Lan", Role.LEARNER, courses=("digital-signatures",)),
        Person("khac", "Lê Văn Khác", Role.LEARNER, courses=("network-security",)),
    ])
    return layout.root


def _run(data_dir: Path, *arguments: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "eoffice", *arguments])


def _sessions(data_dir: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{DataLayout.at(data_dir).eoffice_db_file}")
    return engine, make_session_factory(engine)


def test_scenario_gives_the_course_one_agency(data_dir: Path) -> None:
    result = _run(data_dir, "scenario", "--course", "digital-signatures", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "2 learners of digital-signatures now practise in" in result.output
    engine, sessions = _sessions(data_dir)
    try:
        with sessions() as session:
            names = session.scalars(select(Agency.name).join(Tenant)
                                    .where(Tenant.username.in_(["hoc1", "hoc2"]))).all()
            assert len(names) == 2 and len(set(names)) == 1
            assert get_tenant(session, "khac") is None  # another course: untouched
    finally:
        engine.dispose()


def test_reset_and_its_errors(data_dir: Path) -> None:
    unknown = _run(data_dir, "reset", "hoc1")
    assert unknown.exit_code == 1 and "hoc1: no sandbox yet" in unknown.output
    _run(data_dir, "scenario", "--course", "digital-signatures", "--seed", "7")
    result = _run(data_dir, "reset", "hoc1", "--seed", "8")
    assert result.exit_code == 0, result.output
    assert "hoc1: sandbox made again" in result.output and "seed 8" in result.output
    empty = _run(data_dir, "scenario", "--course", "no-such-course", "--seed", "1")
    assert empty.exit_code == 2 and "no active learner" in empty.output


def test_exchange_open_and_close(data_dir: Path) -> None:
    opened = _run(data_dir, "exchange", "open", "Lớp K1", "--course", "digital-signatures")
    assert opened.exit_code == 0, opened.output
    again = _run(data_dir, "exchange", "open", "Lớp K1", "--course", "digital-signatures")
    assert again.exit_code == 1 and "exists already" in again.output
    engine, sessions = _sessions(data_dir)
    try:
        with sessions() as session:
            hoc1, hoc2 = get_tenant(session, "hoc1"), get_tenant(session, "hoc2")
            assert partner_name(hoc2) in axis_directory(session, hoc1)
        closed = _run(data_dir, "exchange", "close", "Lớp K1")
        assert closed.exit_code == 0, closed.output
        with sessions() as session:
            assert session.scalars(select(ClassExchange)).one().closed_at is not None
            hoc1, hoc2 = get_tenant(session, "hoc1"), get_tenant(session, "hoc2")
            assert partner_name(hoc2) not in axis_directory(session, hoc1)
    finally:
        engine.dispose()
    missing = _run(data_dir, "exchange", "close", "Lớp K9")
    assert missing.exit_code == 1 and "no exchange named" in missing.output


def test_clock_moves_a_learner_or_a_class_ahead(data_dir: Path) -> None:
    _run(data_dir, "scenario", "--course", "digital-signatures", "--seed", "7")
    one = _run(data_dir, "clock", "--user", "hoc1", "--days", "400")
    assert one.exit_code == 0, one.output
    assert "1 learner(s): scenario clock 400 days ahead" in one.output
    engine, sessions = _sessions(data_dir)
    try:
        with sessions() as session:
            assert get_tenant(session, "hoc1").clock_offset_days == 400
            assert get_tenant(session, "hoc2").clock_offset_days == 0
    finally:
        engine.dispose()
    whole = _run(data_dir, "clock", "--course", "digital-signatures", "--days", "0")
    assert whole.exit_code == 0, whole.output
    engine, sessions = _sessions(data_dir)
    try:
        with sessions() as session:
            assert get_tenant(session, "hoc1").clock_offset_days == 0
    finally:
        engine.dispose()
    assert _run(data_dir, "clock", "--days", "3").exit_code == 2  # whom?
    too_far = _run(data_dir, "clock", "--user", "hoc1", "--days", "5000")
    assert too_far.exit_code == 1 and "between 0 and 3650" in too_far.output
    unknown = _run(data_dir, "clock", "--user", "nobody", "--days", "3")
    assert unknown.exit_code == 1 and "nobody: no sandbox yet" in unknown.output


def test_rename_agency_for_the_renewal_exercise(data_dir: Path) -> None:
    _run(data_dir, "scenario", "--course", "digital-signatures", "--seed", "7")
    new_name = "Sở Khoa học, Công nghệ và Chuyển đổi số"
    result = _run(data_dir, "rename-agency", "--user", "hoc2", "--name", new_name)
    assert result.exit_code == 0, result.output
    engine, sessions = _sessions(data_dir)
    try:
        with sessions() as session:
            assert get_tenant(session, "hoc2").agency.name == new_name
            assert get_tenant(session, "hoc1").agency.name != new_name
    finally:
        engine.dispose()
    short = _run(data_dir, "rename-agency", "--user", "hoc2", "--name", " x ")
    assert short.exit_code == 1 and "between 3 and 255" in short.output
