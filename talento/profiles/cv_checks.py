"""Structure checks of CVs: they cannot be re-encoded, so they are refused when they are not
a PDF or a Word document, or when they carry active content (PDF JavaScript or launch
actions, Word macros). Split from talento.profiles.uploads, which stores the files."""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

from talento.i18n import gettext as _
from talento.refusals import Refused

MB = 1024 * 1024

_PDF_TOKEN = re.compile(
    rb"%[^\r\n]*"  # comment
    rb"|<<|>>"
    rb"|<[0-9A-Fa-f\s]*>"  # hex string
    rb"|\("  # literal string
    rb"|(?<![^\s()<>\[\]{}/%])stream(?:\r\n|\n|\r)"
    rb"|/[^\s()<>\[\]{}/%]*"  # name
)
_PDF_STRING_PART = re.compile(rb"[()\\]")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_DIRECT_LENGTH = re.compile(rb"\s*(\d+)(?:\s+(\d+)\s+R)?")
_PDF_ACTIVE_NAMES = frozenset({b"/JavaScript", b"/Launch"})
_PDF_OBJSTM_BUDGET = 32 * MB  # object streams hold dictionaries only; more is not a CV

_DOCX_MAIN_TYPE = b"wordprocessingml.document.main+xml"
_DOCX_MAX_ENTRIES = 5000
_DOCX_MAX_UNPACKED = 200 * MB


class UploadRejected(Refused):
    """An upload the user must fix or retry: a refusal of the "photo" or "cv" field.

    ``message`` (also ``str(exc)``) is French, translated at raise time, shown as a form
    error; ``field`` ("photo" or "cv") says which form field it belongs to; ``reason`` is a
    stable code for logs and tests (no personal data). The status is 400 for a file to fix,
    503 when the server could not store it (``reason == "storage"``: not the user's doing,
    and it may work later)."""

    def __init__(self, message: str, reason: str = "invalid", field: str | None = None):
        super().__init__(field, message, status=503 if reason == "storage" else 400)
        self.reason = reason


def not_a_cv() -> UploadRejected:
    return UploadRejected(
        _("Le CV doit être un fichier PDF ou Word (.docx)."),
        "not_cv",
    )


def check_pdf(data: bytes) -> None:
    """Refuse encrypted PDFs and JavaScript or launch actions, also inside the compressed
    object streams where modern PDFs keep their dictionaries."""
    _scan_pdf(data, _PDF_OBJSTM_BUDGET)


def _scan_pdf(data: bytes, budget: int, inflate: bool = True) -> int:
    """Walk the tokens outside strings and streams; returns the inflation budget left."""
    pos = 0
    objstm = False
    length: int | None = None
    while match := _PDF_TOKEN.search(data, pos):
        token, pos = match.group(), match.end()
        if token == b"(":
            pos = _skip_pdf_string(data, pos)
        elif token[:1] == b"/":
            name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
            if name in _PDF_ACTIVE_NAMES:
                raise _pdf_active()
            if name == b"/Encrypt":
                raise UploadRejected(
                    _("Ce PDF est protégé ou chiffré : enregistrez-le sans mot de passe."),
                    "pdf_encrypted",
                )
            objstm = objstm or name == b"/ObjStm"
            if name == b"/Length":
                length = _pdf_length(data, pos)
        elif token.startswith(b"stream"):
            body_end = _pdf_stream_end(data, pos, length)
            if objstm and inflate:
                budget = _scan_object_stream(data[pos:body_end], budget)
            objstm, length = False, None
            pos = body_end + len(b"endstream")
    return budget


def _skip_pdf_string(data: bytes, pos: int) -> int:
    """Position after a literal string (balanced parentheses, backslash escapes)."""
    depth = 1
    while depth:
        part = _PDF_STRING_PART.search(data, pos)
        if part is None:  # never closed: a reader and this scan would disagree
            raise _pdf_unverifiable()
        if part.group() == b"\\":
            pos = part.end() + 1
            continue
        depth += 1 if part.group() == b"(" else -1
        pos = part.end()
    return pos


def _pdf_length(data: bytes, pos: int) -> int | None:
    """A stream's /Length, direct or as a reference to a plain `n g obj <int> endobj`."""
    match = _PDF_DIRECT_LENGTH.match(data, pos)
    if match is None:
        return None
    if match.group(2) is None:
        return int(match.group(1))
    target = re.search(
        rb"(?<!\d)%s\s+%s\s+obj\s*(\d+)\s*endobj" % (match.group(1), match.group(2)), data
    )
    return int(target.group(1)) if target else None


def _pdf_stream_end(data: bytes, body_start: int, length: int | None) -> int:
    """Where `endstream` starts: trust /Length when it lands on it, else search for it."""
    if length is not None:
        end = body_start + length
        while data[end : end + 1] in (b"\r", b"\n", b" "):
            end += 1
        if data.startswith(b"endstream", end):
            return end
    end = data.find(b"endstream", body_start)
    if end < 0:
        raise _pdf_unverifiable()
    return end


def _scan_object_stream(body: bytes, budget: int) -> int:
    try:
        inflated = zlib.decompressobj().decompress(body, budget + 1)
    except zlib.error:
        raise _pdf_unverifiable() from None
    if len(inflated) > budget:
        raise _pdf_unverifiable()
    _scan_pdf(inflated, 0, inflate=False)
    return budget - len(inflated)


def _pdf_active() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce PDF contient du contenu actif (JavaScript ou lancement de programme) : "
            "enregistrez-le de nouveau en PDF simple."
        ),
        "pdf_active",
    )


def _pdf_unverifiable() -> UploadRejected:
    return UploadRejected(
        _("Ce PDF ne peut pas être vérifié : enregistrez-le de nouveau en PDF simple."),
        "pdf_unverifiable",
    )


def check_docx(data: bytes) -> None:
    """A real Word document: the OOXML parts of a .docx, and no macros or ActiveX."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _DOCX_MAX_ENTRIES or (
                sum(info.file_size for info in infos) > _DOCX_MAX_UNPACKED
            ):
                raise not_a_cv()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise not_a_cv()
            lowered = [name.lower() for name in names]
            if any(
                name.rsplit("/", 1)[-1] == "vbaproject.bin" or name.startswith("word/activex/")
                for name in lowered
            ):
                raise _docx_macros()
            with archive.open("[Content_Types].xml") as member:
                content_types = member.read(MB + 1)
    except UploadRejected:
        raise
    except Exception:  # noqa: BLE001 - any archive error on untrusted bytes means "not a CV"
        raise not_a_cv() from None
    if b"macroenabled" in content_types.lower() or b"vbaproject" in content_types.lower():
        raise _docx_macros()
    if _DOCX_MAIN_TYPE not in content_types:
        raise not_a_cv()


def _docx_macros() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word contient des macros : enregistrez-le au format .docx "
            "(document Word sans macros)."
        ),
        "docx_macros",
    )
