"""The learner's "My learning" page (Học tập của tôi): a jupyter_server extension.

Enable it on the single-user server with
`--ServerApp.jpserver_extensions='{"my_learning": True}'` (or the same key in config) and
make it the landing page with `default_url=/learning`. See `handlers` for the routes,
`progress` for how module statuses and a course's progress are derived from nbgrader,
`next_step` for the one step the page suggests per course, and `i18n` for the languages
(docs/my-learning.md says it for learners and trainers).
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "my_learning"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from .handlers import (
        CLIENT_SETTING,
        JINJA_SETTING,
        handlers,
        make_jinja_envs,
        module_of_notebook,
    )
    from .module_kernels import ModulePageKernelManager
    from .nbgrader_client import NbgraderClient

    web_app = serverapp.web_app
    client = NbgraderClient(serverapp.root_dir, log=serverapp.log)
    web_app.settings[CLIENT_SETTING] = client
    if isinstance(serverapp.kernel_manager, ModulePageKernelManager):
        # module pages are run ahead; a learner's own notebooks never are
        serverapp.kernel_manager.is_module_notebook = lambda path: (
            module_of_notebook(client, path, serverapp.log) is not None
        )
    web_app.settings[JINJA_SETTING] = make_jinja_envs()
    web_app.add_handlers(".*$", handlers(web_app.settings["base_url"]))
    serverapp.log.info("my_learning: page at %slearning", web_app.settings["base_url"])
