"""One installation of the academy: where its state lives and what was decided for it.

- ``installation.layout``: ``DataLayout``, the paths inside one data directory
- ``installation.settings``: ``InstallSettings`` (chosen at `academy init`), ``RunPorts``
  and ``HubSettings`` (chosen by `academy up`, read by ``hub_config/jupyterhub_config.py``)
"""
