"""Province-scale seeding: thousands of learners' sandbox agencies, written in bulk.

`seed_province` creates `users` tenants, named ``<prefix>-00001``, ``<prefix>-00002``…, each
in the shape `provision_tenant` gives a learner (an agency, 3–6 units, 20–60 colleagues with
their positions, incoming documents in every status with their history in the activity log,
register numbers running per year, the search text filled), with `documents` incoming
documents in all: about documents / users each, some more and some fewer.

How it stays fast and small:

- rows are plain tuples made by `sandbox_eoffice.seeding.generate_tenant`, with the names
  drawn from a pool made once per run (Faker is slow), in worker processes when jobs > 1;
- each batch of tenants is written in one transaction: on SQLite one executemany of a Core
  ``insert()`` per table, on PostgreSQL one ``COPY`` per table. A batch numbers its rows
  from 1 and the database's highest id is added when they are written, so no row needs a
  round trip for its id;
- at most jobs + 1 batches are in memory at any time.

Resuming: a batch is all or nothing, and a run skips the usernames that already exist, so
running the same seeding again after an interruption finishes the work and gives the same
data as one uninterrupted run (with the same `today`).
"""

from __future__ import annotations

import gc
import json
import random
import re
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from multiprocessing import get_context
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import literal_column as sql_literal
from sqlalchemy.sql.elements import ColumnElement

from common.clock import VIETNAM_TZ
from sample_data import vietnamese_faker, vietnamese_name
from sandbox_eoffice.activity import INCOMING_DOCUMENT
from sandbox_eoffice.database import make_engine
from sandbox_eoffice.models import (
    ActivityLog,
    Agency,
    Colleague,
    IncomingDocument,
    Tenant,
    Unit,
    incoming_document_coordinating_unit,
)
from sandbox_eoffice.seeding import generate_tenant, seed_for_username
from sandbox_eoffice.vocabulary import Confidentiality

DEFAULT_PREFIX = "p"
DEFAULT_BATCH_SIZE = 100
MAX_BATCH_SIZE = 5000
NAME_POOL_SIZE = 4096
STREET_POOL_SIZE = 256
# the share of documents / users by which two neighbouring tenants' counts differ at most
DOCUMENT_SPREAD = 0.4
PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,29}")
SQLITE_CACHE_KIB = 32 * 1024


# --- what to make -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProvincePlan:
    """`users` tenants holding `documents` incoming documents in all."""

    users: int
    documents: int
    prefix: str = DEFAULT_PREFIX
    seed: int = 0
    batch_size: int = DEFAULT_BATCH_SIZE
    today: date | None = None  # dates are relative to it; Vietnam's today by default

    def __post_init__(self) -> None:
        if self.users < 1:
            raise ValueError(f"--users must be at least 1, not {self.users}")
        if self.documents < self.users:
            raise ValueError(
                f"--documents ({self.documents}) must be at least --users ({self.users}): "
                "every learner's agency has at least one document"
            )
        if not PREFIX_PATTERN.fullmatch(self.prefix):
            raise ValueError(
                f"--prefix {self.prefix!r}: 1 to 30 lower-case letters, digits or '_', "
                "starting with a letter"
            )
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"--batch-size must be 1 to {MAX_BATCH_SIZE}, not {self.batch_size}")

    @property
    def width(self) -> int:
        return max(5, len(str(self.users)))

    def username(self, index: int) -> str:
        """The username of tenant `index` (from 0): p-00001 for 0."""
        return f"{self.prefix}-{index + 1:0{self.width}d}"

    def documents_of(self, index: int) -> int:
        """How many documents tenant `index` gets; the counts of all tenants add up to
        `documents`. Neighbours 2k and 2k+1 differ by a random amount that cancels out."""
        base, extra = divmod(self.documents, self.users)
        count = base + (1 if index < extra else 0)
        pair, second = divmod(index, 2)
        if second == 0 and index + 1 >= self.users:
            return count  # the last tenant of an odd number has no neighbour
        widest = min(base - 1, int(base * DOCUMENT_SPREAD))
        if widest <= 0:
            return count
        shift = random.Random(self.seed * 1_000_003 + pair).randint(0, widest)
        return count - shift if second else count + shift

    def batches(self) -> Iterator[range]:
        for start in range(0, self.users, self.batch_size):
            yield range(start, min(start + self.batch_size, self.users))


