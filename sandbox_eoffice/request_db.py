"""One database session per request (scoped to the Flask app context), closed at teardown.

Views own the transaction: they call the service functions, then commit.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy.orm import Session, scoped_session

from sandbox_eoffice.database import make_engine, make_session_factory

SESSION_KEY = "eoffice_db"
ENGINE_KEY = "eoffice_engine"


def _context_id() -> int:
    return id(app_ctx._get_current_object())


def init_db(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    app.extensions[SESSION_KEY] = scoped_session(
        make_session_factory(engine), scopefunc=_context_id
    )

    @app.teardown_appcontext
    def _close_session(_error: BaseException | None) -> None:
        # rolls back anything not committed, returns the connection to the pool
        app.extensions[SESSION_KEY].remove()


def db() -> Session:
    """The current request's session."""
    sessions: scoped_session[Session] = current_app.extensions[SESSION_KEY]
    return sessions()
