from hub_config.rbac import (
    CAMPAIGN_MANAGER_SCOPE,
    CERTIFICATE_OFFICER_SCOPE,
    CUSTOM_SCOPES,
    EVIDENCE_SCOPE,
    hub_groups,
    hub_roles,
)
from people.demo import demo_people


def _scopes_of_group(roles, group):
    return {s for r in roles if group in r.get("groups", []) for s in r["scopes"]}


def test_course_groups_follow_nbgrader_conventions():
    people = demo_people(5, ["digital-signatures"])
    groups = hub_groups(people, ["digital-signatures"])
    learners = {p.username for p in people if p.role == "learner"}
    trainers = {p.username for p in people if p.role == "trainer"}
    assert set(groups["nbgrader-digital-signatures"]["users"]) == learners
    assert set(groups["formgrade-digital-signatures"]["users"]) == trainers | {
        "grader-digital-signatures"
    }
    assert set(groups["learner"]["users"]) == learners


def test_learners_cannot_reach_formgrader_or_evidence():
    roles = hub_roles(["digital-signatures"])
    learner_scopes = _scopes_of_group(roles, "learner") | _scopes_of_group(
        roles, "nbgrader-digital-signatures"
    )
    assert "access:services!service=digital-signatures" not in learner_scopes
    assert EVIDENCE_SCOPE not in learner_scopes
    assert CERTIFICATE_OFFICER_SCOPE not in learner_scopes  # no approving their own certificate
    assert "access:services!service=eoffice" in learner_scopes
    trainer_scopes = _scopes_of_group(roles, "trainer") | _scopes_of_group(
        roles, "formgrade-digital-signatures"
    )
    assert "access:services!service=digital-signatures" in trainer_scopes
    assert EVIDENCE_SCOPE in trainer_scopes
    assert CERTIFICATE_OFFICER_SCOPE in trainer_scopes
    assert CERTIFICATE_OFFICER_SCOPE in CUSTOM_SCOPES


def test_grading_service_token_reads_evidence():
    roles = {r["name"]: r for r in hub_roles(["digital-signatures"])}
    assert roles["grading-service"]["services"] == ["grading"]
    assert EVIDENCE_SCOPE in roles["grading-service"]["scopes"]


def test_trainers_run_campaigns_and_the_eoffice_reads_the_classes():
    roles = hub_roles(["digital-signatures"])
    assert CAMPAIGN_MANAGER_SCOPE in _scopes_of_group(roles, "trainer")
    assert CAMPAIGN_MANAGER_SCOPE not in _scopes_of_group(roles, "learner")
    assert CAMPAIGN_MANAGER_SCOPE in CUSTOM_SCOPES
    eoffice = next(r for r in roles if r.get("services") == ["eoffice"])
    # the members of the hub's groups, nothing to change
    assert set(eoffice["scopes"]) == {"list:groups", "read:groups"}


def test_every_role_reaches_the_dashboards_service():
    roles = hub_roles(["digital-signatures"])
    access = "access:services!service=dashboards"
    for group in ("learner", "trainer", "hr"):
        assert access in _scopes_of_group(roles, group), group


def test_each_role_page_scope_belongs_to_its_role_only():
    """The dashboards' role pages: each scope held by exactly the roles that may open the
    page (the export by HR officers and admins, as the CLI), declared, and carried by the
    dashboards' login."""
    from common.roles import CLASSES_SCOPE, EXPORT_SCOPE, PLATFORM_SCOPE, RECORDS_SCOPE
    from hub_config.rbac import DASHBOARDS_LOGIN_SCOPES

    roles = hub_roles(["digital-signatures"])
    holders = {
        scope: {group for group in ("learner", "trainer", "hr", "admin")
                if scope in _scopes_of_group(roles, group)}
        for scope in (CLASSES_SCOPE, RECORDS_SCOPE, EXPORT_SCOPE, PLATFORM_SCOPE)
    }
    assert holders == {CLASSES_SCOPE: {"trainer"}, RECORDS_SCOPE: {"hr"},
                       EXPORT_SCOPE: {"hr", "admin"}, PLATFORM_SCOPE: {"admin"}}
    assert set(holders) <= set(CUSTOM_SCOPES)
    assert set(DASHBOARDS_LOGIN_SCOPES) == set(holders)
    for group in ("trainer", "hr", "admin"):
        assert "access:services!service=dashboards" in _scopes_of_group(roles, group)


