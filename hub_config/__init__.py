"""What configures JupyterHub and the single-user servers of the academy.

- ``jupyterhub_config.py``, ``jupyter_server_config.py``, ``nbgrader_config.py``
  (``CONFIG_DIR`` is given to the hub with ``-f`` and to servers as JUPYTER_CONFIG_PATH)
- ``rbac``: hub groups and roles; ``authenticator``: ``AcademyAuthenticator``;
  ``spawner``: ``IsolatedSpawner`` / ``SharedSpawner``; ``templates/``: the hub's pages
"""

from pathlib import Path

#: The folder holding the configuration files above.
CONFIG_DIR = Path(__file__).resolve().parent
