"""The `academy` command and the control plane behind it.

- ``academy.cli``: the command, one module per command group
- ``academy.provision``: `academy init`, creating (idempotently) everything one
  installation needs; ``academy.unix_accounts``: the accounts of isolated mode
- ``academy.supervisor`` and ``academy.guardian``: `academy up`, starting the platform
  and making sure every process of it ends with it
- ``academy.courses``: the installation's courses as nbgrader sees them
"""
