"""A small academy installation made by hand for the dashboards' tests: settings, a roster of
every role, a catalog of two courses and real nbgrader gradebooks with grades in every state.

    digital-signatures (its first module only, pass mark 70 %): an 9/10 (passed), binh 3/10
        (failed), chi not submitted; trainer giang
    cybersecurity (2 modules, pass mark 60 %): an 8/10 + waiting for a manual grade,
        dung 10/10 + 9/10 (passed), chi nothing; trainer khoa
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook

from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from people.roster import Person, save_roster

REPO = Path(__file__).resolve().parents[2]
DS = "digital-signatures"
DS_MODULE = "ds01-what-a-signature-proves"
CYBER = "cybersecurity"
CYBER_MODULES = ("cs01-passwords-and-mfa", "cs02-phishing")
PREFIX = "/services/dashboards"
TAI_CHINH = "Sở Tài chính tỉnh Phú Thọ"
NOI_VU = "Sở Nội vụ tỉnh Quảng Bình"

ROSTER = [
    Person("an", "Nguyễn Văn An", "learner", "CB-1", TAI_CHINH, "Chuyên viên",
           courses=(DS, CYBER), unit="Phòng Ngân sách", date_of_birth="1988-04-12"),
    Person("binh", "Trần Thị Bình", "learner", "CB-2", NOI_VU, "Chuyên viên", courses=(DS,)),
    Person("chi", "Lê Thị Chi", "learner", "CB-3", NOI_VU, "Văn thư", courses=(DS, CYBER)),
    Person("dung", "Phạm Văn Dũng", "learner", "CB-4", TAI_CHINH, "Kế toán",
           courses=(CYBER,)),
    Person("giang", "Đỗ Thị Giang", "trainer", "CB-10", "Sở TT&TT", courses=(DS,)),
    Person("khoa", "Lê Văn Khoa", "trainer", "CB-11", "Sở TT&TT", courses=(CYBER,)),
    Person("hoa", "Vũ Thị Hoa", "hr", "CB-20", NOI_VU),
    Person("minh", "Phạm Minh", "admin", "CB-30", "Sở TT&TT"),
]

CYBER_TOML = f"""id = "{CYBER}"
title = "Cybersecurity for civil servants"
title_vi = "An toàn thông tin cho cán bộ, công chức"
pass_percent = 60

[[modules]]
id = "{CYBER_MODULES[0]}"
title = "Passwords, passphrases and MFA"
title_vi = "Mật khẩu, cụm mật khẩu và xác thực đa yếu tố"
notebook = "passwords.ipynb"
competencies = {{ "security.devices" = 2 }}

[[modules]]
id = "{CYBER_MODULES[1]}"
title = "Phishing"
title_vi = "Thư điện tử giả mạo"
notebook = "phishing.ipynb"
competencies = {{ "security.phishing" = 2 }}
"""


def ds01_only_course_toml() -> str:
    """The real digital-signatures course file with its first module only: the installations
    of these tests have gradebooks for ds01 alone, so the course's other modules would leave
    every learner short of completing it."""
    text = (REPO / "courses" / DS / "course.toml").read_text(encoding="utf-8")
    head, first, *_others = text.split("\n[[modules]]")
    return f"{head}\n[[modules]]{first}"


def _grade(gb: Gradebook, module: str, student: str, score: float | None, day: int) -> None:
    """A submission of `module` by `student`; `score` None: waiting for a manual grade."""
    gb.update_or_create_student(student)
    with gb.db.no_autoflush:
        gb.add_submission(module, student, timestamp=datetime(2026, 3, day, 2, 0))
    grade = gb.find_grade("q1", "nb", module, student)
    grade.auto_score = score
    grade.needs_manual_grade = score is None
    gb.db.commit()


def _gradebook(layout: DataLayout, course_id: str, modules: tuple[str, ...],
               grades: list[tuple[str, str, float | None, int]]) -> None:
    layout.course_dir(course_id).mkdir(parents=True, exist_ok=True)
    with Gradebook(f"sqlite:///{layout.gradebook_file(course_id)}", course_id) as gb:
        for module in modules:
            gb.add_assignment(module)
            gb.add_notebook("nb", module)
            gb.add_grade_cell("q1", "nb", module, max_score=10, cell_type="code")
        for module, student, score, day in grades:
            _grade(gb, module, student, score, day)


def build_installation(root: Path) -> DataLayout:
    """The installation described above, in `root`."""
    layout = DataLayout.at(root)
    InstallSettings(Mode.SHARED, 1, [DS, CYBER]).save(layout)
    save_roster(layout.roster_file, ROSTER)
    layout.catalog_dir.mkdir(parents=True, exist_ok=True)
    (layout.catalog_dir / f"{DS}.toml").write_text(ds01_only_course_toml(), encoding="utf-8")
    (layout.catalog_dir / f"{CYBER}.toml").write_text(CYBER_TOML, encoding="utf-8")
    old_path = os.environ["PATH"]
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old_path}"  # alembic
    try:
        _gradebook(layout, DS, (DS_MODULE,), [(DS_MODULE, "an", 9, 2), (DS_MODULE, "binh", 3, 3)])
        _gradebook(layout, CYBER, CYBER_MODULES, [
            (CYBER_MODULES[0], "an", 8, 4), (CYBER_MODULES[1], "an", None, 5),
            (CYBER_MODULES[0], "dung", 10, 4), (CYBER_MODULES[1], "dung", 9, 6)])
    finally:
        os.environ["PATH"] = old_path
    return layout
