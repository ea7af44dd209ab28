"""Install settings: who may see which database URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from installation.layout import DataLayout
from installation.settings import GRADEBOOK_URL_ENV, InstallSettings, Mode

PG_GRADEBOOK = "postgresql+psycopg://academy_grader:pw@127.0.0.1:5432/academy_gradebook_{course_id}"


@pytest.fixture
def layout(tmp_path: Path) -> DataLayout:
    layout = DataLayout.at(tmp_path)
    InstallSettings(Mode.ISOLATED, 7, ["digital-signatures"], hub_db_url="sqlite:///hub",
                    gradebook_db_url=PG_GRADEBOOK).save(layout)
    return layout


@pytest.fixture
def databases_unreadable(layout: DataLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    """secrets/databases.json as another account than the hub's sees it (0600, root's):
    a test running as root reads every file, so the refusal is the operating system's
    answer played back here; the real one is in tests/e2e/test_isolation.py."""
    real = Path.read_text

    def read_text(path: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path == layout.databases_file:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)


def test_the_hub_account_sees_every_url(layout: DataLayout) -> None:
    settings = InstallSettings.load(layout)
    assert not settings.databases_hidden
    assert settings.hub_url(layout) == "sqlite:///hub"
    assert settings.gradebook_url(layout, "digital-signatures").endswith(
        "academy_gradebook_digital_signatures")


@pytest.mark.usefixtures("databases_unreadable")
def test_without_databases_json_every_url_is_refused(
        layout: DataLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(GRADEBOOK_URL_ENV, raising=False)
    settings = InstallSettings.load(layout)
    assert settings.databases_hidden
    for url in (lambda: settings.hub_url(layout), lambda: settings.eoffice_url(layout),
                lambda: settings.gradebook_url(layout, "digital-signatures")):
        with pytest.raises(PermissionError, match="run this as root"):
            url()


@pytest.mark.usefixtures("databases_unreadable")
def test_a_service_given_the_gradebook_url_sees_that_one_only(
        layout: DataLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GRADEBOOK_URL_ENV, PG_GRADEBOOK)
    settings = InstallSettings.load(layout)
    assert settings.gradebook_url(layout, "cyber-security") == PG_GRADEBOOK.format(
        course_id="cyber_security")
    with pytest.raises(PermissionError):
        settings.hub_url(layout)
    with pytest.raises(PermissionError):
        settings.eoffice_url(layout)
    with pytest.raises(PermissionError):  # it cannot write settings it only partly sees
        settings.save(layout)
    # an empty URL is the SQLite default: each course's gradebook file
    monkeypatch.setenv(GRADEBOOK_URL_ENV, "")
    assert InstallSettings.load(layout).gradebook_url(layout, "digital-signatures") == (
        f"sqlite:///{layout.gradebook_file('digital-signatures')}")
