# nbgrader configuration shared by learners' servers, the course (formgrader) services and
# the `academy grade` commands. Each course directory has its own nbgrader_config.py too
# (course id, gradebook URL), written by `academy init`.
import os

from grading.feedback import FEEDBACK_PREPROCESSORS
from grading.rebuild import SANITIZE_PREPROCESSORS
from installation.settings import EXCHANGE_ROOT_ENV, MODE_ENV, SERVER_ROLE_ENV, Mode, ServerRole

c = get_config()  # noqa: F821

c.Exchange.root = os.environ.get(EXCHANGE_ROOT_ENV, "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
if os.environ.get("JUPYTERHUB_API_TOKEN"):
    # Inside the hub (learners' servers, course services): course membership comes from the
    # hub groups nbgrader-<course> / formgrade-<course>. The `academy` CLI runs instructor
    # commands outside the hub, where nbgrader's default (no course check) applies.
    c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"

# Feedback never shows the hidden tests (grading/feedback.py).
c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
# A trainer's own `nbgrader autograde` also grades the trainer's notebook, never cells a
# learner added or edited (grading/rebuild.py). `academy grade autograde` does more: it
# checks the answers file and runs the tests in the sandbox (grading/engine.py).
c.Autograde.sanitize_preprocessors = SANITIZE_PREPROCESSORS

# nbgrader names students after the OS account; in shared mode every learner runs under one
# account, so name them after their hub user instead.
if (
    os.environ.get(SERVER_ROLE_ENV) == ServerRole.LEARNER
    and os.environ.get(MODE_ENV) == Mode.SHARED
    and os.environ.get("JUPYTERHUB_USER")
):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
