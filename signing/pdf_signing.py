"""Sign PDFs (PAdES baseline B-T or B-LT) with a visible appearance, through pyhanko.

`sign_pdf` takes any pyhanko `Signer`: a `SimpleSigner` built from a key the caller holds
(the sandbox tokens, the academy's identity) or a `pyhanko.sign.pkcs11.PKCS11Signer` on a
real USB token or HSM (docs/signatures.md). The appearance follows Decree 30/2020 (Appendix
I) for electronic documents:

- a personal signature shows the signer's signature image, placed in the signature space
  between the signer's position and their printed name;
- an organisation signature shows the agency's seal image (red), overlapping the left third
  of the personal signature, with the agency name and the signing time in ISO 8601, Vietnam
  time (UTC+07:00).
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from asn1crypto import cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, general, signers
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from common.event_loop import run_coroutine
from signing.authority import PrivateKey

VIETNAM = dt.timezone(dt.timedelta(hours=7), "+07")


class PadesProfile(StrEnum):
    """PAdES baseline levels this library produces (ETSI EN 319 142-1)."""

    B_T = "B-T"  # signature + signature timestamp
    B_LT = "B-LT"  # B-T + certificates and revocation information in the DSS


class SignatureRole(StrEnum):
    PERSONAL = "personal"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Placement:
    """Where the visible signature goes: page index (0-based) and a box in PDF points
    (x1, y1, x2, y2 from the page's bottom left)."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Appearance:
    role: SignatureRole
    holder: str  # the signer's name, or the agency's name
    placement: Placement
    font_file: Path
    italic_font_file: Path | None = None
    note: str | None = None  # one more line, e.g. the number and date the clerk issued


def signer_from_key(key: PrivateKey, certificate: x509.Certificate,
                    chain: Sequence[x509.Certificate]) -> signers.SimpleSigner:
    """A pyhanko signer for a key held in memory (the sandbox tokens, the academy's key)."""
    der = serialization.Encoding.DER
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]),
    )


class SandboxTimeStamper(DummyTimeStamper):
    """pyhanko's in-process timestamp authority, with its RSA key parsed once.

    pyhanko 0.38's DummyTimeStamper parses its key again for every timestamp (about 36 ms
    of a 59 ms signature here); this is its `_sign_tst_info` with the key kept loaded."""

    def __init__(self, key: rsa.RSAPrivateKey, certificate: x509.Certificate,
                 chain: Sequence[x509.Certificate]) -> None:
        der = serialization.Encoding.DER
        super().__init__(
            tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(c.public_bytes(der)) for c in chain]))
        self._key = key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str,
                       dt: dt.datetime) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate",
                                 general.as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._key.sign(signed_attrs.dump(), padding.PKCS1v15(),
                                   get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


def timestamper_from_key(key: PrivateKey, certificate: x509.Certificate,
                         chain: Sequence[x509.Certificate]) -> TimeStamper:
    """An in-process RFC 3161 timestamp authority (the sandbox TSA: no network). Make it
    once and reuse it: pyhanko caches per instance what it needs to size signatures."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the sandbox timestamp authority signs with RSA")
    return SandboxTimeStamper(key, certificate, chain)


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def iso_vietnam(moment: dt.datetime) -> str:
    """ISO 8601 in Vietnam time, as Decree 30 asks: 2026-11-24T09:15:02+07:00."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field_name: str,
    appearance: Appearance | None,
    timestamper: TimeStamper,
    profile: PadesProfile = PadesProfile.B_T,
    validation_context: ValidationContext | None = None,
    reason: str | None = None,
    location: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """`pdf` with one more signature, added as an incremental update (earlier signatures
    stay valid). B-LT needs `validation_context` holding the revocation information to
    embed (the sandbox passes its CRLs and OCSP responses; nothing is fetched)."""
    if profile is PadesProfile.B_LT and validation_context is None:
        raise ValueError("a B-LT signature needs the validation context whose revocation "
                         "information it embeds")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        embed_validation_info=profile is PadesProfile.B_LT,
        validation_context=validation_context,
    )
    stamp_style = None
    new_field_spec = None
    if appearance is not None:
        moment = now or dt.datetime.now(dt.UTC)
        stamp_style = _stamp_style(appearance, moment)
        new_field_spec = fields.SigFieldSpec(sig_field_name=field_name,
                                             on_page=appearance.placement.page,
                                             box=appearance.placement.box)
    else:
        new_field_spec = fields.SigFieldSpec(sig_field_name=field_name)
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper,
                                   stamp_style=stamp_style, new_field_spec=new_field_spec)
    out = io.BytesIO()
    # pyhanko's own sync wrapper fails where a loop already runs (a Tornado server, a
    # notebook, Playwright's sync API): run its coroutine wherever this thread is
    run_coroutine(pdf_signer.async_sign_pdf(writer, output=out))
    return out.getvalue()


