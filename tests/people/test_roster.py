import json

import pytest

from people.demo import demo_people
from people.roster import Person, RosterError, load_roster, save_roster


def test_demo_roster_has_every_role_and_vietnamese_names():
    people = demo_people(7, ["digital-signatures"])
    roles = [p.role for p in people]
    assert roles.count("learner") >= 3
    assert {"trainer", "hr", "admin"} <= set(roles)
    learners = [p for p in people if p.role == "learner"]
    assert all(p.courses == ("digital-signatures",) for p in learners)
    assert len({p.employee_id for p in people}) == len(people)
    # family name first, as Vietnamese names are written
    family_names = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
                    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Mai", "Đinh", "Trương"}
    assert sum(p.full_name.split()[0] in family_names for p in people) >= 4


def test_demo_roster_is_reproducible_per_seed():
    assert demo_people(1, ["c"]) == demo_people(1, ["c"])
    assert demo_people(1, ["c"]) != demo_people(2, ["c"])


def test_roster_round_trip_is_private(tmp_path):
    path = tmp_path / "roster.json"
    people = demo_people(3, ["digital-signatures"])
    save_roster(path, people)
    # the owner writes, its group reads (in isolated mode, secrets/ is setgid to the
    # dashboards' group: tests/e2e/test_isolation.py); no one else
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert load_roster(path) == people


def test_roster_errors_name_the_file_and_row(tmp_path):
    path = tmp_path / "roster.json"
    with pytest.raises(RosterError, match="run `academy init`"):
        load_roster(path)
    path.write_text("{not json")
    with pytest.raises(RosterError, match="line 1"):
        load_roster(path)
    path.write_text(json.dumps({"people": [{"username": "x", "full_name": "X", "role": "boss"}]}))
    with pytest.raises(RosterError, match="unknown role 'boss'"):
        load_roster(path)
    path.write_text(json.dumps({"people": [{"username": "x", "role": "learner", "oops": 1}]}))
    with pytest.raises(RosterError, match="person #1"):
        load_roster(path)


def test_person_rejects_unknown_role():
    with pytest.raises(RosterError):
        Person("a", "A", "superuser")


@pytest.mark.parametrize("username", ["academy-dashboards", "academy-eoffice", "grader-x"])
def test_a_service_account_name_is_never_a_person_s(username):
    """A person called like a service account would have their server run as it."""
    with pytest.raises(RosterError, match="service accounts"):
        Person(username, "Nguyễn Văn A", "learner")


def test_an_employee_id_like_a_service_account_gets_a_username_of_its_own():
    from people.roster_import import username_for

    assert username_for("ACADEMY-DASHBOARDS") == "cb-academy-dashboards"
    assert username_for("Grader-ds") == "cb-grader-ds"
    assert username_for("CB12345") == "cb12345"
