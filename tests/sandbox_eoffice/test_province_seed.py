"""Province-scale seeding (`sandbox_eoffice.province_seed`): shapes, totals, resuming."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from sample_data import vietnamese_faker
from sandbox_eoffice import province_seed
from sandbox_eoffice.activity import document_history
from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
from sandbox_eoffice.incoming_documents import DocumentFilter, find_incoming_documents
from sandbox_eoffice.models import (
    ActivityLog,
    Agency,
    Colleague,
    IncomingDocument,
    Tenant,
    Unit,
    incoming_document_coordinating_unit,
)
from sandbox_eoffice.province_seed import (
    LAYOUTS,
    BatchDone,
    ProvincePlan,
    seed_province,
)
from sandbox_eoffice.search import fold
from sandbox_eoffice.seeding import FakerNames, generate_tenant, provision_tenant
from sandbox_eoffice.vocabulary import DocumentStatus, Position
from tests.service_auth.fake_hub import ACCESS_SCOPE, HUB_TOKENS, _user

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 16)
PLAN = ProvincePlan(users=20, documents=1000, today=TODAY, batch_size=6)
HISTORY = {
    DocumentStatus.RECEIVED: ["document.received"],
    DocumentStatus.REGISTERED: ["document.received", "document.registered"],
    DocumentStatus.ASSIGNED: ["document.received", "document.registered", "document.assigned"],
    DocumentStatus.DONE: ["document.received", "document.registered", "document.assigned",
                          "document.completed"],
}
COUNTED = (Tenant, Agency, Unit, Colleague, IncomingDocument, ActivityLog)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        counts = {
            model.__tablename__: connection.scalar(select(func.count()).select_from(model)) or 0
            for model in COUNTED
        }
        counts["coordinating"] = connection.scalar(
            select(func.count()).select_from(incoming_document_coordinating_unit)
        ) or 0
    return counts


def _content(engine: Engine) -> list[tuple[object, ...]]:
    """Everything seeded, by username and position, without ids and creation times."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT t.username, t.full_name, t.seed, a.name, a.address, d.number_symbol, "
            "d.summary, d.status, d.urgency, d.received_date, d.register_number, d.registered_at, "
            "d.deadline, d.completed_at, u.name, c.full_name, d.search_text "
            "FROM incoming_document d JOIN tenant t ON t.id = d.tenant_id "
            "JOIN agency a ON a.tenant_id = t.id LEFT JOIN unit u ON u.id = d.lead_unit_id "
            "LEFT JOIN colleague c ON c.id = d.assignee_id ORDER BY t.username, d.id"
        )).all()
        history = connection.execute(text(
            "SELECT t.username, l.actor, l.action, l.details, l.created_at FROM activity_log l "
            "JOIN tenant t ON t.id = l.tenant_id ORDER BY t.username, l.id"
        )).all()
    return [tuple(row) for row in rows] + [tuple(row) for row in history]


# --- the plan ---------------------------------------------------------------------------


@pytest.mark.parametrize(("users", "documents"), [
    (1, 1), (1, 70), (2, 2), (3, 3), (7, 100), (20, 1000), (21, 1049), (1000, 50_000),
    (999, 1998), (5, 5000),
])
def test_documents_per_tenant_add_up_exactly(users: int, documents: int) -> None:
    plan = ProvincePlan(users, documents, seed=3)
    counts = [plan.documents_of(index) for index in range(users)]
    assert sum(counts) == documents
    assert min(counts) >= 1


def test_documents_per_tenant_vary_around_the_mean() -> None:
    counts = [ProvincePlan(30_000, 1_500_000).documents_of(index) for index in range(30_000)]
    assert min(counts) >= 30 and max(counts) <= 70
    assert len(set(counts)) > 30


