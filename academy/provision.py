"""`academy init`: create (idempotently) everything one installation needs."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from academy import unix_accounts
from academy.courses import course_workspace
from common.files import SHARED_LOG_MODE, atomic_write, open_shared
from course_kit.catalog import Course, load_catalog
from grading.certificates import LOCK_FILE as REGISTRY_LOCK_FILE
from grading.certificates import PDF_DIR
from grading.contest import Contest, contest_folders, load_contest
from grading.feedback import FEEDBACK_PREPROCESSORS
from grading.grading_jobs import LOCK_FILE as SPOOL_LOCK_FILE
from grading.grading_jobs import spool_dir
from grading.kernel_sandbox import SANDBOX_ACCOUNT
from grading.nbgrader_runner import NbgraderRunner
from grading.on_submit import waiting_index_file
from grading.rebuild import SANITIZE_PREPROCESSORS
from installation.layout import DataLayout
from installation.settings import (
    DASHBOARDS_ACCOUNT,
    EOFFICE_ACCOUNT,
    InstallSettings,
    Mode,
    grader_account,
)
from people.accounts import (
    add_pending,
    import_legacy_hashes,
    mark_deactivated,
    new_password,
    open_account_store,
    set_password,
    statuses,
)
from people.demo import demo_people
from people.roster import AccountStatus, Person, load_roster, save_roster
from signing.academy_identity import keep_crl_current
from signing.pki import ensure_pki as ensure_academy_pki

Log = Callable[[str], None]
# where the e-office serves the sandbox PKI on the default port (printed in certificates)
SANDBOX_PKI_URL = "http://127.0.0.1:8000/services/eoffice/pki/"


def _same_file(source: Path, installed: Path) -> bool:
    """Whether ``installed`` holds the bytes of ``source`` (a missing file differs)."""
    try:
        return installed.read_bytes() == source.read_bytes()
    except FileNotFoundError:
        return False


@dataclass(frozen=True)
class DatabaseUrls:
    hub: str = ""
    gradebook: str = ""
    eoffice: str = ""
    # or: make every store's database and role on this server (academy.postgres_stores)
    postgres_admin_url: str = ""
    postgres_prefix: str = "academy"


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
        contests = self.contests_in(courses_src)  # checked before anything changes
        if self._planned_mode() is Mode.ISOLATED:
            self.check_reachable_by_accounts(sorted(catalog))
            self.warn_readable_contests(contests)
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
        self._contests(contests)
        self._eoffice(settings, people, isolated)
        ensure_academy_pki(self.layout.pki_dir)
        keep_crl_current(self.layout.pki_dir)  # the dashboards reads it, never signs it
        if isolated:
            self._dashboards_access(sorted(catalog))
        return settings

    def _planned_mode(self) -> Mode:
        if self.layout.settings_file.exists():
            return InstallSettings.load(self.layout).mode
        return Mode.ISOLATED if os.geteuid() == 0 else Mode.SHARED

    def check_reachable_by_accounts(self, course_ids: list[str]) -> None:
        """Isolated mode: every folder above the data directory must be enterable (o+x).

        Learners' servers, the e-office and nbgrader run under their own unix accounts; a
        folder above the data directory that only its owner may enter (a `mktemp -d`
        folder is 0700) would stop them all. Checked before anything is created.
        """
        closed = unix_accounts.closed_folder_above(self.layout.root, skip=self.layout.root)
        if closed is not None:  # (init makes the data directory itself 0711)
            folder, mode = closed
            accounts = [EOFFICE_ACCOUNT, *(grader_account(c) for c in course_ids)]
            raise PermissionError(
                f"isolated mode: {folder} (mode {mode:04o}) cannot be entered by other "
                f"accounts, so the service accounts ({', '.join(accounts)}) and the "
                f"learners' accounts could not reach the data directory "
                f"{self.layout.root}. Nothing was changed. Run `chmod o+x {folder}`, or "
                "choose a data directory under a folder everyone may enter "
                "(e.g. the default /var/lib/academy)."
            )

    def _settings(self, course_ids: list[str], urls: DatabaseUrls) -> InstallSettings:
        try:
            settings = InstallSettings.load(self.layout)
        except FileNotFoundError:
            mode = Mode.ISOLATED if os.geteuid() == 0 else Mode.SHARED
            settings = InstallSettings(
                mode=mode,
                install_seed=secrets.randbelow(10**9),
                hub_db_url=urls.hub,
                gradebook_db_url=urls.gradebook,
                eoffice_db_url=urls.eoffice,
            )
            self.log(f"Initialising a new installation in {self.layout.root} ({mode} mode)")
        if settings.isolated and os.geteuid() != 0:
            raise PermissionError(
                f"{self.layout.root} was initialised in isolated mode: run this as root"
            )
        if urls.postgres_admin_url:
            self._postgres_stores(settings, course_ids, urls)
        settings.course_ids = course_ids
        self.layout.root.mkdir(parents=True, exist_ok=True)
        settings.save(self.layout)
        return settings

    def _postgres_stores(self, settings: InstallSettings, course_ids: list[str],
                         urls: DatabaseUrls) -> None:
        from academy.postgres_stores import StoreSetupError, StoreUrls, ensure_stores

        if urls.hub or urls.gradebook or urls.eoffice:
            raise StoreSetupError("give either --postgres-admin-url or the three database "
                                  "URLs, not both")
        existing = None
        if settings.hub_db_url or settings.gradebook_db_url or settings.eoffice_db_url:
            existing = StoreUrls(settings.hub_db_url, settings.gradebook_db_url,
                                 settings.eoffice_db_url, settings.gradebook_reader_db_url)
        elif self.layout.hub_db_file.exists():
            raise StoreSetupError(
                f"{self.layout.root} already keeps its data in SQLite; moving an installation "
                "to PostgreSQL is a backup and restore onto a new installation, not an init")
        made = ensure_stores(urls.postgres_admin_url, urls.postgres_prefix, course_ids,
                             existing)
        settings.hub_db_url, settings.gradebook_db_url = made.hub, made.gradebook
        settings.eoffice_db_url = made.eoffice
        settings.gradebook_reader_db_url = made.gradebook_reader
        self.log(f"PostgreSQL: databases and roles {urls.postgres_prefix}_* ready; their "
                 f"URLs are in {self.layout.databases_file} (0600)")

    def _directories(self, isolated: bool) -> None:
        L = self.layout
        # traversable but not listable: learners reach the exchange and their homes only
        os.chmod(L.root, 0o711 if isolated else 0o700)
        # (isolated mode: the dashboards' group enters some of them, set at the end of
        # init, _dashboards_access; they are not closed meanwhile)
        shared_with_dashboards = {L.secrets_dir, L.pki_dir, L.certificates_dir,
                                  L.records_dir, L.contests_dir} if isolated else set()
        for private in (L.secrets_dir, L.hub_dir, L.logs_dir, L.pki_dir,
                        L.certificates_dir, L.records_dir, L.contests_dir):
            private.mkdir(mode=0o700, exist_ok=True)
            if private not in shared_with_dashboards:
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

    def _dashboards_access(self, course_ids: list[str]) -> None:
        """Isolated mode: what the dashboards service (``DASHBOARDS_ACCOUNT``) may reach,
        through its group, set again at every init: the roster, the catalogue, the
        gradebooks, what waits for grading (as the grading service publishes it), the
        certificates, the root's certificate and CRL, the contests; it appends to the audit
        log and the completion overrides, queues grading jobs and writes contest results.
        Never the signing keys, the service tokens, databases.json, the hub's or the
        e-office's databases, the exchange, learners' homes. Folders it reads are setgid, so
        that the files root writes there later (0640, ``common.files.SHARED_READ_MODE``) are
        its group's too. Nothing here follows a symbolic link: the dashboards' account (and
        a grader's) may write in some of these folders."""
        L = self.layout
        uid, gid = unix_accounts.ids_of(DASHBOARDS_ACCOUNT)

        def share(path: Path, mode: int, owner: int = 0, group: int = gid) -> None:
            unix_accounts.set_owner_and_mode(L.root, path.relative_to(L.root), owner, group,
                                             mode)

        def share_log(path: Path) -> None:  # appended to by root and by the dashboards
            with contextlib.suppress(OSError):  # (a link: left alone)
                os.close(open_shared(path, os.O_WRONLY | os.O_APPEND, SHARED_LOG_MODE))
            share(path, SHARED_LOG_MODE)

        # its own folder: session key, temporary files (exports), matplotlib's cache
        own = L.dashboards_dir
        own.mkdir(mode=0o700, exist_ok=True)
        share(own, 0o700, uid)
        for folder in (own / "tmp", own / "matplotlib"):
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
            share(folder, 0o700, uid)
        key = own / "secret_key"
        if not key.exists() and not key.is_symlink():
            atomic_write(key, secrets.token_hex(32) + "\n", mode=0o600)
        share(key, 0o600, uid)
        # secrets: enter, never list; the roster only, every other file root's alone
        share(L.secrets_dir, 0o2710)
        for path in L.secrets_dir.iterdir():
            if path.is_file() and not path.is_symlink():
                if path == L.roster_file:
                    share(path, 0o640)
                else:
                    share(path, 0o600, group=0)
        # the root's certificate and CRL (0644) by name; the keys stay 0600, root's
        share(L.pki_dir, 0o710)
        pdfs = L.certificates_dir / PDF_DIR
        pdfs.mkdir(exist_ok=True)
        for folder in (L.certificates_dir, pdfs):
            share(folder, 0o2750)
            for path in folder.iterdir():  # files only (pdf/ is set on its own turn)
                if path.is_file() and not path.is_symlink() and path.name != REGISTRY_LOCK_FILE:
                    share(path, 0o640)
        share(L.records_dir, 0o2710)
        share_log(L.audit_log_file)
        share_log(L.completion_overrides_file)
        share(waiting_index_file(L), 0o640)
        # grading jobs: it queues (new files), the grading service claims and reports;
        # sticky: it cannot replace or remove the files root wrote
        spool = spool_dir(L)
        spool.mkdir(exist_ok=True)
        share(spool, 0o3770)
        share_log(spool / SPOOL_LOCK_FILE)
        for path in spool.glob("*.json"):
            share(path, 0o640, path.lstat().st_uid)
        # contest results: only the dashboards writes them (root reads)
        results = L.records_dir / "contests"
        results.mkdir(exist_ok=True)
        share(results, 0o2770)
        for path in results.glob("*.jsonl"):  # (written as root before: now its own)
            share(path, 0o600, uid)
        # the contests' banks (they hold the key: root's and its group's, never learners')
        share(L.contests_dir, 0o2750)
        for folder in L.contests_dir.iterdir():
            if folder.is_dir() and not folder.is_symlink() and not folder.name.startswith("."):
                share(folder, 0o2750)
                for path in folder.iterdir():
                    share(path, 0o640 if path.is_file() else 0o2750)
        for course_id in course_ids:
            self._share_course(course_id)

    def _share_course(self, course_id: str) -> None:
        """Isolated mode: the dashboards' group may enter the course's folder (its gradebook
        and the feedback's timestamps, by name), never list it."""
        grader = unix_accounts.ids_of(grader_account(course_id))[0]
        unix_accounts.set_owner_and_mode(
            self.layout.root, self.layout.course_dir(course_id).relative_to(self.layout.root),
            grader, unix_accounts.group_id(DASHBOARDS_ACCOUNT), 0o710)

    def _secrets(self, course_ids: list[str]) -> None:
        names = ["proxy_auth_token", "eoffice_api_token", "grading_api_token",
                 "roster_api_token", "dashboards_api_token"]
        names += [f"course_api_token_{cid}" for cid in course_ids]
        for name in names:
            path = self.layout.secret_file(name)
            if not path.exists():
                atomic_write(path, secrets.token_hex(32) + "\n")
        cookie = self.layout.secret_file("cookie_secret")
        if not cookie.exists():
            atomic_write(cookie, secrets.token_hex(32) + "\n")

    def _roster(self, settings: InstallSettings) -> list[Person]:
        L = self.layout
        if L.roster_file.exists():
            people = load_roster(L.roster_file)
        else:
            people = demo_people(settings.install_seed, settings.course_ids)
            save_roster(L.roster_file, people)
        self._accounts(settings, people)
        return people

    def _accounts(self, settings: InstallSettings, people: list[Person]) -> None:
        """Hub accounts (NativeAuthenticator's table in the hub's database): a random
        password for each active person who has no account yet (written to accounts.txt,
        0600, for the demo), a not-yet-activated account for everyone else; HR hands out
        their activation codes (``academy accounts codes``). An installation made before
        NativeAuthenticator has its scrypt hashes carried over."""
        L = self.layout
        sessions = open_account_store(settings.hub_url(L))
        with sessions() as session, session.begin():
            if L.legacy_password_hashes_file.exists():
                hashes = json.loads(L.legacy_password_hashes_file.read_text(encoding="utf-8"))
                moved = import_legacy_hashes(session, hashes)
                self.log(f"{moved} password hashes moved to the hub's account store")
            known = set(statuses(session))
            missing = [p for p in people
                       if p.status is AccountStatus.ACTIVE and p.username not in known]
            lines = []
            if missing and L.accounts_file.exists():
                lines = L.accounts_file.read_text(encoding="utf-8").splitlines()
            for person in missing:
                password = new_password()
                set_password(session, person.username, password)
                lines.append(f"{person.role}\t{person.username}\t{password}\t{person.full_name}")
            add_pending(session, [p.username for p in people if p.can_log_in])
            mark_deactivated(session, {p.username for p in people if not p.can_log_in})
            if missing:
                atomic_write(L.accounts_file, "\n".join(lines) + "\n")
        L.legacy_password_hashes_file.unlink(missing_ok=True)  # once the move is committed

    def provision_people(self, people: list[Person]) -> None:
        """What a changed roster needs (``academy roster import``): passwords, unix
        accounts and homes, and the learners as nbgrader students of their courses. The hub
        reads the roster when it starts; e-office agencies are created on first visit."""
        settings = InstallSettings.load(self.layout)
        self._accounts(settings, people)
        if settings.isolated:
            for person in people:
                unix_accounts.ensure_account(person.username, person.full_name)
        self._homes(people, settings.isolated)
        for course_id in settings.course_ids:
            self._gradebook_students(
                settings.gradebook_url(self.layout, course_id), course_id, people
            )

    def _unix_accounts(self, people: list[Person], course_ids: list[str]) -> None:
        for person in people:
            unix_accounts.ensure_account(person.username, person.full_name)
        unix_accounts.ensure_account(EOFFICE_ACCOUNT, "sandbox e-office")
        # the academy's own pages (docs/architecture.md): owns nothing but its own folder
        unix_accounts.ensure_account(DASHBOARDS_ACCOUNT, "academy dashboards", home=False)
        # grading kernels run as this account, which owns nothing (grading.kernel_sandbox)
        unix_accounts.ensure_account(SANDBOX_ACCOUNT, "grading sandbox", home=False)
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

    def _course(
        self,
        course: Course,
        src: Path,
        settings: InstallSettings,
        people: list[Person],
        isolated: bool,
    ) -> None:
        L = self.layout
        # running servers read the catalogue: replace it in one step
        atomic_write(L.catalog_dir / f"{course.id}.toml", (src / "course.toml").read_bytes(),
                     mode=0o644)
        course_dir = L.course_dir(course.id)
        fresh = not course_dir.exists()
        course_dir.mkdir(mode=0o700, exist_ok=True)
        if fresh:
            shutil.copytree(src / "source", course_dir / "source")
            self.log(f"Course {course.id}: sources copied from {src}")
        db_url = settings.gradebook_url(L, course.id)
        # the course's own settings (the platform's are in hub_config/nbgrader_config.py);
        # the feedback preprocessors are repeated here so that a trainer's own
        # `nbgrader generate_feedback` in this folder never shows the hidden tests either
        atomic_write(
            course_dir / "nbgrader_config.py",
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(course_dir)!r}\n"
            f"c.CourseDirectory.course_id = {course.id!r}\n"
            f"c.CourseDirectory.db_url = {db_url!r}\n"
            f"c.GenerateFeedback.preprocessors = {FEEDBACK_PREPROCESSORS!r}\n"
            f"c.Autograde.sanitize_preprocessors = {SANITIZE_PREPROCESSORS!r}\n",
            # the grader's only: it holds the gradebook's URL (with the grader role's
            # password on PostgreSQL), and the dashboards' group may enter this folder
            mode=0o600,
        )
        exchange_course = L.exchange_dir / course.id
        exchange_course.mkdir(exist_ok=True)
        if not isolated:  # (isolated: 0710 for the dashboards' group, _share_course)
            os.chmod(course_dir, 0o700)
        if isolated:
            unix_accounts.give(exchange_course, grader_account(course.id), 0o755)
        self._gradebook_students(db_url, course.id, people)
        if isolated:
            unix_accounts.give_tree(course_dir, grader_account(course.id))
            self._share_course(course.id)  # (give_tree gave the folder the grader's group)
        unreleased = [
            m for m in course.modules if not (exchange_course / "outbound" / m.id).exists()
        ]
        if not unreleased:
            return
        run_as = grader_account(course.id) if isolated else None
        workspace = course_workspace(L, settings, course.id)
        with NbgraderRunner.with_private_log(workspace, run_as) as runner:
            for module in unreleased:
                runner.run_checked("generate_assignment", module.id, "--force")
                runner.run_checked("release_assignment", module.id, "--force")
                self.log(f"Course {course.id}: module {module.id} released")

    def warn_readable_contests(self, contests: list[Contest]) -> None:
        """Isolated mode: a contest's bank holds the key, and the learners have accounts on
        this machine. A contest folder of the courses source (the checkout) whose files other
        accounts can read (``o+r``, with every folder above enterable) would hand them the
        key whatever the installed copy's modes: said loudly, with the chmod that closes it.
        The checkout is not changed here (it is the administrator's)."""
        for contest in contests:
            folder = contest.folder.resolve()
            if unix_accounts.closed_folder_above(folder) is not None:
                continue  # a folder on the way is closed to others: nothing readable
            readable = [f"{name} ({stat.S_IMODE((folder / name).stat().st_mode):04o})"
                        for name in contest.files
                        if (folder / name).stat().st_mode & stat.S_IROTH]
            if readable:
                self.log(
                    f"WARNING: isolated mode: the contest {contest.contest_id} in {folder} can "
                    f"be read by other users of this machine, learners included: "
                    f"{', '.join(readable)}; its bank holds the right answers. Close it with "
                    f"`chmod -R go-rwx {shlex.quote(str(folder))}` (academy init installs its "
                    "own copy, root's only, and does not change the checkout).")

    @staticmethod
    def contests_in(courses_src: Path) -> list[Contest]:
        """The catalogue's contests (``*/contest.toml``, docs/contest.md), each checked:
        ``grading.contest.ContestError`` names the file and the problem."""
        return [load_contest(folder) for folder in contest_folders(courses_src)]

    def _contests(self, contests: list[Contest]) -> None:
        """Each contest's files (contest.toml and its bank notebooks) copied to
        ``<data>/contests/<id>/``. The bank holds the key, so like a course's sources it is
        closed to learners: folders 0700 and files 0600 of the account running `academy init`
        (root in isolated mode), which the dashboards (the hub's account) reads. A contest
        already installed is kept as it is, as a course's sources are: the draws of the
        people who started depend on its bank; its modes are set again, and when it differs
        from the checkout's that is said, with how to install the checkout's."""
        L = self.layout
        L.contests_dir.mkdir(exist_ok=True)
        os.chmod(L.contests_dir, 0o700)
        for contest in contests:
            target = L.contests_dir / contest.contest_id
            if target.exists():
                differ = [name for name in contest.files
                          if not _same_file(contest.folder / name, target / name)]
                if differ:
                    self.log(
                        f"Contest {contest.contest_id}: the installed copy {target} differs from "
                        f"{contest.folder} ({', '.join(differ)}) and is kept as it is. To install "
                        f"the checkout's, remove {target} and run `academy init` again, but not "
                        "while people take the contest (docs/contest.md)")
            else:
                staging = L.contests_dir / f".{contest.contest_id}.new"
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir(mode=0o700)
                for name in contest.files:
                    shutil.copyfile(contest.folder / name, staging / name)
                os.rename(staging, target)  # whole or not at all
                self.log(f"Contest {contest.contest_id}: copied from {contest.folder}")
            os.chmod(target, 0o700)
            for path in target.iterdir():
                os.chmod(path, 0o600 if path.is_file() else 0o700)

    @staticmethod
    def _gradebook_students(db_url: str, course_id: str, people: list[Person]) -> None:
        """Learners of the course as nbgrader students (names shown in formgrader); the
        new ones in one transaction, so that a roster of thousands takes seconds."""
        from nbgrader.api import Gradebook, Student

        with Gradebook(db_url, course_id=course_id) as gradebook:
            known = {s.id: s for s in gradebook.db.query(Student).all()}
            for person in people:
                if not (person.is_learner and course_id in person.courses):
                    continue
                family, _, given = person.full_name.partition(" ")
                student = known.get(person.username)
                if student is None:
                    gradebook.db.add(Student(
                        id=person.username, last_name=family, first_name=given,
                        email=person.email or None,
                    ))
                else:
                    student.last_name, student.first_name = family, given
                    student.email = person.email or None
            gradebook.db.commit()

    def _eoffice(self, settings: InstallSettings, people: list[Person], isolated: bool) -> None:
        from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
        from sandbox_eoffice.seeding import provision_tenant
        from sandbox_eoffice.signatures import add_samples_to_inbox, ensure_pki, ensure_samples

        L = self.layout
        url = settings.eoffice_url(L)
        secret = L.eoffice_dir / "secret_key"
        if not secret.exists():
            atomic_write(secret, secrets.token_hex(32) + "\n")
        upgrade(url)
        # the sandbox training PKI (root, issuing CA, TSA, OCSP responder), its keys in the
        # e-office's own directory; its URLs assume the default port (informational only:
        # the platform's own validation never fetches)
        pki = ensure_pki(L.eoffice_dir, SANDBOX_PKI_URL)
        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as session:
                ensure_samples(session, pki)  # the verification exercises, once
                for person in people:
                    if person.is_learner:
                        tenant = provision_tenant(session, person.username, person.full_name,
                                                  settings.install_seed)
                        add_samples_to_inbox(session, tenant)
                session.commit()
        finally:
            engine.dispose()
        if isolated:
            # created by root above; the e-office service account owns its files
            unix_accounts.give_tree(L.eoffice_dir, EOFFICE_ACCOUNT)
