"""The competency framework file: DigComp 2.2 whole, every platform code mapped to it."""

from __future__ import annotations

import copy
import tomllib

import pytest

from grading.competencies import FRAMEWORK_FILE, FrameworkError, load_framework, parse_framework


def _data() -> dict:
    return tomllib.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))


def test_digcomp_is_whole_and_mapped() -> None:
    framework = load_framework()
    assert framework.name == "DigComp 2.2"
    assert sorted(framework.areas) == ["1", "2", "3", "4", "5"]
    per_area = {area: sum(c.area == area for c in framework.competences.values())
                for area in framework.areas}
    assert per_area == {"1": 3, "2": 6, "3": 4, "4": 4, "5": 4}
    assert [level.group for level in framework.levels] == [
        "foundation", "foundation", "intermediate", "intermediate",
        "advanced", "advanced", "highly_specialised", "highly_specialised"]
    assert framework.competences["4.1"].label.en == "Protecting devices"
    assert framework.competences["4.2"].label.en == "Protecting personal data and privacy"
    assert framework.competences["5.1"].label.en == "Solving technical problems"
    assert sorted(framework.it_standard) == [f"IU0{n}" for n in range(1, 7)]
    # the examples: cybersecurity, the e-office, signature incidents
    assert {"4.1"} <= set(framework.competency("security.phishing").digcomp)
    assert set(framework.competency("security.personal_data").digcomp) == {"4.2"}
    assert {"1.3", "2.1"} <= set(framework.competency("edoc.handling").digcomp)
    assert "5.1" in framework.competency("sign.incidents").digcomp
    assert framework.competency("edoc.handling").label.in_language("vi").startswith("Xử lý")


def test_unknown_code_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown competency code 'security.phish'.*security"):
        load_framework().competency("security.phish")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["platform"]["security.phishing"].update(digcomp=["4.9"]),
     r"platform.security.phishing: unknown references \['4.9'\]"),
    (lambda d: d["platform"]["sign.use"].update(it_standard=["IU07"]),
     r"platform.sign.use: unknown references \['IU07'\]"),
    (lambda d: d["competences"].pop("3.4"), "21 competences, the file has 20"),
    (lambda d: d["areas"]["4"].update(vi=" "), r"areas.4: needs non-empty 'en' and 'vi'"),
    (lambda d: d["levels"].pop(), "8 levels in 4 groups"),
    (lambda d: d["levels"][2].update(group="expert"), r"levels\[3\]: expected level 3"),
    (lambda d: d["platform"].update({"Bad Code": {"en": "x", "vi": "x", "digcomp": ["1.1"]}}),
     "platform.Bad Code: codes look like"),
    (lambda d: d["platform"]["collab.meetings"].update(digcomp=[]), "maps to no DigComp"),
])
def test_a_wrong_file_is_refused_with_the_entry(change, message: str) -> None:
    data = copy.deepcopy(_data())
    change(data)
    with pytest.raises(FrameworkError, match=message):
        parse_framework(data, "competencies.toml")


def test_an_unreadable_file_names_itself(tmp_path) -> None:
    broken = tmp_path / "competencies.toml"
    broken.write_text("[areas\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=str(broken)):
        load_framework(broken)