@dataclass(frozen=True)
class NamePool:
    """People's and street names made once per run with Faker, then drawn at random."""

    people: tuple[str, ...]
    streets: tuple[str, ...]

    @classmethod
    def build(cls, seed: int, size: int = NAME_POOL_SIZE) -> NamePool:
        faker = vietnamese_faker(seed)
        rng = random.Random(seed)
        people = tuple(vietnamese_name(faker, rng) for _ in range(size))
        streets = tuple(dict.fromkeys(faker.street_name() for _ in range(STREET_POOL_SIZE)))
        return cls(people, streets)

    def person(self, rng: random.Random) -> str:
        return self.people[rng.randrange(len(self.people))]

    def street(self, rng: random.Random) -> str:
        return self.streets[rng.randrange(len(self.streets))]


@dataclass(frozen=True)
class BatchDone:
    """Reported after each batch is committed (or found already there)."""

    tenants: int  # tenants of the plan this batch covered
    created: int  # of them, made now (the others existed)
    documents: int  # documents made now


@dataclass
class SeedReport:
    created: int = 0
    skipped: int = 0
    documents: int = 0
    activity: int = 0


# --- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The columns of one table as a batch gives them; `ids` maps a column holding a row
    number of the batch to the table that number is an id of."""

    table: Table
    columns: tuple[str, ...]
    ids: dict[str, str] = field(default_factory=dict)


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# systems_version 0: mail, the one-stop desk and the reports come on the first visit
TENANT = _Layout(_table(Tenant), ("id", "username", "full_name", "seed", "created_at",
                                     "clock_offset_days", "systems_version"),
                 {"id": "tenant"})
AGENCY = _Layout(_table(Agency), ("tenant_id", "name", "symbol", "province", "address"),
                 {"tenant_id": "tenant"})
UNIT = _Layout(_table(Unit), ("id", "tenant_id", "name", "symbol"),
               {"id": "unit", "tenant_id": "tenant"})
COLLEAGUE = _Layout(
    _table(Colleague),
    ("id", "tenant_id", "full_name", "position", "job_title", "unit_id", "email"),
    {"id": "colleague", "tenant_id": "tenant", "unit_id": "unit"},
)
DOCUMENT = _Layout(
    _table(IncomingDocument),
    ("id", "tenant_id", "number_symbol", "summary", "issuing_agency", "document_type", "urgency",
     "issued_date", "received_date", "status", "register_year", "register_number",
     "registered_at", "registered_by", "confidentiality", "signer_name", "signer_title",
     "lead_unit_id", "assignee_id", "instruction", "assigned_at", "deadline", "completed_at",
     "result_note", "search_text"),
    {"id": "incoming_document", "tenant_id": "tenant", "lead_unit_id": "unit",
     "assignee_id": "colleague"},
)
COORDINATING = _Layout(incoming_document_coordinating_unit, ("document_id", "unit_id"),
                       {"document_id": "incoming_document", "unit_id": "unit"})
ACTIVITY = _Layout(
    _table(ActivityLog),
    ("tenant_id", "actor", "action", "object_type", "object_id", "details", "created_at"),
    {"tenant_id": "tenant", "object_id": "incoming_document"},
)
# in the order they are written (parents first)
LAYOUTS: tuple[_Layout, ...] = (TENANT, AGENCY, UNIT, COLLEAGUE, DOCUMENT, COORDINATING,
                                ACTIVITY)
TABLES = {layout.table.name: layout.table for layout in LAYOUTS}
# the tables whose ids a batch gives
NUMBERED = ("tenant", "unit", "colleague", "incoming_document")


@dataclass(frozen=True)
class _Values:
    """How dates, timestamps and JSON go to the database driver, as SQLAlchemy's types
    would send them: SQLite stores text, PostgreSQL takes Python objects."""

    as_text: bool

    def day(self, value: date | None) -> date | str | None:
        if value is None or not self.as_text:
            return value
        return value.isoformat()

    def moment(self, value: datetime | None) -> datetime | str | None:
        """A timezone-aware moment as naive UTC (models.UTCDateTime)."""
        if value is None:
            return None
        utc = value.astimezone(UTC).replace(tzinfo=None)
        return utc.isoformat(" ", "microseconds") if self.as_text else utc


Row = tuple[Any, ...]


@dataclass
class GeneratedBatch:
    usernames: list[str]
    rows: dict[str, list[Row]]  # table name → rows, numbered from 1 within the batch
    documents: int


def generate_batch(
    plan: ProvincePlan, indexes: Sequence[int], names: NamePool, as_text: bool
) -> GeneratedBatch:
    """The rows of tenants `indexes` of the plan (whose `today` is set)."""
    assert plan.today is not None
    values = _Values(as_text)
    day, moment, dumps = values.day, values.moment, json.dumps
    created_at = moment(datetime.now(UTC))
    normal = Confidentiality.NORMAL.value
    rows: dict[str, list[Row]] = {layout.table.name: [] for layout in LAYOUTS}
    tenants, agencies, units = rows["tenant"], rows["agency"], rows["unit"]
    colleagues, documents = rows["colleague"], rows["incoming_document"]
    coordinating, activity = rows[COORDINATING.table.name], rows["activity_log"]
    usernames = []
    for index in indexes:
        username = plan.username(index)
        tenant_seed = seed_for_username(username, plan.seed)
        rng = random.Random(tenant_seed)
        made = generate_tenant(rng, names, plan.today, document_count=plan.documents_of(index))
        usernames.append(username)
        tenant = len(tenants) + 1
        tenants.append((tenant, username, names.person(rng), tenant_seed, created_at, 0, 0))
        agency = made.agency
        agencies.append((tenant, agency.name, agency.symbol, agency.province, agency.address))
        unit_base, colleague_base = len(units) + 1, len(colleagues) + 1
        units.extend((unit_base + unit.number, tenant, unit.name, unit.symbol)
                     for unit in made.units)
        colleagues.extend(
            (colleague_base + person.number, tenant, person.full_name, person.position.value,
             person.job_title, unit_base + person.unit.number if person.unit else None,
             person.email)
            for person in made.colleagues
        )
        for doc in made.documents:
            number = len(documents) + 1
            documents.append((
                number, tenant, doc.number_symbol, doc.summary, doc.issuing_agency,
                doc.document_type, doc.urgency.value, day(doc.issued_date),
                day(doc.received_date), doc.status.value, doc.register_year,
                doc.register_number, moment(doc.registered_at), doc.registered_by, normal,
                doc.signer_name, doc.signer_title,
                unit_base + doc.lead_unit.number if doc.lead_unit else None,
                colleague_base + doc.assignee.number if doc.assignee else None,
                doc.instruction, moment(doc.assigned_at), day(doc.deadline),
                moment(doc.completed_at), doc.result_note, doc.search_text,
            ))
            coordinating.extend((number, unit_base + unit.number)
                                for unit in doc.coordinating_units)
            activity.extend(
                (tenant, step.actor, step.action, INCOMING_DOCUMENT, number,
                 dumps(step.details), moment(step.at))
                for step in doc.steps
            )
    return GeneratedBatch(usernames, rows, len(documents))


# --- worker processes -------------------------------------------------------------------

_worker: tuple[ProvincePlan, NamePool, bool] | None = None


def _start_worker(plan: ProvincePlan, as_text: bool) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker = (plan, NamePool.build(plan.seed), as_text)
    gc.freeze()  # the collector need not walk the modules and the pool again and again


def _generate_in_worker(indexes: list[int]) -> GeneratedBatch:
    assert _worker is not None
    plan, names, as_text = _worker
    return generate_batch(plan, indexes, names, as_text)


# --- writing ----------------------------------------------------------------------------


class _Writer:
    """Writes one batch in one transaction, after making sure none of its tenants exists."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def write(self, batch: GeneratedBatch) -> bool:
        """Commit the batch; False (and nothing written) if one of its usernames exists."""
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                self.lock(connection)
                if existing_usernames(connection, batch.usernames):
                    transaction.rollback()
                    return False
                bases = self.bases(connection)
                for layout in LAYOUTS:
                    rows = batch.rows[layout.table.name]
                    if rows:
                        self.insert(connection, layout, rows, bases)
                self.after(connection, bases, batch)
            except BaseException:
                transaction.rollback()
                raise
            transaction.commit()
        return True

    def lock(self, connection: Connection) -> None:
        """Keep other writers of the numbered tables out until the batch commits."""

    def bases(self, connection: Connection) -> dict[str, int]:
        """The highest id of each numbered table: a batch's row n gets id base + n."""
        return {
            name: connection.scalar(select(func.coalesce(func.max(TABLES[name].c.id), 0))) or 0
            for name in NUMBERED
        }

    def insert(
        self, connection: Connection, layout: _Layout, rows: list[Row], bases: dict[str, int]
    ) -> None:
        raise NotImplementedError

    def after(self, connection: Connection, bases: dict[str, int], batch: GeneratedBatch) -> None:
        """Anything to do before the commit."""


