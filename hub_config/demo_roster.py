"""The demo roster: learners, a trainer, an HR officer and an admin with Vietnamese names."""

from __future__ import annotations

import random

from faker import Faker

from hub_config.roster import Person

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
MIDDLE_NAMES = {"female": ("Thị", "Thu", "Ngọc", "Thanh"), "male": ("Văn", "Đức", "Quang", "Minh")}


def vietnamese_name(fake: Faker, rng: random.Random) -> str:
    """Family name, middle name, given name: the order Vietnamese names are written in."""
    gender = rng.choice(("female", "male"))
    given = fake.first_name_female() if gender == "female" else fake.first_name_male()
    return f"{fake.last_name()} {rng.choice(MIDDLE_NAMES[gender])} {given}"


def demo_people(seed: int, course_ids: list[str], learners: int = 3) -> list[Person]:
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
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
            role="learner",
            employee_id=employee_id(),
            agency=agencies[(i - 1) % len(agencies)],
            job_title=rng.choice(LEARNER_TITLES),
            courses=tuple(course_ids),
        )
        for i in range(1, learners + 1)
    ]
    people.append(
        Person("trainer1", vietnamese_name(fake, rng), "trainer", employee_id(),
               f"Sở Thông tin và Truyền thông tỉnh {province}", "Giảng viên", tuple(course_ids))
    )
    people.append(
        Person("hr1", vietnamese_name(fake, rng), "hr", employee_id(), f"Sở Nội vụ tỉnh {province}",
               "Chuyên viên tổ chức cán bộ")
    )
    people.append(
        Person("admin1", vietnamese_name(fake, rng), "admin", employee_id(),
               f"Sở Thông tin và Truyền thông tỉnh {province}", "Quản trị hệ thống")
    )
    return people
