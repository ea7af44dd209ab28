"""Vietnamese sample data (Faker ``vi_VN``): the one place that makes up people.

Used by the demo roster (``people.demo``), the sandbox e-office's tenants
(``sandbox_eoffice.seeding``) and the benchmarks. Everything is deterministic for a given
``Faker`` seed and ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from faker import Faker

MALE_MIDDLE_NAMES = ("Văn", "Đức", "Hữu", "Minh", "Quốc", "Xuân")
FEMALE_MIDDLE_NAMES = ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng")


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True)
class SamplePerson:
    full_name: str  # family name, middle name, given name: the Vietnamese order
    gender: Gender


def vietnamese_faker(seed: int) -> Faker:
    """A ``vi_VN`` Faker seeded for reproducible data."""
    faker = Faker("vi_VN")
    faker.seed_instance(seed)
    return faker


def sample_person(faker: Faker, rng: random.Random) -> SamplePerson:
    """A made-up Vietnamese person: family name, middle name, given name."""
    if rng.random() < 0.5:
        middle = rng.choice(MALE_MIDDLE_NAMES)
        return SamplePerson(f"{faker.last_name()} {middle} {faker.first_name_male()}", Gender.MALE)
    middle = rng.choice(FEMALE_MIDDLE_NAMES)
    return SamplePerson(
        f"{faker.last_name()} {middle} {faker.first_name_female()}", Gender.FEMALE
    )


def vietnamese_name(faker: Faker, rng: random.Random) -> str:
    """The full name of ``sample_person``."""
    return sample_person(faker, rng).full_name