class _SqliteWriter(_Writer):
    """BEGIN IMMEDIATE makes the batch the only writer; rows go by executemany of a Core
    insert() in which each row number gets the table's highest id added."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        event.listen(engine, "connect", _sqlite_bulk_connection)
        event.listen(engine, "begin", _sqlite_begin_immediate)

    def insert(
        self, connection: Connection, layout: _Layout, rows: list[Row], bases: dict[str, int]
    ) -> None:
        values: dict[str, ColumnElement[Any]] = {name: bindparam(name) for name in layout.columns}
        for name, table_name in layout.ids.items():
            values[name] = bindparam(name, type_=Integer) + sql_literal(
                str(bases[table_name]), Integer
            )
        compiled = insert(layout.table).values(values).compile(dialect=connection.dialect)
        assert compiled.positiontup == list(layout.columns), compiled.positiontup
        connection.exec_driver_sql(compiled.string, rows)  # type: ignore[arg-type]


def _sqlite_bulk_connection(dbapi_connection: Any, _record: object) -> None:
    # the transactions are begun explicitly (_sqlite_begin_immediate), not by pysqlite
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL with synchronous=NORMAL stays consistent if the process or the machine stops
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class _PostgresWriter(_Writer):
    """A table lock keeps other writers of the numbered tables out; rows go by COPY; the
    id sequences are moved past the batch's rows before the commit."""

    def lock(self, connection: Connection) -> None:
        connection.exec_driver_sql(
            f"LOCK TABLE {', '.join(NUMBERED)} IN SHARE ROW EXCLUSIVE MODE"
        )

    def bases(self, connection: Connection) -> dict[str, int]:
        highest = super().bases(connection)
        for name in NUMBERED:  # above anything the sequence handed out, too
            issued = connection.scalar(
                text("SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(:t, 'id') "
                     "AS regclass))"),
                {"t": name},
            )
            highest[name] = max(highest[name], issued or 0)
        return highest

    def insert(
        self, connection: Connection, layout: _Layout, rows: list[Row], bases: dict[str, int]
    ) -> None:
        shifts = [(position, bases[layout.ids[name]])
                  for position, name in enumerate(layout.columns) if name in layout.ids]
        copy_sql = f"COPY {layout.table.name} ({', '.join(layout.columns)}) FROM STDIN"
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                values = list(row)
                for position, base in shifts:
                    if values[position] is not None:
                        values[position] += base
                copy.write_row(values)

    def after(self, connection: Connection, bases: dict[str, int], batch: GeneratedBatch) -> None:
        for name in NUMBERED:
            if batch.rows[name]:
                connection.execute(
                    text("SELECT setval(CAST(pg_get_serial_sequence(:t, 'id') AS regclass), "
                         ":last)"),
                    {"t": name, "last": bases[name] + len(batch.rows[name])},
                )


