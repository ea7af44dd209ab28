"""nbgrader exchange extension: submissions that other learners cannot read.

Stock nbgrader hides a submission in the not-listable inbound folder behind a random name,
but leaves its files world-readable (0644, folder 0777). `PrivateSubmit` then narrows them to
the course's grader group, which the inbound folder's setgid bit hands to every submission:
files 0640, folders 2770. Selected by `c.ExchangeFactory.submit` in nbgrader_config.py.
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self) -> None:
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for dirpath, dirnames, filenames in os.walk(dest):
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o640)
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o2770)  # noqa: S103 (group = the course's graders)
        os.chmod(dest, 0o2770)  # noqa: S103 (group = the course's graders)
