"""The academy's own signing identity in use: its timestamp authority, its root's revocation
list (kept current, usable without the root's key), and refusing an expired signer."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509

from signing.academy_identity import (
    ROOT_CRL,
    ROOT_KEY,
    TSA_CERT,
    TSA_KEY,
    IdentityError,
    academy_trust,
    load_identity,
)
from signing.pki import ensure_pki


def test_the_timestamp_authority_is_made_once_under_the_academy_root(tmp_path: Path) -> None:
    identity = load_identity(tmp_path)
    assert identity.tsa.issuer == identity.root.subject == identity.signer.issuer
    assert stat.S_IMODE((tmp_path / TSA_KEY).stat().st_mode) == 0o600
    first = (tmp_path / TSA_CERT).read_bytes()
    assert load_identity(tmp_path).tsa == identity.tsa
    assert (tmp_path / TSA_CERT).read_bytes() == first


def test_the_root_crl_is_written_reused_and_renewed(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    ensure_pki(tmp_path, now)
    trust = academy_trust(tmp_path, now)
    [crl] = trust.crls
    assert trust.roots[0].subject == crl.issuer
    assert stat.S_IMODE((tmp_path / ROOT_CRL).stat().st_mode) == 0o644
    assert academy_trust(tmp_path, now + dt.timedelta(days=30)).crls[0] == crl  # reused
    later = now + dt.timedelta(days=362)  # within a week of its end: signed again
    [renewed] = academy_trust(tmp_path, later).crls
    assert renewed != crl and renewed.next_update_utc > later + dt.timedelta(days=300)
    number = renewed.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert number == 2


def test_without_the_root_key_the_stored_crl_serves_until_it_ends(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    ensure_pki(tmp_path, now)
    academy_trust(tmp_path, now)
    (tmp_path / ROOT_KEY).unlink()  # a verifying service holds certificates, not keys
    assert academy_trust(tmp_path, now + dt.timedelta(days=100)).crls
    with pytest.raises(IdentityError, match="root's key is not readable here"):
        academy_trust(tmp_path, now + dt.timedelta(days=400))


def test_an_expired_signer_cannot_sign(tmp_path: Path) -> None:
    load_identity(tmp_path)
    with pytest.raises(IdentityError, match="renew it before issuing"):
        load_identity(tmp_path, dt.datetime.now(dt.UTC) + dt.timedelta(days=900))


def test_a_missing_identity_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="root.cert.pem: cannot be read"):
        academy_trust(tmp_path / "nothing")