def existing_usernames(connection: Connection, usernames: Sequence[str]) -> set[str]:
    if not usernames:
        return set()
    return set(connection.scalars(
        select(Tenant.username).where(
            Tenant.username.in_(bindparam("names", expanding=True))
        ),
        {"names": list(usernames)},
    ))


# --- the run ----------------------------------------------------------------------------


def seed_province(
    database_url: str,
    plan: ProvincePlan,
    *,
    jobs: int = 1,
    progress: Callable[[BatchDone], None] | None = None,
) -> SeedReport:
    """Create the plan's tenants that do not exist yet, batch by batch; see the module.

    `jobs` > 1 generates the rows in that many worker processes while this one writes.
    `progress` is called after each batch is committed; an exception from it (or anything
    else) stops the run with every earlier batch kept.
    """
    if plan.today is None:
        plan = replace(plan, today=datetime.now(VIETNAM_TZ).date())
    engine = make_engine(database_url)
    try:
        if engine.dialect.name == "sqlite":
            writer: _Writer = _SqliteWriter(engine)
        elif engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
            writer = _PostgresWriter(engine)
        else:
            raise ValueError(f"{engine.dialect.name}+{engine.dialect.driver}: the seed writes "
                             "to SQLite or to PostgreSQL through psycopg 3 (postgresql+psycopg)")
        as_text = engine.dialect.name == "sqlite"
        with engine.connect() as connection:
            there = set(connection.scalars(select(Tenant.username).where(
                Tenant.username.startswith(f"{plan.prefix}-", autoescape=True))))
        report = _run(plan, writer, there, as_text, jobs, progress)
        refresh_statistics(engine)
        return report
    finally:
        engine.dispose()


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE: the query planner's statistics must know the tables are now big. Right after
    a bulk load PostgreSQL still believes them nearly empty and scans whole tables for one
    learner's documents (measured: p95 4 s instead of tens of ms under 200 learners)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def _run(
    plan: ProvincePlan,
    writer: _Writer,
    there: set[str],
    as_text: bool,
    jobs: int,
    progress: Callable[[BatchDone], None] | None,
) -> SeedReport:
    report = SeedReport()
    names: NamePool | None = None

    def missing(batch: range) -> list[int]:
        return [index for index in batch if plan.username(index) not in there]

    def generate_here(indexes: list[int]) -> GeneratedBatch | None:
        nonlocal names
        if not indexes:
            return None
        names = names or NamePool.build(plan.seed)
        return generate_batch(plan, indexes, names, as_text)

    def write(batch: range, generated: GeneratedBatch | None) -> None:
        while generated is not None and not writer.write(generated):
            # another run made some of these tenants meanwhile: leave them out
            with writer.engine.connect() as connection:
                there.update(existing_usernames(connection, generated.usernames))
            generated = generate_here(missing(batch))
        created = len(generated.usernames) if generated else 0
        documents = generated.documents if generated else 0
        report.created += created
        report.skipped += len(batch) - created
        report.documents += documents
        report.activity += len(generated.rows["activity_log"]) if generated else 0
        if progress is not None:
            progress(BatchDone(len(batch), created, documents))

    if jobs <= 1:
        for batch in plan.batches():
            write(batch, generate_here(missing(batch)))
        return report

    # workers generate the next batches while this process writes one; at most jobs + 1
    # batches are in memory. Workers start on the first batch that has anything to make.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                             initializer=_start_worker, initargs=(plan, as_text)) as pool:
        pending: deque[tuple[range, Future[GeneratedBatch] | None]] = deque()

        def write_oldest() -> None:
            batch, future = pending.popleft()
            write(batch, future.result() if future else None)

        try:
            for batch in plan.batches():
                todo = missing(batch)
                pending.append((batch, pool.submit(_generate_in_worker, todo) if todo else None))
                while len(pending) > jobs:
                    write_oldest()
            while pending:
                write_oldest()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return report
