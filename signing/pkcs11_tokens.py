"""Sign with a real USB token or HSM through PKCS#11: the production path of `sign_pdf`.

`open_pkcs11_signer` logs in to one token with the holder's PIN and yields pyhanko's
`PKCS11Signer` for one key on it; `signing.pdf_signing.sign_pdf` takes that signer exactly as
it takes the sandbox's in-memory `signer_from_key(...)`. The private key never leaves the
token: the token computes each signature. The PIN is used to log in and is never stored here.
Tested against SoftHSM2 (tests/signing/test_pkcs11.py); docs/signatures.md explains the
production setup.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cryptography import x509
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from signing.pdf_signing import to_asn1

__all__ = ["open_pkcs11_signer"]


@contextmanager
def open_pkcs11_signer(
    module_path: str,
    token_label: str,
    pin: str,
    key_label: str,
    cert_label: str | None = None,
    *,
    signing_cert: x509.Certificate | None = None,
    chain: Sequence[x509.Certificate] = (),
    raw_mechanism: bool = False,
) -> Iterator[PKCS11Signer]:
    """A signer for the private key labelled `key_label` on the token labelled `token_label`.

    - `module_path`: the vendor's PKCS#11 module (a .so file), e.g.
      /usr/lib/softhsm/libsofthsm2.so for SoftHSM2;
    - `pin`: the user PIN, asked of the holder at signing time; a wrong one raises
      `pkcs11.PinIncorrect` (and tokens lock after the vendor's number of wrong tries:
      `pkcs11.PinLocked`);
    - the signer's certificate is read from the token (the certificate object labelled
      `cert_label`, by default the same label as the key) unless `signing_cert` is given;
    - `chain`: the CA certificates to embed in signatures (issuing CA up to the root), when
      the token does not hold them or they are kept elsewhere;
    - `raw_mechanism`: for EC keys on tokens that offer only the raw CKM_ECDSA mechanism, not
      CKM_ECDSA_SHA256 (SoftHSM2 2.6 is one): the SHA-256 digest is computed on the host and
      the token signs it (pyhanko has this raw mode for ECDSA only).

    A context manager: the PKCS#11 session (and the login) lasts for the `with` block and is
    closed when it ends, also on error; use the signer only inside the block. The key and the
    certificate are looked up on entry, so a wrong label fails here, not halfway through
    signing (`pkcs11.PKCS11Error`: "Could not find private key with label ...").
    """
    session = open_pkcs11_session(module_path, token_criteria=TokenCriteria(label=token_label),
                                  user_pin=pin)
    try:
        signer = PKCS11Signer(
            session,
            cert_label=cert_label or key_label,
            key_label=key_label,
            signing_cert=to_asn1(signing_cert) if signing_cert is not None else None,
            ca_chain=[to_asn1(certificate) for certificate in chain],
            use_raw_mechanism=raw_mechanism,
        )
        signer.signing_cert  # noqa: B018  (look the key and certificate up now)
        yield signer
    finally:
        session.close()
