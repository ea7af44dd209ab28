"""A sandbox made before official mail, the one-stop desk and the periodic reports existed
gets them on its learner's next visit (page or API), once, as a new sandbox would."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update

from sandbox_eoffice.mail.models import MailMessage
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.one_stop.models import Dossier, PopulationRecord
from sandbox_eoffice.reports.models import PeriodicReport
from sandbox_eoffice.request_db import db
from sandbox_eoffice.seeding import SYSTEMS_VERSION

PREFIX = "/services/eoffice"
SYSTEM_TABLES = (MailMessage, Dossier, PopulationRecord, PeriodicReport)


def _counts(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        alice = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        return (alice.systems_version, *(
            db().scalar(select(func.count()).select_from(model).where(
                model.tenant_id == alice.id)) for model in SYSTEM_TABLES))


def _make_it_old(app: Flask) -> None:
    """alice's sandbox as it was before the three systems: none of their rows, version 0."""
    with app.app_context():
        session = db()
        alice = session.scalars(select(Tenant).where(Tenant.username == "alice")).one()
        for model in SYSTEM_TABLES:
            session.execute(delete(model).where(model.tenant_id == alice.id))
        session.execute(update(Tenant).where(Tenant.id == alice.id).values(systems_version=0))
        session.commit()


@pytest.mark.both_databases
def test_an_old_sandbox_gets_the_new_systems_once(app: Flask, alice: FlaskClient) -> None:
    fresh = _counts(app)
    assert fresh[0] == SYSTEMS_VERSION and all(count > 0 for count in fresh[1:])
    _make_it_old(app)
    assert _counts(app) == (0, 0, 0, 0, 0)
    assert alice.get(f"{PREFIX}/mail/").status_code == 200
    # the same as a new sandbox from the same seed: same mail, dossiers, citizens, reports
    assert _counts(app) == fresh
    assert alice.get(f"{PREFIX}/one-stop/").status_code == 200
    assert _counts(app) == fresh  # once


def test_the_api_gives_them_too(app: Flask, client: FlaskClient) -> None:
    headers = {"Authorization": "Bearer token-alice"}
    assert client.get(f"{PREFIX}/api/v1/units", headers=headers).status_code == 200
    fresh = _counts(app)
    _make_it_old(app)
    folders = client.get(f"{PREFIX}/api/v1/mail/folders", headers=headers)
    assert folders.status_code == 200
    assert _counts(app) == fresh