def test_people_land_on_their_role_home_page():
    from types import SimpleNamespace

    from hub_config.landing import home_url, role_home_path

    assert role_home_path({"trainer", "formgrade-digital-signatures"}) == \
        "services/dashboards/trainer/"
    assert role_home_path({"hr"}) == "services/dashboards/hr/"
    assert role_home_path({"admin"}) == "services/dashboards/admin/"
    assert role_home_path({"learner", "nbgrader-digital-signatures"}) == ""

    def handler(*groups):
        user = SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups])
        return SimpleNamespace(current_user=user, base_url="/academy/")

    assert home_url(handler("hr")) == "/academy/services/dashboards/hr/"
    assert home_url(handler("learner")) == ""  # the hub's default: the learner's server
    assert home_url(SimpleNamespace(current_user=None, base_url="/")) == ""


COURSES = ["digital-signatures", "e-documents"]


def _course_service_roles(roles):
    return {r["name"]: r for r in roles if r["name"].startswith("course-service")}


def test_each_course_service_token_has_a_role_of_its_own():
    """One role per course, held by that course's service only (no shared role: one
    course's grader account acts on its own course and no other)."""
    from jupyterhub.scopes import _check_scopes_exist

    roles = hub_roles(COURSES)
    course_roles = _course_service_roles(roles)
    assert set(course_roles) == {f"course-service-{c}" for c in COURSES}
    for course in COURSES:
        role = course_roles[f"course-service-{course}"]
        assert role["services"] == [course]
        assert not role.get("users") and not role.get("groups")
        _check_scopes_exist(role["scopes"])  # every scope is one the hub knows


def test_no_course_service_token_administers_users_or_groups():
    from jupyterhub.scopes import expand_scopes

    for role in _course_service_roles(hub_roles(COURSES)).values():
        expanded = expand_scopes(role["scopes"])
        unfiltered = {s for s in expanded if "!" not in s}
        # every scope it holds is filtered to one group, user or service
        assert not unfiltered, unfiltered
        bases = {s.split("!", 1)[0] for s in expanded}
        for forbidden in ("admin:users", "admin:groups", "users", "delete:users",
                          "delete:groups", "admin:servers", "servers", "tokens",
                          "read:users", "list:users", "access:servers"):
            assert forbidden not in bases, (role["name"], forbidden)


def test_each_course_service_token_acts_on_its_own_course_only():
    """Group scopes on the course's class (nbgrader-<course>) only: never `admin`,
    `formgrade-<course>` (which opens a formgrader) nor another course's groups; users'
    groups read of its own grader account only; services of its own course only."""
    from jupyterhub.scopes import expand_scopes

    course_roles = _course_service_roles(hub_roles(COURSES))
    for course in COURSES:
        expanded = expand_scopes(course_roles[f"course-service-{course}"]["scopes"])
        filters = {s.split("!", 1)[1] for s in expanded}
        assert filters == {f"group=nbgrader-{course}", f"user=grader-{course}",
                           f"service={course}"}, filters
        # what nbgrader's hub plugin calls: add to and remove from the class, list the
        # class, the grader account's courses; the course list's service prefix
        assert f"groups!group=nbgrader-{course}" in expanded
        assert f"list:groups!group=nbgrader-{course}" in expanded
        assert f"read:users:groups!user=grader-{course}" in expanded
        assert f"read:services!service={course}" in expanded
        group_scopes = {s for s in expanded if "!group=" in s}
        assert all(s.endswith(f"!group=nbgrader-{course}") for s in group_scopes)
