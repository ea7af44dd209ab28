"""The people who use the academy: the roster, their passwords, the demo roster.

- ``people.roster``: ``Person`` and the roster file (who is who, for HR and the hub)
- ``people.accounts``: hub accounts (NativeAuthenticator): activation codes, first
  password, lockout, reset
- ``people.demo``: the demo roster (learners, a trainer, an HR officer, an admin)
"""
