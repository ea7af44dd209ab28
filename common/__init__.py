"""Helpers shared by every part of the academy, and nothing that belongs to one concern.

- ``common.files``: ``atomic_write`` (a file is replaced in one step, never half-written)
- ``common.clock``: ``VIETNAM_TZ`` and ``vietnam_now()`` (UTC+7, no daylight saving)
- ``common.roles``: the ``Role`` enum, the platform's service names and custom scopes
- ``common.text``: ``ascii_fold`` for places that only take ASCII (GECOS, mailbox names)

This package imports nothing else of the academy (import-linter checks it).
"""
