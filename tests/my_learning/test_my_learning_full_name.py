"""The learner's full name reaches their server: the hub's spawners look it up in the
roster at spawn time and pass it in the environment My learning reads."""

from __future__ import annotations

import os
import pwd
from pathlib import Path
from types import SimpleNamespace

import pytest

from hub_config import spawner as hub_spawner
from hub_config.spawner import (
    FULL_NAME_ENV,
    IsolatedSpawner,
    RosterNames,
    SharedSpawner,
)
from installation.layout import DATA_DIR_ENV, DataLayout
from my_learning import handlers
from people.roster import Person, save_roster

HUB = SimpleNamespace(public_host="", api_url="http://127.0.0.1:8081/hub/api", base_url="/hub/")


def spawner(cls: type, username: str, roster: Path | str, home: Path) -> object:
    user = SimpleNamespace(name=username, url=f"/user/{username}/", escaped_name=username)
    return cls(user=user, hub=HUB, roster_file=str(roster),
               home_dir_template=str(home / "{username}"))


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "secrets" / "roster.json"
    this_account = pwd.getpwuid(os.getuid()).pw_name  # IsolatedSpawner looks the account up
    save_roster(path, [
        Person("an.lt", "Lê Thị An", "learner"),
        Person(this_account, "Trần Văn Bình", "learner"),
        Person("chi.nv", "  Nguyễn\tVăn\nChí\x00 ", "learner"),
        Person("no.name", "", "learner"),
    ])
    return path


def test_the_hub_and_my_learning_use_one_variable() -> None:
    assert hub_spawner.FULL_NAME_ENV == handlers.FULL_NAME_ENV == "ACADEMY_FULL_NAME"  # one name


def test_both_spawners_pass_the_full_name(roster: Path, tmp_path: Path) -> None:
    shared = spawner(SharedSpawner, "an.lt", roster, tmp_path).get_env()  # type: ignore[attr-defined]
    assert shared[FULL_NAME_ENV] == "Lê Thị An"
    assert shared["JUPYTERHUB_USER"] == "an.lt"
    account = pwd.getpwuid(os.getuid()).pw_name
    isolated = spawner(IsolatedSpawner, account, roster, tmp_path).get_env()  # type: ignore[attr-defined]
    assert isolated[FULL_NAME_ENV] == "Trần Văn Bình"
    assert isolated["HOME"] == str(tmp_path / account)


def test_one_line_without_control_characters(roster: Path, tmp_path: Path) -> None:
    env = spawner(SharedSpawner, "chi.nv", roster, tmp_path).get_env()  # type: ignore[attr-defined]
    assert env[FULL_NAME_ENV] == "Nguyễn Văn Chí"


@pytest.mark.parametrize("username", ["no.name", "somebody.else"])
def test_no_name_in_the_roster_passes_nothing(roster: Path, tmp_path: Path,
                                              username: str) -> None:
    env = spawner(SharedSpawner, username, roster, tmp_path).get_env()  # type: ignore[attr-defined]
    assert FULL_NAME_ENV not in env  # My learning greets by username


def test_an_unreadable_roster_never_stops_a_spawn(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "roster.json"
    broken.write_text("{not json", encoding="utf-8")
    for roster in (broken, tmp_path / "missing.json"):
        env = spawner(SharedSpawner, "an.lt", roster, tmp_path).get_env()  # type: ignore[attr-defined]
        assert FULL_NAME_ENV not in env
    assert "full name of an.lt not passed" in caplog.text


def test_the_roster_is_read_again_only_when_it_changes(roster: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    names = RosterNames()
    reads: list[Path] = []
    real = hub_spawner.load_roster

    def counting(path: Path) -> list[Person]:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(hub_spawner, "load_roster", counting)
    assert names.full_name(roster, "an.lt") == "Lê Thị An"
    assert names.full_name(roster, "chi.nv") == "Nguyễn Văn Chí"
    assert len(reads) == 1
    # HR's import renames a person (academy roster import replaces the file)
    save_roster(roster, [Person("an.lt", "Lê Thị Anh", "learner")])
    assert names.full_name(roster, "an.lt") == "Lê Thị Anh"
    assert len(reads) == 2


def test_the_roster_of_the_hubs_data_directory_by_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    user = SimpleNamespace(name="an.lt", url="/user/an.lt/", escaped_name="an.lt")
    shared = SharedSpawner(user=user, hub=HUB)
    assert shared.roster_file == str(DataLayout.at(tmp_path / "data").roster_file)
    monkeypatch.delenv(DATA_DIR_ENV)
    assert SharedSpawner(user=user, hub=HUB).roster_file == ""