def _stamp_style(appearance: Appearance, moment: dt.datetime) -> TextStampStyle:
    x1, y1, x2, y2 = appearance.placement.box
    width, height = x2 - x1, y2 - y1
    if appearance.role is SignatureRole.PERSONAL:
        image = signature_image(appearance.holder, appearance.italic_font_file
                                or appearance.font_file, width, height)
        text = f"Ký số bởi: {appearance.holder}\n{iso_vietnam(moment)}"
        text_layout = SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID,
                                          y_align=AxisAlignment.ALIGN_MIN,
                                          margins=Margins(2, 2, 2, 2))
        image_x = AxisAlignment.ALIGN_MID
    else:
        # the seal on the right of the box (over the personal signature), the agency's name
        # and the time on its left
        image = seal_image(appearance.holder, appearance.font_file, width, height)
        name = "\n".join(textwrap.wrap(appearance.holder, 30)) or appearance.holder
        note = f"\n{appearance.note}" if appearance.note else ""
        text = f"{name}{note}\n{iso_vietnam(moment)}"
        text_layout = SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN,
                                          y_align=AxisAlignment.ALIGN_MID,
                                          margins=Margins(2, 2, 2, 2))
        image_x = AxisAlignment.ALIGN_MAX
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=EmbeddedFont(str(appearance.font_file), font_size=6),
                                    font_size=6, leading=7),
        inner_content_layout=text_layout,
        background=PdfImage(image),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(x_align=image_x,
                                              y_align=AxisAlignment.ALIGN_MAX,
                                              inner_content_scaling=InnerScaling.SHRINK_TO_FIT),
        border_width=0,
    )


@dataclass(frozen=True)
class EmbeddedFont(GlyphAccumulatorFactory):
    """pyhanko's OpenType font engine on `font_file` rescaled to 1000 units per em, read
    into memory.

    pyhanko 0.38 writes glyph widths in the font's own units, which a PDF reads as
    thousandths of an em: right for fonts of 1000 units per em, but text in a 2048-unit
    TrueType font (Liberation Serif) would come out spaced at twice its width. Its own
    factory also opens the file and never closes it."""

    def create_font_engine(self, writer: BasePdfFileWriter,
                           obj_stream: generic.StreamObject | None = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer, font_handle=io.BytesIO(font_at_1000_units(self.font_file)),
            font_size=self.font_size, obj_stream=obj_stream)


@cache
def font_at_1000_units(font_file: str) -> bytes:
    """The font rescaled to 1000 units per em (once per process: about 0.4 s)."""
    font = TTFont(io.BytesIO(Path(font_file).read_bytes()))
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def signature_image(name: str, font_file: Path, width: float, height: float) -> Image.Image:
    """The signer's "handwritten" signature: their given name in a slanted script, blue ink,
    on a transparent background (the sandbox has no scanned signatures)."""
    scale = 4
    w, h = int(width * scale), int(height * 0.7 * scale)
    image = Image.new("RGBA", (max(w, 1), max(h, 1)), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    given = name.split()[-1] if name.split() else name
    font = ImageFont.truetype(str(font_file), size=max(int(h * 0.55), 8))
    left, top, right, bottom = draw.textbbox((0, 0), given, font=font)
    x = (w - (right - left)) / 2
    y = (h - (bottom - top)) / 2 - top
    draw.text((x, y), given, font=font, fill=(20, 40, 160, 255))
    # a flourish under the name
    draw.arc((x, y + (bottom - top) * 0.6, x + (right - left) * 1.1, y + (bottom - top) * 1.4),
             start=200, end=340, fill=(20, 40, 160, 255), width=max(scale, 2))
    return image


def seal_image(agency: str, font_file: Path, width: float, height: float) -> Image.Image:
    """The agency's seal: a red double ring with a star and the agency's name (a sandbox
    drawing, never a real seal)."""
    scale = 4
    diameter = int(min(width, height) * scale)
    image = Image.new("RGBA", (diameter, diameter), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 16, 16, 235)
    draw.ellipse((2, 2, diameter - 2, diameter - 2), outline=red, width=max(scale, 3))
    inset = diameter * 0.12
    draw.ellipse((inset, inset, diameter - inset, diameter - inset), outline=red,
                 width=max(scale // 2, 2))
    centre = diameter / 2
    star = [(centre + diameter * 0.09 * _cos(i), centre - diameter * 0.09 * _sin(i))
            for i in range(10)]
    draw.polygon([(x if i % 2 == 0 else centre + (x - centre) * 0.4,
                   y if i % 2 == 0 else centre + (y - centre) * 0.4)
                  for i, (x, y) in enumerate(star)], fill=red)
    font = ImageFont.truetype(str(font_file), size=max(int(diameter * 0.075), 6))
    words = agency.upper().split()
    lines = _wrap(words, 3)
    for index, line in enumerate(lines[:3]):
        box = draw.textbbox((0, 0), line, font=font)
        y = centre + diameter * 0.14 + index * (box[3] - box[1] + 2)
        draw.text((centre - (box[2] - box[0]) / 2, y), line, font=font, fill=red)
    return image


def _cos(i: int) -> float:
    import math

    return math.cos(math.pi / 2 + i * math.pi / 5)


def _sin(i: int) -> float:
    import math

    return math.sin(math.pi / 2 + i * math.pi / 5)


def _wrap(words: list[str], lines: int) -> list[str]:
    per_line = max(1, -(-len(words) // lines))
    return [" ".join(words[i:i + per_line]) for i in range(0, len(words), per_line)]
