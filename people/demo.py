"""The demo roster: learners, a trainer, an HR officer and an admin with Vietnamese names."""

from __future__ import annotations

import random

from common.roles import Role
from people.roster import Person
from sample_data import vietnamese_faker, vietnamese_name

PROVINCES = ("Phú Thọ", "Cao Bằng", "Quảng Bình", "Bắc Ninh", "Vĩnh Phúc")
AGENCY_PATTERNS = (
    "Sở Thông tin và Truyền thông tỉnh {p}",
    "Sở Nội vụ tỉnh {p}",
    "Văn phòng UBND tỉnh {p}",
    "Sở Kế hoạch và Đầu tư tỉnh {p}",
    "UBND thành phố {town}",
)
TOWNS = {
    "Phú Thọ": "Việt Trì",
    "Cao Bằng": "Cao Bằng",
    "Quảng Bình": "Đồng Hới",
    "Bắc Ninh": "Bắc Ninh",
    "Vĩnh Phúc": "Vĩnh Yên",
}
LEARNER_TITLES = ("Chuyên viên", "Văn thư", "Chuyên viên chính", "Cán bộ một cửa")


def demo_people(seed: int, course_ids: list[str], learners: int = 3) -> list[Person]:
    fake = vietnamese_faker(seed)
    rng = random.Random(seed)
    province = rng.choice(PROVINCES)
    agencies = [a.format(p=province, town=TOWNS[province]) for a in AGENCY_PATTERNS]
    used_ids: set[str] = set()

    def employee_id() -> str:
        while True:
            value = f"CC{rng.randrange(10**5, 10**6)}"
            if value not in used_ids:
                used_ids.add(value)
                return value

    people = [
        Person(
            username=f"learner{i}",
            full_name=vietnamese_name(fake, rng),
            role=Role.LEARNER,
            employee_id=employee_id(),
            agency=agencies[(i - 1) % len(agencies)],
            job_title=rng.choice(LEARNER_TITLES),
            courses=tuple(course_ids),
        )
        for i in range(1, learners + 1)
    ]
    people.append(
        Person("trainer1", vietnamese_name(fake, rng), Role.TRAINER, employee_id(),
               f"Sở Thông tin và Truyền thông tỉnh {province}", "Giảng viên", tuple(course_ids))
    )
    people.append(
        Person("hr1", vietnamese_name(fake, rng), Role.HR, employee_id(),
               f"Sở Nội vụ tỉnh {province}", "Chuyên viên tổ chức cán bộ")
    )
    people.append(
        Person("admin1", vietnamese_name(fake, rng), Role.ADMIN, employee_id(),
               f"Sở Thông tin và Truyền thông tỉnh {province}", "Quản trị hệ thống")
    )
    return people
