"""Shared fixtures of the signing tests: a sandbox training PKI and a Decree 30 document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sandbox_eoffice.official_pdf import FONT_DIR, OfficialDocumentLayout, render_official_document
from signing.training_pki import PkiUrls, TrainingPki

FONT = FONT_DIR / "LiberationSerif-Regular.ttf"
PKI_URLS = PkiUrls("http://127.0.0.1:8000/services/eoffice/pki/")


@pytest.fixture(scope="module")
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def pki(now: dt.datetime) -> TrainingPki:
    return TrainingPki.create(PKI_URLS, now)


@pytest.fixture(scope="module")
def font_file() -> Path:
    return FONT


@pytest.fixture(scope="module")
def base_pdf() -> bytes:
    return render_official_document(OfficialDocumentLayout(
        agency="Sở Nội vụ tỉnh Phú Thọ",
        superior_agency=None,
        number_symbol="125/SNV-VP",
        place="Phú Thọ",
        issued_on=None,
        document_type="Công văn",
        summary="Rà soát hồ sơ cán bộ, công chức năm 2026",
        body=("Sở Nội vụ đề nghị các cơ quan, đơn vị rà soát hồ sơ cán bộ, công chức và gửi "
              "báo cáo trước ngày 20 tháng 01 năm 2026./."),
        signer_name="Lê Minh Tuấn",
        signer_title="Phó Giám đốc",
    ))
