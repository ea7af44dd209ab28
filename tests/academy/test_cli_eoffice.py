"""`academy eoffice seed`: on the installation's e-office database, resumable, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from academy.cli import main
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from sandbox_eoffice.database import make_engine
from sandbox_eoffice.models import IncomingDocument, Tenant


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An installation's settings (shared mode, SQLite e-office in the data directory)."""
    layout = DataLayout.at(tmp_path / "academy")
    layout.root.mkdir()
    InstallSettings(mode=Mode.SHARED, install_seed=5).save(layout)
    return layout.root


def _seed(data_dir: Path, *arguments: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "eoffice", "seed", *arguments])


def _totals(data_dir: Path) -> tuple[int, int]:
    engine = make_engine(f"sqlite:///{DataLayout.at(data_dir).eoffice_db_file}")
    try:
        with engine.connect() as connection:
            tenants = connection.scalar(select(func.count()).select_from(Tenant)) or 0
            documents = connection.scalar(select(func.count()).select_from(IncomingDocument))
            return tenants, documents or 0
    finally:
        engine.dispose()


def test_seed_fills_the_installations_e_office_and_can_run_again(data_dir: Path) -> None:
    result = _seed(data_dir, "--users", "7", "--documents", "300", "--batch-size", "3",
                   "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "7 agencies created with 300 documents (0 already there)" in result.output
    assert _totals(data_dir) == (7, 300)

    again = _seed(data_dir, "--users", "7", "--documents", "300", "--jobs", "1")
    assert again.exit_code == 0, again.output
    assert "0 agencies created with 0 documents (7 already there)" in again.output
    assert _totals(data_dir) == (7, 300)

    other = _seed(data_dir, "--users", "2", "--documents", "20", "--prefix", "hn", "--jobs", "1")
    assert other.exit_code == 0, other.output
    assert _totals(data_dir) == (9, 320)


@pytest.mark.parametrize(("arguments", "message"), [
    (["--users", "10", "--documents", "5"], "--documents (5) must be at least --users (10)"),
    (["--users", "0", "--documents", "5"], "--users must be at least 1"),
    (["--users", "2", "--documents", "5", "--prefix", "Bad Prefix"], "--prefix"),
    (["--users", "2", "--documents", "5", "--batch-size", "0"], "--batch-size"),
    (["--users", "2"], "Missing option '--documents'"),
])
def test_bad_input_is_refused_before_anything_is_written(
    data_dir: Path, arguments: list[str], message: str
) -> None:
    result = _seed(data_dir, *arguments)
    assert result.exit_code == 2
    assert message in result.output
    assert not DataLayout.at(data_dir).eoffice_db_file.exists()


def test_seed_needs_an_initialised_installation(tmp_path: Path) -> None:
    result = _seed(tmp_path / "nothing", "--users", "1", "--documents", "5")
    assert result.exit_code == 1
    assert "run `academy init` first" in result.output


def test_help_gives_the_default_batch_size() -> None:
    from sandbox_eoffice.province_seed import DEFAULT_BATCH_SIZE

    result = CliRunner().invoke(main, ["eoffice", "seed", "--help"], terminal_width=200)
    assert f"default {DEFAULT_BATCH_SIZE}" in result.output
