"""`academy init`: create (idempotently) everything one installation needs."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from course_kit.catalog import Course, load_catalog

from grading.feedback import FEEDBACK_PREPROCESSORS
from hub_config import unix_accounts
from hub_config.demo_roster import demo_people
from hub_config.layout import DataLayout
from hub_config.nbgrader_runner import CourseRunner
from hub_config.passwords import hash_password, load_hashes, new_password, save_hashes
from hub_config.pki import ensure_pki
from hub_config.roster import Person, load_roster, save_roster, write_private_file
from hub_config.settings import (
    EOFFICE_ACCOUNT,
    ISOLATED,
    SHARED,
    InstallSettings,
    grader_account,
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class DatabaseUrls:
    hub: str = ""
    gradebook: str = ""
    eoffice: str = ""


class Installation:
    """One data directory, seen by the process that administers it (root in isolated mode)."""

    def __init__(self, layout: DataLayout, log: Log = print) -> None:
        self.layout = layout
        self.log = log

    @property
    def isolated(self) -> bool:
        return InstallSettings.load(self.layout).isolated

    # -- init ---------------------------------------------------------------------------
    def init(self, courses_src: Path, urls: DatabaseUrls = DatabaseUrls()) -> InstallSettings:
        catalog = load_catalog(courses_src)
        if not catalog:
            raise FileNotFoundError(f"{courses_src}: no course (no */course.toml)")
        settings = self._settings(sorted(catalog), urls)
        isolated = settings.isolated
        self._directories(isolated)
        self._secrets(sorted(catalog))
        people = self._roster(settings)
        if isolated:
            self._unix_accounts(people, sorted(catalog))
        self._homes(people, isolated)
        for course in catalog.values():
            self._course(course, courses_src / course.id, settings, people, isolated)
        self._eoffice(settings, people, isolated)
        ensure_pki(self.layout.pki_dir)
        return settings

    def _settings(self, course_ids: list[str], urls: DatabaseUrls) -> InstallSettings:
        try:
            settings = InstallSettings.load(self.layout)
        except FileNotFoundError:
            mode = ISOLATED if os.geteuid() == 0 else SHARED
            settings = InstallSettings(
                mode=mode,
                install_seed=secrets.randbelow(10**9),
                hub_db_url=urls.hub,
                gradebook_db_url=urls.gradebook,
                eoffice_db_url=urls.eoffice,
            )
            self.log(f"Initialising a new installation in {self.layout.root} ({mode} mode)")
        if settings.mode == ISOLATED and os.geteuid() != 0:
            raise PermissionError(
                f"{self.layout.root} was initialised in isolated mode: run this as root"
            )
        settings.course_ids = course_ids
        self.layout.root.mkdir(parents=True, exist_ok=True)
        settings.save(self.layout)
        return settings

    def _directories(self, isolated: bool) -> None:
        L = self.layout
        # traversable but not listable: learners reach the exchange and their homes only
        os.chmod(L.root, 0o711 if isolated else 0o700)
        for private in (L.secrets_dir, L.hub_dir, L.logs_dir, L.pki_dir):
            private.mkdir(exist_ok=True)
            os.chmod(private, 0o700)
        for shared in (L.catalog_dir, L.courses_dir, L.homes_dir):
            shared.mkdir(exist_ok=True)
            os.chmod(shared, 0o755 if shared == L.catalog_dir else 0o711)
        L.eoffice_dir.mkdir(exist_ok=True)
        os.chmod(L.eoffice_dir, 0o700)
        L.exchange_dir.mkdir(exist_ok=True)
        # nbgrader's model: exchange root 0777 (we add the sticky bit: no one can remove
        # or rename another's folder at the top level)
        os.chmod(L.exchange_dir, 0o1777)  # noqa: S103

    def _secrets(self, course_ids: list[str]) -> None:
        names = ["proxy_auth_token", "eoffice_api_token", "grading_api_token"]
        names += [f"course_api_token_{cid}" for cid in course_ids]
        for name in names:
            path = self.layout.secret_file(name)
            if not path.exists():
                write_private_file(path, secrets.token_hex(32) + "\n")
        cookie = self.layout.secret_file("cookie_secret")
        if not cookie.exists():
            write_private_file(cookie, secrets.token_hex(32) + "\n")

    def _roster(self, settings: InstallSettings) -> list[Person]:
        L = self.layout
        if L.roster_file.exists():
            people = load_roster(L.roster_file)
        else:
            people = demo_people(settings.install_seed, settings.course_ids)
            save_roster(L.roster_file, people)
        hashes = load_hashes(L.password_hashes_file)
        missing = [p for p in people if p.username not in hashes]
        if missing:
            lines = []
            if L.accounts_file.exists():
                lines = L.accounts_file.read_text(encoding="utf-8").splitlines()
            for person in missing:
                password = new_password()
                hashes[person.username] = hash_password(password)
                lines.append(f"{person.role}\t{person.username}\t{password}\t{person.full_name}")
            write_private_file(L.accounts_file, "\n".join(lines) + "\n")
            save_hashes(L.password_hashes_file, hashes)
        return people

    def _unix_accounts(self, people: list[Person], course_ids: list[str]) -> None:
        for person in people:
            unix_accounts.ensure_account(person.username, person.full_name)
        unix_accounts.ensure_account(EOFFICE_ACCOUNT, "sandbox e-office")
        for course_id in course_ids:
            unix_accounts.ensure_account(grader_account(course_id), f"grader {course_id}")

    def _homes(self, people: list[Person], isolated: bool) -> None:
        for person in people:
            home = self.layout.home_dir(person.username)
            home.mkdir(exist_ok=True)
            if isolated:
                unix_accounts.give(home, person.username, 0o700)
            else:
                os.chmod(home, 0o700)

    def course_runner(self, course_id: str) -> CourseRunner:
        settings = InstallSettings.load(self.layout)
        return CourseRunner(
            course_dir=self.layout.course_dir(course_id),
            exchange_dir=self.layout.exchange_dir,
            run_as=grader_account(course_id) if settings.isolated else None,
        )

    def _course(
        self,
        course: Course,
        src: Path,
        settings: InstallSettings,
        people: list[Person],
        isolated: bool,
    ) -> None:
        L = self.layout
        shutil.copyfile(src / "course.toml", L.catalog_dir / f"{course.id}.toml")
        os.chmod(L.catalog_dir / f"{course.id}.toml", 0o644)
        course_dir = L.course_dir(course.id)
        fresh = not course_dir.exists()
        course_dir.mkdir(exist_ok=True)
        if fresh:
            shutil.copytree(src / "source", course_dir / "source")
            self.log(f"Course {course.id}: sources copied from {src}")
        db_url = settings.gradebook_url(L, course.id)
        (course_dir / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(course_dir)!r}\n"
            f"c.CourseDirectory.course_id = {course.id!r}\n"
            f"c.CourseDirectory.db_url = {db_url!r}\n"
            "# feedback never shows hidden tests (grading/feedback.py)\n"
            f"c.GenerateFeedback.preprocessors = {FEEDBACK_PREPROCESSORS!r}\n",
            encoding="utf-8",
        )
        exchange_course = L.exchange_dir / course.id
        exchange_course.mkdir(exist_ok=True)
        os.chmod(course_dir, 0o700)
        if isolated:
            unix_accounts.give(exchange_course, grader_account(course.id), 0o755)
        self._gradebook_students(db_url, course.id, people)
        if isolated:
            unix_accounts.give_tree(course_dir, grader_account(course.id))
        runner = self.course_runner(course.id)
        for module in course.modules:
            released = exchange_course / "outbound" / module.id
            if not released.exists():
                runner.run(["generate_assignment", module.id, "--force"])
                runner.run(["release_assignment", module.id, "--force"])
                self.log(f"Course {course.id}: module {module.id} released")

    @staticmethod
    def _gradebook_students(db_url: str, course_id: str, people: list[Person]) -> None:
        """Learners of the course as nbgrader students (names shown in formgrader)."""
        from nbgrader.api import Gradebook

        with Gradebook(db_url, course_id=course_id) as gradebook:
            for person in people:
                if person.role == "learner" and course_id in person.courses:
                    family, _, given = person.full_name.partition(" ")
                    gradebook.update_or_create_student(
                        person.username, last_name=family, first_name=given
                    )

    def _eoffice(self, settings: InstallSettings, people: list[Person], isolated: bool) -> None:
        from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
        from sandbox_eoffice.seeding import provision_tenant

        L = self.layout
        url = settings.eoffice_url(L)
        secret = L.eoffice_dir / "secret_key"
        if not secret.exists():
            write_private_file(secret, secrets.token_hex(32) + "\n")
        upgrade(url)
        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as session:
                for person in people:
                    if person.role == "learner":
                        provision_tenant(session, person.username, person.full_name,
                                         settings.install_seed)
                session.commit()
        finally:
            engine.dispose()
        if isolated:
            # created by root above; the e-office service account owns its files
            unix_accounts.give_tree(L.eoffice_dir, EOFFICE_ACCOUNT)
