# jupyter_server configuration for learners' servers and the course (formgrader) services.
import os

from installation.settings import SERVER_ROLE_ENV, ServerRole

c = get_config()  # noqa: F821

# Voila 0.5 crashes on a markdown image under the async contents manager.
c.ServerApp.contents_manager_class = (
    "jupyter_server.services.contents.filemanager.FileContentsManager"
)
c.ServerApp.terminals_enabled = False
# Stop at once on SIGINT (the hub's way of stopping a server) instead of asking y/n on a tty.
c.ServerApp.answer_yes = True

if os.environ.get(SERVER_ROLE_ENV) == ServerRole.LEARNER:
    # Learners get "My learning" and Voila only: no JupyterLab, no notebook UI, no
    # nbgrader assignment list. This is usability, not security: isolation comes from the
    # operating system (one unix account per learner).
    c.ServerApp.jpserver_extensions = {
        "my_learning": True,
        "voila.server_extension": True,
        "jupyterlab": False,
        "notebook": False,
        "jupyter_lsp": False,
        "jupyter_server_terminals": False,
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.validate_assignment": False,
        "nbgrader.server_extensions.assignment_list": False,
        "nbgrader.server_extensions.course_list": False,
    }
elif os.environ.get(SERVER_ROLE_ENV) == ServerRole.COURSE:
    c.ServerApp.jpserver_extensions = {
        "nbgrader.server_extensions.formgrader": True,
        "jupyter_server_terminals": False,
    }
