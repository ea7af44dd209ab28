"""Spawners: isolated (one unix account per learner) and shared (personal demo only)."""

from __future__ import annotations

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import Unicode


class IsolatedSpawner(LocalProcessSpawner):
    """Runs each user's server under their own unix account (setuid, as LocalProcessSpawner).

    The only difference from LocalProcessSpawner: HOME and the working directory are the
    user's folder inside this installation's data directory, so several installations on
    one machine keep separate homes for the same unix account.
    """

    home_dir_template = Unicode(
        config=True, help="Template of the user's home in the data directory; {username}."
    )

    @property
    def academy_home(self) -> str:
        return self.home_dir_template.format(username=self.user.name)

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env = super().user_env(env)
        env["HOME"] = self.academy_home
        return env

    def make_preexec_fn(self, name: str):  # type: ignore[no-untyped-def]
        setuid = super().make_preexec_fn(name)
        home = self.academy_home

        def preexec() -> None:
            setuid()
            import os

            os.chdir(home)

        return preexec


class SharedSpawner(SimpleLocalProcessSpawner):
    """Every server runs under the account that started the platform: NO isolation."""
