"""The hub's authenticator: per-user random passwords checked against scrypt hashes.

The hashes live in `<data>/secrets/password-hashes.json` (0600, readable only by the hub's
account). Every login re-reads the file, so `academy init` and roster changes take effect
without restarting the hub.
"""

from __future__ import annotations

from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from people.passwords import load_hashes, verify_password


class AcademyAuthenticator(Authenticator):
    """Checks a username and password against the installation's password hashes."""

    password_hashes_file = Unicode(
        config=True, help="Path of the JSON file mapping usernames to scrypt password hashes."
    )

    async def authenticate(self, handler, data):  # type: ignore[override]
        username = self.normalize_username((data or {}).get("username", ""))
        password = (data or {}).get("password", "")
        if not username or not password:
            return None
        stored = load_hashes(Path(self.password_hashes_file)).get(username)
        if stored is None or not verify_password(password, stored):
            self.log.warning("Failed login for %r", username)
            return None
        return username
