"""`academy init` creates the sandbox training PKI in the e-office's own directory, readable
only by its account, and keeps it apart from the academy's own signing identity."""

from __future__ import annotations

import pwd
import stat
from pathlib import Path

from cryptography import x509

from installation.layout import DataLayout
from installation.settings import EOFFICE_ACCOUNT, InstallSettings
from signing.training_pki import FILES, KEK_FILE, TrainingPki


def test_init_makes_the_training_pki_for_the_e_office_only(initialised_data_dir: Path) -> None:
    layout = DataLayout.at(initialised_data_dir)
    directory = layout.eoffice_dir / "training-pki"
    pki = TrainingPki.load(directory)
    assert pki.issuing.certificate.issuer == pki.root.certificate.subject
    assert pki.tsa_certificate.issuer == pki.issuing.certificate.subject
    isolated = InstallSettings.load(layout).isolated
    for _certificate, key in [*FILES.values(), (None, KEK_FILE)]:
        mode = stat.S_IMODE((directory / key).stat().st_mode)
        assert mode == 0o600, key  # secrets: the e-office's account only
        if isolated:
            assert pwd.getpwuid((directory / key).stat().st_uid).pw_name == EOFFICE_ACCOUNT
    assert stat.S_IMODE(layout.eoffice_dir.stat().st_mode) == 0o700
    # two authorities, never mixed: the academy's identity has a root of its own
    academy_root = x509.load_pem_x509_certificate((layout.pki_dir / "root.cert.pem").read_bytes())
    assert academy_root.subject != pki.root.certificate.subject
    assert academy_root.public_key() != pki.root.certificate.public_key()
