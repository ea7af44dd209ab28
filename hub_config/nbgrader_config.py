# nbgrader configuration shared by learners' servers, the course (formgrader) services and
# the `academy grade` commands. Each course directory has its own nbgrader_config.py too
# (course id, gradebook URL), written by `academy init`.
import os

c = get_config()  # noqa: F821

c.Exchange.root = os.environ.get("ACADEMY_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
if os.environ.get("JUPYTERHUB_API_TOKEN"):
    # Inside the hub (learners' servers, course services): course membership comes from the
    # hub groups nbgrader-<course> / formgrade-<course>. The `academy` CLI runs instructor
    # commands outside the hub, where nbgrader's default (no course check) applies.
    c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"

# nbgrader names students after the OS account; in shared mode every learner runs under one
# account, so name them after their hub user instead.
if (
    os.environ.get("ACADEMY_SERVER_ROLE") == "learner"
    and os.environ.get("ACADEMY_MODE") == "shared"
    and os.environ.get("JUPYTERHUB_USER")
):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
