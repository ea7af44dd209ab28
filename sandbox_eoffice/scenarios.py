"""What trainers do with learners' sandboxes: reset one, give a class the same scenario, open
and close a class exchange. Functions take a session; the caller commits.

Resetting deletes the sandbox's documents and its activity log (the evidence of practical
tasks): scores already in the gradebook stay, but a task not yet graded must be done again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sandbox_eoffice.activity import (
    AGENCY_RENAMED,
    SCENARIO_CLOCK_SHIFTED,
    TENANT_PROVISIONED,
    TENANT_RESET,
    record_activity,
)
from sandbox_eoffice.models import ClassExchange, Tenant, class_exchange_member, utc_now
from sandbox_eoffice.seeding import provision_tenant, seed_for_username
from sandbox_eoffice.tenants import get_tenant


class ScenarioError(ValueError):
    """A request a trainer must correct; the message says what and where."""


def reset_tenant(session: Session, username: str, *, actor: str, seed: int | None = None,
                 today: date | None = None) -> Tenant:
    """The learner's sandbox, made again from `seed` (default: its own); class exchanges it
    belonged to keep it."""
    tenant = get_tenant(session, username)
    if tenant is None:
        raise ScenarioError(f"{username}: no sandbox yet (the learner never opened the "
                            "e-office); nothing to reset")
    full_name, seed = tenant.full_name, tenant.seed if seed is None else seed
    exchanges = list(session.scalars(select(class_exchange_member.c.exchange_id).where(
        class_exchange_member.c.tenant_id == tenant.id)))
    old_id = tenant.id
    session.execute(delete(Tenant).where(Tenant.id == old_id))  # the database cascades
    # forget the deleted rows this session still holds (and nothing else)
    for held in list(session.identity_map.values()):
        # (expunging a parent expunges its children along: they may be gone already)
        if (held is tenant or getattr(held, "tenant_id", None) == old_id) and held in session:
            session.expunge(held)
    fresh = provision_tenant(session, username, full_name, seed, today=today)
    if exchanges:
        session.execute(class_exchange_member.insert(), [
            {"exchange_id": exchange_id, "tenant_id": fresh.id} for exchange_id in exchanges])
    record_activity(session, fresh, actor, TENANT_RESET, details={"seed": seed})
    session.flush()
    return fresh


def give_class_scenario(session: Session, usernames: Sequence[str], *, seed: int, actor: str,
                        today: date | None = None) -> list[Tenant]:
    """Every learner's sandbox made from the same seed: the same agency, colleagues and
    documents, so that one set of instructions fits the whole class."""
    tenants = []
    for username in dict.fromkeys(usernames):
        if get_tenant(session, username) is None:
            tenant = provision_tenant(session, username, username, seed, today=today)
            record_activity(session, tenant, actor, TENANT_PROVISIONED, details={"seed": seed})
            tenants.append(tenant)
        else:
            tenants.append(reset_tenant(session, username, actor=actor, seed=seed, today=today))
    return tenants


def open_class_exchange(session: Session, name: str, usernames: Sequence[str], *, actor: str,
                        base_seed: int = 0) -> ClassExchange:
    """Put the learners' agencies on one another's axis (at least two learners)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ScenarioError("the exchange needs a name of 1 to 200 characters")
    members = list(dict.fromkeys(usernames))
    if len(members) < 2:
        raise ScenarioError("a class exchange needs at least two learners")
    if session.scalars(select(ClassExchange).where(ClassExchange.name == name)).first():
        raise ScenarioError(f"an exchange named {name!r} exists already")
    tenants = []
    for username in members:
        tenant = get_tenant(session, username)
        if tenant is None:
            seed = seed_for_username(username, base_seed)
            tenant = provision_tenant(session, username, username, seed)
            record_activity(session, tenant, actor, TENANT_PROVISIONED, details={"seed": seed})
        tenants.append(tenant)
    exchange = ClassExchange(name=name, opened_by=actor)
    exchange.members = tenants
    session.add(exchange)
    session.flush()
    return exchange


def close_class_exchange(session: Session, name: str) -> ClassExchange:
    """Classmates leave one another's axis; what was sent stays where it arrived."""
    exchange = session.scalars(select(ClassExchange).where(ClassExchange.name == name)).first()
    if exchange is None:
        raise ScenarioError(f"no exchange named {name!r}")
    exchange.closed_at = exchange.closed_at or utc_now()
    session.flush()
    return exchange


def shift_clock(session: Session, usernames: Sequence[str], *, days: int,
                actor: str) -> list[Tenant]:
    """Move the learners' scenario clock `days` ahead of real time (0: back to today), for
    instance past their certificate's end to practise an expired certificate."""
    if not 0 <= days <= 3650:
        raise ScenarioError(f"--days {days}: between 0 and 3650")
    tenants = []
    for username in usernames:
        tenant = get_tenant(session, username)
        if tenant is None:
            raise ScenarioError(f"{username}: no sandbox yet (the learner never opened the "
                                "e-office)")
        tenant.clock_offset_days = days
        record_activity(session, tenant, actor, SCENARIO_CLOCK_SHIFTED, details={"days": days})
        tenants.append(tenant)
    session.flush()
    return tenants


def rename_agency(session: Session, usernames: Sequence[str], *, name: str,
                  actor: str) -> list[Tenant]:
    """The learners' agency is renamed or merged into a new one (a reorganisation): its
    documents and people stay; certificates already issued keep the old name until the
    learner renews (the incident the renewal exercise is about)."""
    name = " ".join(name.split())
    if not 3 <= len(name) <= 255:
        raise ScenarioError("--name: between 3 and 255 characters")
    tenants = []
    for username in usernames:
        tenant = get_tenant(session, username)
        if tenant is None or tenant.agency is None:
            raise ScenarioError(f"{username}: no sandbox yet (the learner never opened the "
                                "e-office)")
        old = tenant.agency.name
        tenant.agency.name = name
        record_activity(session, tenant, actor, AGENCY_RENAMED,
                        details={"from": old, "to": name})
        tenants.append(tenant)
    session.flush()
    return tenants