def test_usernames_are_numbered_with_the_prefix() -> None:
    plan = ProvincePlan(20, 1000, prefix="hn")
    assert [plan.username(0), plan.username(19)] == ["hn-00001", "hn-00020"]
    assert ProvincePlan(123_456, 200_000).username(0) == "p-000001"
    assert [list(batch) for batch in ProvincePlan(5, 10, batch_size=2).batches()] == [
        [0, 1], [2, 3], [4]]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"users": 0, "documents": 10}, "--users must be at least 1"),
    ({"users": 10, "documents": 9}, "must be at least --users"),
    ({"users": 1, "documents": 1, "prefix": "P-1"}, "--prefix"),
    ({"users": 1, "documents": 1, "prefix": ""}, "--prefix"),
    ({"users": 1, "documents": 1, "batch_size": 0}, "--batch-size"),
])
def test_bad_plans_are_refused(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ProvincePlan(**arguments)  # type: ignore[arg-type]


def test_layouts_cover_every_column_of_their_tables() -> None:
    """A column the bulk path leaves out must come out as the ORM would write it: an id the
    database gives, or NULL (nullable, no default). A new column fails here until the bulk
    path fills it or NULL is right for seeded data."""
    for layout in LAYOUTS:
        names = {column.name for column in layout.table.columns}
        assert set(layout.columns) <= names, layout.table.name
        for column in layout.table.columns:
            if column.name in layout.columns:
                continue
            given_by_database = column.name == "id" and layout.table.name in (
                "agency", "activity_log")
            null = column.nullable and column.default is None and column.server_default is None
            assert given_by_database or null, f"{layout.table.name}.{column.name}"


def test_provision_tenant_writes_what_generate_tenant_makes(session: Session) -> None:
    """The bulk path and the ordinary path share one generator."""
    tenant = provision_tenant(session, "alice", "", seed=9, today=TODAY)
    made = generate_tenant(random.Random(9), FakerNames(vietnamese_faker(9)), TODAY)
    assert tenant.agency is not None and tenant.agency.address == made.agency.address
    documents = session.scalars(select(IncomingDocument).where(
        IncomingDocument.tenant_id == tenant.id).order_by(IncomingDocument.id)).all()
    assert [(d.number_symbol, d.summary, d.status, d.register_number, d.assigned_at,
             d.assignee.full_name if d.assignee else None,
             sorted(unit.name for unit in d.coordinating_units)) for d in documents] == [
        (row.number_symbol, row.summary, row.status, row.register_number, row.assigned_at,
         row.assignee.full_name if row.assignee else None,
         sorted(unit.name for unit in row.coordinating_units)) for row in made.documents]


# --- seeding ----------------------------------------------------------------------------


def test_seeds_the_exact_totals_in_the_shape_of_a_learners_agency(
    database_url: str, engine: Engine, session: Session
) -> None:
    batches: list[BatchDone] = []
    report = seed_province(database_url, PLAN, progress=batches.append)

    assert (report.created, report.skipped, report.documents) == (20, 0, 1000)
    assert [done.tenants for done in batches] == [6, 6, 6, 2]
    counts = _counts(engine)
    assert counts["tenant"] == counts["agency"] == 20
    assert counts["incoming_document"] == 1000
    assert counts["activity_log"] == report.activity

    tenants = session.scalars(select(Tenant).order_by(Tenant.username)).all()
    assert [tenant.username for tenant in tenants] == [PLAN.username(i) for i in range(20)]
    statuses: Counter[DocumentStatus] = Counter()
    for index, tenant in enumerate(tenants):
        assert tenant.agency is not None
        assert tenant.agency.name.startswith(("UBND huyện", "Sở "))
        units = session.scalars(select(Unit).where(Unit.tenant_id == tenant.id)).all()
        assert 3 <= len(units) <= 6
        colleagues = session.scalars(
            select(Colleague).where(Colleague.tenant_id == tenant.id)).all()
        assert 20 <= len(colleagues) <= 60
        assert {Position.HEAD, Position.DEPUTY_HEAD, Position.CHIEF_OF_OFFICE,
                Position.CLERK} <= {colleague.position for colleague in colleagues}
        assert all(c.unit_id is None for c in colleagues if c.position.is_leader)
        assert all(c.unit_id in {unit.id for unit in units}
                   for c in colleagues if not c.position.is_leader)

        documents = session.scalars(select(IncomingDocument).where(
            IncomingDocument.tenant_id == tenant.id).order_by(IncomingDocument.id)).all()
        assert len(documents) == PLAN.documents_of(index)
        statuses.update(document.status for document in documents)
        assert sum(d.issuing_agency.startswith("Sở Tài chính") for d in documents) == 1
        by_year: dict[int, list[int]] = defaultdict(list)
        for document in documents:
            assert document.received_date <= TODAY
            if document.register_number is not None:
                assert document.register_year is not None
                by_year[document.register_year].append(document.register_number)
            if document.status in (DocumentStatus.ASSIGNED, DocumentStatus.DONE):
                assert document.lead_unit in units and document.assignee in colleagues
                assert document.registered_at and document.assigned_at
                assert document.registered_at < document.assigned_at
                assert all(unit in units for unit in document.coordinating_units)
                assert document.lead_unit not in document.coordinating_units
            if document.status is DocumentStatus.DONE:
                assert document.completed_at and document.result_note
        for numbers in by_year.values():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert set(statuses) == set(DocumentStatus)
    assert min(statuses.values()) >= 50


def test_each_seeded_document_has_its_history(database_url: str, session: Session) -> None:
    seed_province(database_url, ProvincePlan(3, 150, today=TODAY))
    for tenant in session.scalars(select(Tenant)):
        for document in session.scalars(
                select(IncomingDocument).where(IncomingDocument.tenant_id == tenant.id)):
            history = document_history(session, tenant, document.id)
            assert [entry.action for entry in history] == HISTORY[document.status]
            assert history[0].details["number_symbol"] == document.number_symbol
            assert history[0].created_at.tzinfo is not None
            if document.registered_at is not None:
                assert history[1].created_at == document.registered_at
                assert history[1].actor == document.registered_by
            if document.assignee is not None:
                assert history[2].details["assignee"] == document.assignee.full_name
                assert history[2].details["deadline"] == document.deadline.isoformat()


def test_search_finds_seeded_documents(database_url: str, session: Session) -> None:
    seed_province(database_url, ProvincePlan(4, 400, today=TODAY))
    tenant = session.scalars(select(Tenant).where(Tenant.username == "p-00002")).one()
    documents = session.scalars(
        select(IncomingDocument).where(IncomingDocument.tenant_id == tenant.id)).all()
    assert all(d.search_text == fold(f"{d.number_symbol} {d.summary}") for d in documents)

    page = find_incoming_documents(session, tenant, DocumentFilter(query="Chữ ký"),
                                   page_size=500, today=TODAY)
    # every word of the query, anywhere in the number, symbol or summary
    expected = {d.id for d in documents
                if all(word in fold(f"{d.number_symbol} {d.summary}") for word in ("chu", "ky"))}
    assert expected and {d.id for d in page.documents} == expected
    assert any("chu ky so" in fold(d.summary) for d in page.documents)

    target = random.Random(1).choice(documents)
    found = find_incoming_documents(session, tenant,
                                    DocumentFilter(query=target.number_symbol), today=TODAY)
    assert target.id in {d.id for d in found.documents}


def test_the_ordinary_path_still_works_after_a_seed(database_url: str, session: Session) -> None:
    """The ids the seed gave leave the databases' own numbering (sequences) intact."""
    seed_province(database_url, ProvincePlan(3, 90, today=TODAY))
    tenant = provision_tenant(session, "alice", "Nguyễn Thị Lan", seed=7, today=TODAY)
    session.commit()
    assert tenant.id == 4
    seed_province(database_url, ProvincePlan(5, 150, prefix="hn", today=TODAY))
    assert session.scalar(select(func.count()).select_from(Tenant)) == 9


# --- resuming ---------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def _stop_after(batches: int):  # type: ignore[no-untyped-def]
    seen: list[BatchDone] = []

    def progress(done: BatchDone) -> None:
        seen.append(done)
        if len(seen) == batches:
            raise Interrupted

    return progress


def test_a_second_run_finishes_an_interrupted_one(database_url: str, engine: Engine) -> None:
    with pytest.raises(Interrupted):
        seed_province(database_url, PLAN, progress=_stop_after(2))
    halfway = _counts(engine)
    assert halfway["tenant"] == 12
    assert halfway["incoming_document"] == sum(PLAN.documents_of(i) for i in range(12))

    report = seed_province(database_url, PLAN)
    assert (report.created, report.skipped) == (8, 12)
    counts = _counts(engine)
    assert (counts["tenant"], counts["incoming_document"]) == (20, 1000)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(func.distinct(Tenant.username)))) == 20

    again = seed_province(database_url, PLAN)
    assert (again.created, again.skipped, again.documents) == (0, 20, 0)
    assert _counts(engine) == counts


