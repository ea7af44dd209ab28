# jupyter_server configuration for learners' servers and the course (formgrader) services.
import os
from pathlib import Path

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
    # The module page: Voila's "lab" template with the academy's frame (course and module
    # titles, back to My learning, questions answered, Submit), from this folder's Jupyter
    # data directory (Voila finds templates only in Jupyter's data path: JUPYTER_PATH); the
    # notebook cannot choose another template, and no code is shown.
    _voila_data = str(Path(__file__).resolve().parent / "jupyter_data")
    _jupyter_path = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if _voila_data not in _jupyter_path:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([_voila_data, *_jupyter_path])
    c.VoilaConfiguration.template = "academy"
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.strip_sources = True
    # Module pages run ahead, so that reopening one is at once (my_learning/module_kernels.py)
    c.ServerApp.kernel_manager_class = "my_learning.module_kernels.ModulePageKernelManager"
    # ... and a page's kernel client is ready once the kernel has answered, without
    # jupyter_client's extra 0.2 s or more of listening on IOPub
    c.ServerKernelManager.client_class = "my_learning.module_kernels.ReadyKernelClient"
elif os.environ.get(SERVER_ROLE_ENV) == ServerRole.COURSE:
    # Formgrader comes with its manual grade changes journalled for the audit log: the
    # academy's extension loads it after routing the grade URL to its audited handler
    # (grading/formgrader_audit.py), so nbgrader's own entry stays off (else it would load
    # formgrader a second time, and without this module formgrader is not there at all).
    c.ServerApp.jpserver_extensions = {
        "grading.formgrader_audit": True,
        "nbgrader.server_extensions.formgrader": False,
        "jupyter_server_terminals": False,
    }