def test_a_batch_that_fails_leaves_nothing_behind(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every table of the batch is written when the failure comes: all of it is undone."""
    writer = (province_seed._SqliteWriter if database_url.startswith("sqlite")
              else province_seed._PostgresWriter)
    calls: list[int] = []

    def fail_on_second_batch(self: object, connection: Connection, *args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise Interrupted

    monkeypatch.setattr(writer, "after", fail_on_second_batch)
    with pytest.raises(Interrupted):
        seed_province(database_url, PLAN)
    counts = _counts(engine)
    assert counts["tenant"] == counts["agency"] == 6
    assert counts["incoming_document"] == sum(PLAN.documents_of(i) for i in range(6))
    with engine.connect() as connection:
        for table in ("unit", "colleague", "incoming_document", "activity_log"):
            orphans = connection.execute(text(
                f"SELECT count(*) FROM {table} WHERE tenant_id NOT IN (SELECT id FROM tenant)"
            )).scalar()
            assert orphans == 0, table

    monkeypatch.undo()
    seed_province(database_url, PLAN)
    assert (_counts(engine)["tenant"], _counts(engine)["incoming_document"]) == (20, 1000)


def test_a_killed_run_leaves_a_sound_database_and_is_finished_by_the_next(
    tmp_path: Path,
) -> None:
    """SIGKILL in the middle of the run (most likely inside a batch's transaction)."""
    url, engine = _sqlite(tmp_path, "killed.sqlite")
    plan = ProvincePlan(users=400, documents=20_000, today=TODAY, batch_size=4)
    script = ("import sys; from datetime import date; "
              "from sandbox_eoffice.province_seed import ProvincePlan, seed_province; "
              "seed_province(sys.argv[1], ProvincePlan(400, 20000, today=date(2026, 3, 16), "
              "batch_size=4))")
    process = subprocess.Popen([sys.executable, "-c", script, url], cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 60
        while _counts(engine)["tenant"] < 12:
            assert process.poll() is None and time.monotonic() < deadline, "did not get going"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        stopped = _counts(engine)
        assert stopped["tenant"] % 4 == 0 and stopped["tenant"] < 400  # whole batches only
        assert stopped["incoming_document"] == sum(
            plan.documents_of(i) for i in range(stopped["tenant"]))
        report = seed_province(url, plan)
        assert report.skipped == stopped["tenant"]
        assert (_counts(engine)["tenant"], _counts(engine)["incoming_document"]) == (400, 20_000)
    finally:
        engine.dispose()


def _sqlite(tmp_path: Path, name: str) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return url, make_engine(url)


def test_resumed_and_parallel_runs_give_the_same_data(tmp_path: Path) -> None:
    straight_url, straight = _sqlite(tmp_path, "straight.sqlite")
    resumed_url, resumed = _sqlite(tmp_path, "resumed.sqlite")
    parallel_url, parallel = _sqlite(tmp_path, "parallel.sqlite")
    try:
        seed_province(straight_url, PLAN)
        with pytest.raises(Interrupted):
            seed_province(resumed_url, PLAN, progress=_stop_after(3))
        seed_province(resumed_url, PLAN)
        seed_province(parallel_url, PLAN, jobs=2)
        expected = _content(straight)
        assert len(expected) > 1000
        assert _content(resumed) == expected
        assert _content(parallel) == expected
    finally:
        for engine in (straight, resumed, parallel):
            engine.dispose()


# --- the e-office itself on seeded data -------------------------------------------------


@pytest.mark.both_databases
def test_a_seeded_learner_works_in_the_e_office(
    app_database_url: str, app: Flask, client: FlaskClient, login, csrf_token_from,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_province(app_database_url, ProvincePlan(3, 150, today=TODAY))
    monkeypatch.setitem(HUB_TOKENS, "token-p-00002", _user("p-00002", ACCESS_SCOPE))
    login(client, "p-00002")
    engine = make_engine(app_database_url)
    try:
        with make_session_factory(engine)() as session:
            tenant = session.scalars(select(Tenant).where(Tenant.username == "p-00002")).one()
            finance = session.scalars(select(IncomingDocument).where(
                IncomingDocument.tenant_id == tenant.id,
                IncomingDocument.issuing_agency.startswith("Sở Tài chính"))).one()
            year = finance.received_date.year
            highest = session.scalar(select(func.max(IncomingDocument.register_number)).where(
                IncomingDocument.tenant_id == tenant.id,
                IncomingDocument.register_year == year)) or 0

        listing = client.get("/services/eoffice/documents/incoming")
        assert listing.status_code == 200
        assert finance.number_symbol in listing.get_data(as_text=True)
        detail = client.get(f"/services/eoffice/documents/incoming/{finance.id}")
        assert finance.summary in detail.get_data(as_text=True)
        registered = client.post(
            f"/services/eoffice/documents/incoming/{finance.id}/register",
            data={"csrf_token": csrf_token_from(detail.get_data(as_text=True))},
            follow_redirects=True,
        )
        assert registered.status_code == 200
        with make_session_factory(engine)() as session:
            document = session.get(IncomingDocument, finance.id)
            assert document is not None
            assert document.status is DocumentStatus.REGISTERED
            assert (document.register_year, document.register_number) == (year, highest + 1)
    finally:
        engine.dispose()
